import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ); 100 on every Linux we run on. */
export function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of one process, in ticks; undefined once it is gone. */
export function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; fields after the closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** The pid and every descendant (a peer that forks workers is measured as a whole). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // raced with an exiting process
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return out;
}

/** Sum of utime + stime over the tree, in ticks. */
export function treeTicks(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (processTicks(pid) ?? 0), 0);
}

/** VmHWM (peak resident set) in bytes, summed over the given processes. */
export function peakRss(pids: readonly number[]): number {
  return statusBytes(pids, /VmHWM:\s+(\d+) kB/);
}

/** VmRSS (resident set now) in bytes, summed over the given processes. */
export function currentRss(pids: readonly number[]): number {
  return statusBytes(pids, /VmRSS:\s+(\d+) kB/);
}

function statusBytes(pids: readonly number[], field: RegExp): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const match = field.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

export interface CoreTimes {
  busy: number;
  total: number;
}

/** Busy and total jiffies per core from /proc/stat. */
export function coreTimes(): CoreTimes[] {
  const out: CoreTimes[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const values = match[2]!.split(/\s+/).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    out[Number(match[1])] = { busy: total - idle, total };
  }
  return out;
}

/** Fraction busy per core between two samples. */
export function coreBusy(before: CoreTimes[], after: CoreTimes[]): number[] {
  return after.map((a, i) => {
    const b = before[i]!;
    const total = a.total - b.total;
    return total > 0 ? (a.busy - b.busy) / total : 0;
  });
}

/**
 * Whether the bench's real-process tests can run here (wrk and taskset installed). Without them a
 * test is skipped with a warning, except under `CI=true`, where `require()` fails it.
 */
export function benchTools(test: string): { skip: boolean; require(): void } {
  const present = Boolean(which('wrk') && which('taskset'));
  const reason = `wrk/taskset not installed (run bench/install-tools.sh); ${test} needs them`;
  const skip = !present && process.env.CI !== 'true';
  if (skip) console.warn(`${test} skipped: ${reason}`);
  return {
    skip,
    require() {
      if (!present) throw new Error(reason);
    },
  };
}

export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir && existsSync(`${dir}/${command}`)) return `${dir}/${command}`;
  }
  return undefined;
}

export function commandVersion(command: string, args: string[]): string | undefined {
  try {
    const text = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return text.split('\n')[0]?.trim();
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr;
    return stderr?.split('\n')[0]?.trim() || undefined;
  }
}

export function gitCommit(cwd: string): { commit?: string; dirty?: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return {};
  }
}

export function machineInfo(): Record<string, unknown> {
  const list = cpus();
  return {
    cpuModel: list[0]?.model,
    cores: list.length,
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
  };
}

/** Pins the calling process to a core (children inherit it unless they pin themselves). */
export function pinSelf(core: number): boolean {
  try {
    execFileSync('taskset', ['-cp', String(core), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
