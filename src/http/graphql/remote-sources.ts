import type { LoadedSource } from '../../sources/index.js';
import type { Upstream } from '../../upstream/index.js';
import type { RemoteSource } from './fast-path.js';

/** The loaded GraphQL sources by name, with their upstreams, for the fast path. */
export function remoteSources(sources: readonly LoadedSource[], upstreams: ReadonlyMap<string, Upstream>): (name: string) => RemoteSource | undefined {
  const byName = new Map<string, RemoteSource>();
  for (const { config, subschema } of sources) {
    const upstream = upstreams.get(config.upstream);
    if (config.type === 'graphql' && subschema !== undefined && upstream !== undefined) byName.set(config.name, { source: config, upstream });
  }
  return (name) => byName.get(name);
}
