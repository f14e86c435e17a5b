import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings `junction start` applies before it builds anything (measured in
 * docs/operations.md, "Memory"):
 *
 * - `--heap-growing-percent=50`: after each full collection V8 lets the old generation grow to
 *   four times the live heap when the heap limit is 2 GB or more. A gateway's live heap is small
 *   (about 30 MB, mostly module code) while every request leaves short-lived garbage behind, so
 *   under load most of the heap was garbage waiting for the next full collection.
 * - `--liftoff-only`: undici parses upstream responses with llhttp compiled to WebAssembly.
 *   Under load V8 recompiles its large parser function with its optimizing compiler: a one-off
 *   spike of about 30 MB outside the JS heap. The baseline code is kept instead.
 *
 * `JUNCTION_V8_DEFAULTS=1` keeps V8's defaults; a flag given on node's command line wins.
 */
export const MEMORY_FLAGS: readonly string[] = ['--heap-growing-percent=50', '--liftoff-only'];

export interface MemorySettingsDeps {
  env?: NodeJS.ProcessEnv;
  /** node's own command-line flags (`process.execArgv`). */
  execArgv?: readonly string[];
  setFlag?: (flag: string) => void;
}

/** Applies MEMORY_FLAGS (those node's command line does not set); returns the ones applied. */
export function applyMemorySettings(deps: MemorySettingsDeps = {}): string[] {
  const { env = process.env, execArgv = process.execArgv, setFlag = setFlagsFromString } = deps;
  if (env['JUNCTION_V8_DEFAULTS'] === '1') return [];
  const given = new Set(execArgv.map(flagName));
  const applied = MEMORY_FLAGS.filter((flag) => !given.has(flagName(flag)));
  for (const flag of applied) setFlag(flag);
  return applied;
}

/** `--no-liftoff-only` → `liftoff-only`; V8 reads `_` and `-` alike. */
function flagName(arg: string): string {
  return arg.replace(/^--(no-)?/, '').split('=')[0]!.replaceAll('_', '-');
}
