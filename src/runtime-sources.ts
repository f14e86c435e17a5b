import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { printSchema } from 'graphql';
import type { SourceConfig } from './config/index.js';
import type { Logger } from './logger.js';
import { loadSources, type LoadedSource } from './sources/index.js';
import type { Upstream } from './upstream/index.js';

export interface RuntimeSources {
  sources: LoadedSource[];
  /** Sources to retry in the background: not loaded, or served from their snapshot file. */
  retry: SourceConfig[];
}

/**
 * Loads every source. An introspection source with a `snapshotFile` is served from that file when
 * its upstream is down, and the file is rewritten after each successful introspection.
 */
export async function loadRuntimeSources(
  configs: readonly SourceConfig[],
  upstreams: ReadonlyMap<string, Upstream>,
  logger: Logger,
): Promise<RuntimeSources> {
  const sources = await loadSources(configs, upstreams);
  const retry: SourceConfig[] = [];
  for (const [index, source] of sources.entries()) {
    const snapshotFile = snapshotFileOf(source.config);
    if (snapshotFile === undefined) {
      if (source.subschema === undefined) retry.push(source.config);
      continue;
    }
    if (source.subschema !== undefined) {
      await writeSnapshot(snapshotFile, printSchema(source.subschema.schema), logger, source.name);
      continue;
    }
    retry.push(source.config);
    const [fromFile] = await loadSources([{ ...source.config, schema: { file: snapshotFile } } as SourceConfig], upstreams);
    if (fromFile?.subschema === undefined) continue;
    logger.warn({ source: source.name, reason: source.error }, 'source served from its schema snapshot; retrying in the background');
    sources[index] = { ...fromFile, config: source.config };
  }
  return { sources, retry };
}

/** Whether any of `configs` loads now (the background retry's probe). */
export async function anySourceLoads(configs: readonly SourceConfig[], upstreams: ReadonlyMap<string, Upstream>): Promise<boolean> {
  const live = configs.map((config) => (snapshotFileOf(config) === undefined ? config : ({ ...config, schema: 'introspection' } as SourceConfig)));
  const loaded = await loadSources(live, upstreams);
  return loaded.some((source) => source.subschema !== undefined);
}

function snapshotFileOf(config: SourceConfig): string | undefined {
  return config.type === 'graphql' && typeof config.schema === 'object' && 'snapshotFile' in config.schema ? config.schema.snapshotFile : undefined;
}

async function writeSnapshot(file: string, sdl: string, logger: Logger, source: string): Promise<void> {
  try {
    if ((await readFile(file, 'utf8').catch(() => undefined)) === sdl) return;
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, sdl);
    await rename(temp, file);
    logger.info({ source, file }, 'schema snapshot written');
  } catch (error) {
    logger.warn({ source, err: error }, 'cannot write schema snapshot');
  }
}
