import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from './logger.js';
import { configVersion } from './reload.js';

export interface ConfigWatchOptions {
  /** Quiet time after the last change event before reloading (read per change, so a reload can change it). */
  debounceMs: () => number;
  /** Version in use; a change that leaves the file's hash equal is ignored. */
  version: () => string;
  reload: () => Promise<unknown>;
  logger: Logger;
}

/**
 * Watches the config file's folder (editors and ConfigMap updates replace the file rather than
 * write it in place) and reloads once the file has been quiet for `debounceMs` and its hash changed.
 */
export function watchConfigFile(file: string, options: ConfigWatchOptions): { close(): void } {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
    if (changed !== null && changed !== name && !changed.startsWith('..')) return;
    clearTimeout(timer);
    timer = setTimeout(() => void changedFile(), options.debounceMs());
    timer.unref();
  });
  watcher.on('error', (error) => options.logger.warn({ err: error }, 'config file watch failed'));

  async function changedFile(): Promise<void> {
    const text = await readFile(file).catch(() => undefined);
    if (text === undefined || configVersion(text) === options.version()) return;
    options.logger.info({ file }, 'config file changed; reloading');
    await options.reload();
  }

  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
