import { coreBusy, coreTimes, peakRss, processTree, treeTicks } from './sys.js';
import { freePort, tail, waitReady, type Started } from './process.js';
import type { Scenario } from './scenarios.js';
import type { Target } from './targets.js';
import { runWrk } from './wrk.js';

export interface Timing {
  warmupS: number;
  measureS: number;
  latencyS: number;
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
  flags: string[];
}

export interface MeasureDeps {
  ticksPerSecond: number;
  loadCore: number;
  busyCore: number;
  timing: Timing;
  log(line: string): void;
}

/** Start → ready check → warm-up → measured window (CPU, calls) → one-connection latency → stop. */
export async function measure(scenario: Scenario, target: Target, round: number, deps: MeasureDeps): Promise<Sample> {
  const base = { scenario: scenario.name, target: target.id, label: target.label, round, flags: [] as string[] };
  const unavailable = target.unavailable?.();
  if (unavailable) return { ...base, skipped: unavailable };
  let started: Started | undefined;
  try {
    started = target.start(await freePort());
    const first = await waitReady(started, scenario.spec, 90_000);
    const notYet = target.id === 'junction' ? scenario.notAvailable?.(first) : undefined;
    if (notYet) return { ...base, skipped: notYet };
    return { ...base, ...(await window(scenario, started, deps, target.noUpstream === true)) };
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

async function window(scenario: Scenario, started: Started, deps: MeasureDeps, noUpstream: boolean): Promise<Omit<Sample, 'scenario' | 'target' | 'label' | 'round'>> {
  const { timing } = deps;
  const load = { url: started.url, spec: scenario.spec, core: deps.loadCore };
  if (timing.warmupS > 0) await runWrk({ ...load, connections: scenario.connections, durationS: timing.warmupS });

  const pids = processTree(started.pid);
  const ticks0 = treeTicks(pids);
  const cores0 = coreTimes();
  const t0 = process.hrtime.bigint();
  const result = await runWrk({ ...load, connections: scenario.connections, durationS: timing.measureS });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = (treeTicks(processTree(started.pid)) - ticks0) / deps.ticksPerSecond;
  const busy = coreBusy(cores0, coreTimes());

  // Upstream calls are counted over the one-connection run: at most one request is in flight
  // when it ends, so calls / requests is exact to within one request.
  await settle(scenario);
  for (const source of scenario.callSources) source.resetCalls();
  const latency = await runWrk({ ...load, connections: 1, durationS: timing.latencyS });
  const calls = scenario.callSources.reduce((sum, source) => sum + source.calls.total, 0);
  const peak = peakRss(processTree(started.pid));

  const errors = result.badStatus + result.badBody + result.socketErrors + result.timeouts + latency.badStatus + latency.badBody;
  const cpuShare = cpuSeconds / (result.durationUs / 1e6);
  const flags: string[] = [];
  if (cpuShare < 0.9) flags.push(`process under test at ${pct(cpuShare)} CPU`);
  const core0 = busy[deps.loadCore] ?? 0;
  const core1 = busy[deps.busyCore] ?? 0;
  if (core0 > 0.85) flags.push(`core ${deps.loadCore} at ${pct(core0)}`);
  if (core1 - cpuShare > 0.1) flags.push(`core ${deps.busyCore} shared: ${pct(core1 - cpuShare)} used by other processes`);
  if (errors > 0) flags.push(`${errors} bad responses`);
  if (wallS > timing.measureS * 1.5 + 2) flags.push('window overran');
  return {
    requests: result.requests,
    rps: result.requests / (result.durationUs / 1e6),
    cpuSeconds,
    rpsPerCpuSecond: cpuSeconds > 0 ? result.requests / cpuSeconds : undefined,
    cpuShare,
    core0Busy: core0,
    core1Busy: core1,
    upstreamCallsPerRequest: !noUpstream && scenario.callSources.length > 0 && latency.requests > 0 ? calls / latency.requests : undefined,
    p50Ms: latency.p50Us / 1000,
    p99Ms: latency.p99Us / 1000,
    peakRssBytes: peak,
    errors,
    firstError: result.firstBad || latency.firstBad || undefined,
    flags,
  };
}

/** Waits until requests left in flight by the loaded window stop reaching the upstreams (≤ 3 s). */
async function settle(scenario: Scenario): Promise<void> {
  const total = (): number => scenario.callSources.reduce((sum, source) => sum + source.calls.total, 0);
  let last = total();
  for (let i = 0; i < 30; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = total();
    if (now === last) return;
    last = now;
  }
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
