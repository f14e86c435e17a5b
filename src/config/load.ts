import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configSchema, type JunctionConfig } from './schema.js';
import { interpolateEnv, type InterpolationIssue } from './interpolate.js';

/** Every problem of a config file, reported at once. */
export class ConfigError extends Error {
  readonly issues: readonly string[];
  constructor(file: string, issues: string[]) {
    super(`Invalid config ${file}:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export interface LoadConfigOptions {
  /** Environment for `${VAR}` interpolation and `PORT`. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Reads, interpolates, validates and freezes a gateway config file. */
export async function loadConfigFile(file: string, options: LoadConfigOptions = {}): Promise<JunctionConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  return parseConfig(text, file, options);
}

/** Validates config text; relative file paths inside are resolved against `file`'s folder. */
export function parseConfig(text: string, file: string, options: LoadConfigOptions = {}): JunctionConfig {
  const env = options.env ?? process.env;
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (error) {
    throw new ConfigError(file, [`not valid YAML: ${(error as Error).message}`]);
  }
  const interpolationIssues: InterpolationIssue[] = [];
  const interpolated = interpolateEnv(raw, env, interpolationIssues);
  applyEnvOverrides(interpolated, env);
  const result = configSchema.safeParse(interpolated);
  const issues = interpolationIssues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (!result.success) {
    for (const issue of result.error.issues) issues.push(`${formatPath(issue.path)}: ${issue.message}`);
  }
  if (issues.length > 0 || !result.success) throw new ConfigError(file, issues);
  return deepFreeze(resolvePaths(result.data, dirname(resolve(file))));
}

/** `PORT` is the one setting read from the environment directly, as every platform sets it. */
function applyEnvOverrides(raw: unknown, env: Record<string, string | undefined>): void {
  const port = env['PORT'];
  if (port === undefined || port === '' || raw === null || typeof raw !== 'object') return;
  const config = raw as Record<string, unknown>;
  const server = (config['server'] ?? {}) as Record<string, unknown>;
  config['server'] = { ...server, port: /^\d+$/.test(port) ? Number(port) : port };
}

function resolvePaths(config: JunctionConfig, baseDir: string): JunctionConfig {
  const at = (path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));
  return {
    ...config,
    typeDefs: config.typeDefs.map(at),
    sources: config.sources.map((source) => {
      if (source.type === 'openapi') return { ...source, spec: at(source.spec) };
      if (source.schema === 'introspection') return source;
      if ('snapshotFile' in source.schema) return { ...source, schema: { ...source.schema, snapshotFile: at(source.schema.snapshotFile) } };
      return { ...source, schema: { file: at(source.schema.file) } };
    }),
  };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
