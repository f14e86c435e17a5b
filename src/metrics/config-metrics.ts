import type { Registry } from 'prom-client';
import type { ReloadReport } from '../reload.js';
import { scrapedCounter, scrapedGauge } from './scraped.js';

export interface ConfigState {
  /** Short hash of the config in use. */
  version(): string;
  reloads(): ReloadReport;
}

/** Reloads since start, and which config is in use since when. */
export function registerConfigMetrics(registry: Registry, config: ConfigState): void {
  scrapedCounter(registry, {
    name: 'junction_config_reloads_total',
    help: 'Reloads since start by result: success (a new runtime swapped in, the rebuild after a source came back included) or failure (the running config kept serving).',
    labelNames: ['result'],
    samples: () => {
      const { succeeded, failed } = config.reloads();
      return [[{ result: 'success' }, succeeded], [{ result: 'failure' }, failed]];
    },
  });
  scrapedGauge(registry, {
    name: 'junction_config_loaded_timestamp_seconds',
    help: 'When the config in use was loaded, in seconds since the Unix epoch.',
    labelNames: [],
    samples: () => [[{}, Date.parse(config.reloads().loadedAt) / 1000]],
  });
  scrapedGauge(registry, {
    name: 'junction_config_info',
    help: 'Always 1; its version label is the short hash of the config file in use.',
    labelNames: ['version'],
    samples: () => [[{ version: config.version() }, 1]],
  });
}
