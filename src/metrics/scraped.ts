import { Counter, Gauge, type Registry } from 'prom-client';

/** One sample: its label values and its value. */
export type Sample<L extends string> = readonly [labels: Readonly<Record<L, string>>, value: number];

export interface ScrapedMetric<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  /** The samples as they are now, read when the registry is scraped. */
  samples(): Iterable<Sample<L>>;
}

/**
 * A counter whose values are read from the gateway's own stats when scraped, so no request pays
 * for it. A sample whose source was replaced (a reload that changed an upstream or rebuilt a
 * store) starts again from zero, which Prometheus reads as a counter reset.
 */
export function scrapedCounter<L extends string>(registry: Registry, metric: ScrapedMetric<L>): Counter<L> {
  return new Counter<L>({
    name: metric.name,
    help: metric.help,
    labelNames: metric.labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of metric.samples()) this.inc(labels, value);
    },
  });
}

/** A gauge whose values are read when scraped; label sets no longer reported disappear. */
export function scrapedGauge<L extends string>(registry: Registry, metric: ScrapedMetric<L>): Gauge<L> {
  return new Gauge<L>({
    name: metric.name,
    help: metric.help,
    labelNames: metric.labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of metric.samples()) this.set(labels, value);
    },
  });
}
