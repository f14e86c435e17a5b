import type { UpstreamConfig } from './config/index.js';
import { createUpstream, type Upstream, type UpstreamDeps } from './upstream/index.js';

/**
 * The upstreams of every live runtime. A runtime built from a config whose upstream block is
 * unchanged gets the same `Upstream` object (its pool, breaker state and health stay); an
 * upstream is closed when the last runtime using it is released.
 */
export interface UpstreamPool {
  acquire(configs: Readonly<Record<string, UpstreamConfig>>): Map<string, Upstream>;
  release(upstreams: ReadonlyMap<string, Upstream>): Promise<void>;
}

export function createUpstreamPool(deps: UpstreamDeps = {}): UpstreamPool {
  const byName = new Map<string, { key: string; upstream: Upstream }>();
  const refs = new Map<Upstream, number>();

  function acquireOne(name: string, config: UpstreamConfig): Upstream {
    const key = JSON.stringify(config);
    const known = byName.get(name);
    const upstream = known !== undefined && known.key === key ? known.upstream : createUpstream(name, config, deps);
    if (known?.upstream !== upstream) byName.set(name, { key, upstream });
    refs.set(upstream, (refs.get(upstream) ?? 0) + 1);
    return upstream;
  }

  async function releaseOne(upstream: Upstream): Promise<void> {
    const count = (refs.get(upstream) ?? 1) - 1;
    if (count > 0) {
      refs.set(upstream, count);
      return;
    }
    refs.delete(upstream);
    if (byName.get(upstream.name)?.upstream === upstream) byName.delete(upstream.name);
    await upstream.close();
  }

  return {
    acquire: (configs) => new Map(Object.entries(configs).map(([name, config]) => [name, acquireOne(name, config)])),
    async release(upstreams) {
      await Promise.allSettled([...upstreams.values()].map(releaseOne));
    },
  };
}
