import { loadedFlags, loadedWindow, throughputOf, type Load, type MeasureDeps, type WindowResult } from './measure.js';
import type { Started } from './process.js';
import { currentRss, peakRss, processTree } from './sys.js';
import { runWrk } from './wrk.js';

/** Memory of the process under test over a soak (scenario 5c). */
export interface SoakResult {
  seconds: number;
  /** VmRSS after the warm-up, before the soak's load. */
  baselineRssBytes: number;
  /** Highest VmRSS sampled under load. */
  peakRssBytes: number;
  /** Last VmRSS sampled under load. */
  endRssBytes: number;
  /** VmRSS after the load stopped and the process sat idle for IDLE_S. */
  idleRssBytes: number;
  /** Whether the idle VmRSS is within 10% of the baseline. */
  returned: boolean;
  /** Every sample, seconds since the soak's load started (negative: before; after the end: idle). */
  samples: { tS: number; rssBytes: number }[];
}

export const SAMPLE_EVERY_MS = 2000;
const IDLE_S = 6;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Warm-up, then `timing.soakS` seconds of load with VmRSS sampled every 2 s, then IDLE_S seconds
 * idle. The req/CPU-s is over the whole soak; there is no one-connection run.
 */
export async function soakWindow(started: Started, load: Load, deps: MeasureDeps): Promise<WindowResult> {
  const { timing } = deps;
  if (timing.warmupS > 0) await runWrk({ url: started.url, spec: load.spec, core: deps.loadCore, connections: load.connections, durationS: timing.warmupS });
  const rss = (): number => currentRss(processTree(started.pid));
  const baselineRssBytes = rss();
  const samples: SoakResult['samples'] = [{ tS: 0, rssBytes: baselineRssBytes }];
  const t0 = Date.now();
  const timer = setInterval(() => samples.push({ tS: (Date.now() - t0) / 1000, rssBytes: rss() }), SAMPLE_EVERY_MS);
  let loaded;
  try {
    loaded = await loadedWindow(started, load, deps, timing.soakS);
  } finally {
    clearInterval(timer);
  }
  const underLoad = samples.slice(1);
  const endRssBytes = underLoad.at(-1)?.rssBytes ?? rss();
  for (let waited = 0; waited < IDLE_S; waited += SAMPLE_EVERY_MS / 1000) {
    await sleep(SAMPLE_EVERY_MS);
    samples.push({ tS: (Date.now() - t0) / 1000, rssBytes: rss() });
  }
  const idleRssBytes = samples.at(-1)!.rssBytes;
  const soak: SoakResult = {
    seconds: timing.soakS,
    baselineRssBytes,
    peakRssBytes: Math.max(baselineRssBytes, ...underLoad.map((s) => s.rssBytes)),
    endRssBytes,
    idleRssBytes,
    returned: idleRssBytes <= baselineRssBytes * 1.1,
    samples,
  };
  const { result } = loaded;
  return {
    ...throughputOf(loaded),
    peakRssBytes: peakRss(processTree(started.pid)),
    errors: loaded.errors,
    firstError: result.firstBad || undefined,
    soak,
    flags: loadedFlags(loaded, deps, loaded.errors),
  };
}
