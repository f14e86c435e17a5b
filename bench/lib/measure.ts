import { coreBusy, coreTimes, peakRss, processTree, treeTicks } from './sys.js';
import { freePort, tail, waitReady, type Started } from './process.js';
import type { CallSource, Scenario } from './scenarios.js';
import type { SoakResult } from './soak.js';
import type { Target } from './targets.js';
import { runWrk, type RequestSpec, type WrkResult } from './wrk.js';

export interface Timing {
  warmupS: number;
  measureS: number;
  latencyS: number;
  /** Length of the memory soak (scenario 5c). */
  soakS: number;
}

/** What one target is loaded with. */
export interface Load {
  spec: RequestSpec;
  connections: number;
  callSources: CallSource[];
  noUpstream: boolean;
}

/** One target in one round. `skipped` says why there is no number. */
export interface Sample {
  scenario: string;
  target: string;
  label: string;
  round: number;
  skipped?: string;
  requests?: number;
  rps?: number;
  cpuSeconds?: number;
  rpsPerCpuSecond?: number;
  /** Share of one core the process under test used over the window. */
  cpuShare?: number;
  core0Busy?: number;
  core1Busy?: number;
  upstreamCallsPerRequest?: number;
  p50Ms?: number;
  p99Ms?: number;
  peakRssBytes?: number;
  errors?: number;
  firstError?: string;
  /** Memory over the soak (scenario 5c). */
  soak?: SoakResult;
  flags: string[];
}

export type WindowResult = Omit<Sample, 'scenario' | 'target' | 'label' | 'round'>;

export interface MeasureDeps {
  ticksPerSecond: number;
  loadCore: number;
  busyCore: number;
  timing: Timing;
  log(line: string): void;
}

/** What `target` is loaded with in `scenario`. */
export function loadOf(scenario: Scenario, target: Target): Load {
  return {
    spec: target.spec ?? scenario.spec,
    connections: scenario.connections,
    callSources: target.callSources ?? scenario.callSources,
    noUpstream: target.noUpstream === true,
  };
}

/** Start → ready check → warm-up → measured window (CPU, calls) → one-connection latency → stop. */
export async function measure(scenario: Scenario, target: Target, round: number, deps: MeasureDeps): Promise<Sample> {
  const base = { scenario: scenario.name, target: target.id, label: target.label, round, flags: [] as string[] };
  const unavailable = target.unavailable?.();
  if (unavailable) return { ...base, skipped: unavailable };
  const load = loadOf(scenario, target);
  let started: Started | undefined;
  try {
    started = target.start(await freePort());
    const first = await waitReady(started, load.spec, 90_000);
    const notYet = target.id === 'junction' ? scenario.notAvailable?.(first) : undefined;
    if (notYet) return { ...base, skipped: notYet };
    await target.prime?.(started, load.spec);
    const result = await (target.window ?? window)(started, load, deps);
    const limit = target.maxCallsPerRequest;
    if (limit && (result.upstreamCallsPerRequest ?? 0) > limit.max) result.flags.push(`${result.upstreamCallsPerRequest!.toFixed(2)} upstream calls/req: ${limit.why}`);
    return { ...base, ...result };
  } catch (err) {
    const message = (err as Error).message;
    if (target.id === 'junction' && scenario.notAvailable && /routes/.test(message)) {
      return { ...base, skipped: `not available yet: the config was refused (${tail(message, 200)})` };
    }
    return { ...base, skipped: `failed: ${tail(message, 400)}` };
  } finally {
    await started?.stop();
  }
}

