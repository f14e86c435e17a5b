import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, parseConfig, type JunctionConfig, type LoadConfigOptions } from './config/index.js';

/** A config and the version it is known by: a short hash of the file content. */
export interface VersionedConfig {
  config: JunctionConfig;
  /** First 12 hex digits of the SHA-256 of the config file's bytes. */
  version: string;
}

/** What a reload answers (and `junction reload` logs). */
export type ReloadResult = { ok: true; version: string; previous: string } | { ok: false; error: string };

/** The reload history shown in `/readyz`. */
export interface ReloadReport {
  succeeded: number;
  failed: number;
  /** Message of the last failed reload; cleared by the next successful one. */
  lastError?: string;
  /** When the config in use was loaded (ISO 8601). */
  loadedAt: string;
}

export function configVersion(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Reads and validates a config file; its version is the hash of exactly the bytes read. */
export async function loadVersionedConfig(file: string, options: LoadConfigOptions = {}): Promise<VersionedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  return { config: parseConfig(text, file, options), version: configVersion(text) };
}

/** Counts reloads; the numbers behind `reloads` in `/readyz`. */
export function createReloadStatus(now: () => number) {
  const report: ReloadReport = { succeeded: 0, failed: 0, loadedAt: new Date(now()).toISOString() };
  return {
    succeeded(): void {
      report.succeeded++;
      delete report.lastError;
      report.loadedAt = new Date(now()).toISOString();
    },
    failed(message: string): void {
      report.failed++;
      report.lastError = message;
    },
    report: (): ReloadReport => ({ ...report }),
  };
}
