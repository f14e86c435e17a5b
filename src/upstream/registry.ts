import type { UpstreamConfig } from '../config/index.js';
import { createUpstream, type UpstreamDeps } from './create-upstream.js';
import type { Upstream } from './types.js';

/** One `Upstream` per named backend of the config. */
export function createUpstreams(configs: Readonly<Record<string, UpstreamConfig>>, deps: UpstreamDeps = {}): Map<string, Upstream> {
  return new Map(Object.entries(configs).map(([name, config]) => [name, createUpstream(name, config, deps)]));
}

export async function closeUpstreams(upstreams: ReadonlyMap<string, Upstream>): Promise<void> {
  await Promise.allSettled([...upstreams.values()].map((upstream) => upstream.close()));
}
