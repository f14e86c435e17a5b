import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for a process that serves requests, applied by `junction start` and `npm start`.
 *
 * Allocation-site pretenuring is off. Under keep-alive load, a per-request allocation site can be
 * judged long-lived after one unlucky scavenge; V8 then allocates it straight into the old
 * generation, where it dies, and every request pays in slower scavenges and frequent full
 * collections. Which requests trigger it is chance, so throughput became bimodal (the POST
 * passthrough ran at 0.8x or 1.2x the bare proxy from one start to the next); with it off every
 * start lands on the fast mode. Objects that really live long (schemas, caches) are promoted
 * by the ordinary scavenges instead.
 *
 * The old generation may grow to 1.5x its live size between full collections
 * (`--heap-growing-percent=50`) instead of V8's up to 4x on machines with 8 GB or more. The live
 * heap under load is about 32 MB, so the rest of that growth is garbage waiting: with the cap,
 * peak RSS of one worker on the flat bench is about 140 MB instead of 215 MB, for a few percent
 * of CPU in more frequent full collections (docs/operations.md, "Memory").
 *
 * `JUNCTION_V8_FLAGS` (space-separated) is applied after, for flags `NODE_OPTIONS` does not accept:
 * `--allocation-site-pretenuring` or `--heap-growing-percent=0` restores V8's default.
 */
export function tuneV8ForServing(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
  setFlagsFromString('--heap-growing-percent=50');
  for (const flag of (process.env['JUNCTION_V8_FLAGS'] ?? '').split(/\s+/)) if (flag !== '') setFlagsFromString(flag);
}
