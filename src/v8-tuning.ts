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
 * `JUNCTION_V8_FLAGS` (space-separated, e.g. `--allocation-site-pretenuring`) is applied after,
 * for flags `NODE_OPTIONS` does not accept.
 */
export function tuneV8ForServing(env: NodeJS.ProcessEnv = process.env): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
  for (const flag of (env['JUNCTION_V8_FLAGS'] ?? '').split(/\s+/)) if (flag !== '') setFlagsFromString(flag);
}