async function window(started: Started, load: Load, deps: MeasureDeps): Promise<WindowResult> {
  const { timing } = deps;
  const wrk = { url: started.url, spec: load.spec, core: deps.loadCore };
  if (timing.warmupS > 0) await runWrk({ ...wrk, connections: load.connections, durationS: timing.warmupS });

  const loaded = await loadedWindow(started, load, deps, timing.measureS);
  const { result } = loaded;

  // Upstream calls are counted over the one-connection run: at most one request is in flight
  // when it ends, so calls / requests is exact to within one request.
  await settle(load.callSources);
  for (const source of load.callSources) source.resetCalls();
  const latency = await runWrk({ ...wrk, connections: 1, durationS: timing.latencyS });
  const calls = load.callSources.reduce((sum, source) => sum + source.calls.total, 0);
  const peak = peakRss(processTree(started.pid));

  const errors = loaded.errors + latency.badStatus + latency.badBody;
  const flags = loadedFlags(loaded, deps, errors);
  return {
    ...throughputOf(loaded),
    upstreamCallsPerRequest: !load.noUpstream && load.callSources.length > 0 && latency.requests > 0 ? calls / latency.requests : undefined,
    p50Ms: latency.p50Us / 1000,
    p99Ms: latency.p99Us / 1000,
    peakRssBytes: peak,
    errors,
    firstError: result.firstBad || latency.firstBad || undefined,
    flags,
  };
}

export interface LoadedWindow {
  result: WrkResult;
  cpuSeconds: number;
  cpuShare: number;
  core0: number;
  core1: number;
  wallS: number;
  durationS: number;
  errors: number;
}

/**
 * One loaded wrk run with the CPU of the process tree and of both cores around it. `during` runs
 * alongside (the soak samples memory there).
 */
export async function loadedWindow(started: Started, load: Load, deps: MeasureDeps, durationS: number, during?: Promise<unknown>): Promise<LoadedWindow> {
  const ticks0 = treeTicks(processTree(started.pid));
  const cores0 = coreTimes();
  const t0 = process.hrtime.bigint();
  const [result] = await Promise.all([
    runWrk({ url: started.url, spec: load.spec, core: deps.loadCore, connections: load.connections, durationS }),
    during,
  ]);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = (treeTicks(processTree(started.pid)) - ticks0) / deps.ticksPerSecond;
  const busy = coreBusy(cores0, coreTimes());
  return {
    result,
    cpuSeconds,
    cpuShare: cpuSeconds / (result.durationUs / 1e6),
    core0: busy[deps.loadCore] ?? 0,
    core1: busy[deps.busyCore] ?? 0,
    wallS,
    durationS,
    errors: result.badStatus + result.badBody + result.socketErrors + result.timeouts,
  };
}

/** The throughput figures every row reports from its loaded window. */
export function throughputOf(w: LoadedWindow) {
  const { result, cpuSeconds } = w;
  return {
    requests: result.requests,
    rps: result.requests / (result.durationUs / 1e6),
    cpuSeconds,
    rpsPerCpuSecond: cpuSeconds > 0 ? result.requests / cpuSeconds : undefined,
    cpuShare: w.cpuShare,
    core0Busy: w.core0,
    core1Busy: w.core1,
  };
}

/** The harness's flags for a loaded window: the bottleneck was elsewhere, or answers were bad. */
export function loadedFlags(w: LoadedWindow, deps: MeasureDeps, errors: number): string[] {
  const flags: string[] = [];
  if (w.cpuShare < 0.9) flags.push(`process under test at ${pct(w.cpuShare)} CPU`);
  if (w.core0 > 0.85) flags.push(`core ${deps.loadCore} at ${pct(w.core0)}`);
  if (w.core1 - w.cpuShare > 0.1) flags.push(`core ${deps.busyCore} shared: ${pct(w.core1 - w.cpuShare)} used by other processes`);
  if (errors > 0) flags.push(`${errors} bad responses`);
  if (w.wallS > w.durationS * 1.5 + 2) flags.push('window overran');
  return flags;
}

/** Waits until requests left in flight by the loaded window stop reaching the upstreams (≤ 3 s). */
async function settle(callSources: CallSource[]): Promise<void> {
  const total = (): number => callSources.reduce((sum, source) => sum + source.calls.total, 0);
  let last = total();
  for (let i = 0; i < 30; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = total();
    if (now === last) return;
    last = now;
  }
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
