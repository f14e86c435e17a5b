import type { SubschemaConfig } from '@graphql-tools/delegate';
import type { SourceConfig } from '../config/index.js';
import type { Upstream } from '../upstream/index.js';
import { loadGraphqlSource } from './graphql-source.js';
import { loadOpenapiSource } from './openapi-source.js';
import { sourceTransforms } from './transforms.js';

export interface LoadedSource {
  name: string;
  config: SourceConfig;
  /** Undefined when the source could not be loaded (see `error`). */
  subschema: SubschemaConfig | undefined;
  /** Why loading failed; client-safe. */
  error: string | undefined;
}

/**
 * Loads every source in parallel. One that fails is reported, not fatal: the gateway serves
 * the others (unless `failFast`, which the caller decides).
 */
export async function loadSources(
  sources: readonly SourceConfig[],
  upstreams: ReadonlyMap<string, Upstream>,
): Promise<LoadedSource[]> {
  return Promise.all(sources.map((source) => loadSource(source, upstreams)));
}

async function loadSource(source: SourceConfig, upstreams: ReadonlyMap<string, Upstream>): Promise<LoadedSource> {
  const upstream = upstreams.get(source.upstream);
  if (!upstream) throw new Error(`source "${source.name}" names unknown upstream "${source.upstream}"`);
  try {
    const subschema = source.type === 'graphql'
      ? await loadGraphqlSource(source, upstream)
      : await loadOpenapiSource(source, upstream);
    const transforms = sourceTransforms(source);
    return { name: source.name, config: source, subschema: transforms.length > 0 ? { ...subschema, transforms } : subschema, error: undefined };
  } catch (error) {
    return { name: source.name, config: source, subschema: undefined, error: (error as Error).message };
  }
}
