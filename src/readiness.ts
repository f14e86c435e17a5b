import type { Readiness, SourceReadiness } from './http/health.js';
import type { ReloadReport } from './reload.js';
import type { LoadedSource } from './sources/index.js';
import type { BreakerSnapshot, TargetSnapshot, Upstream } from './upstream/index.js';

/** Per upstream: its circuit breaker and how many of its targets take traffic. */
export interface UpstreamReadiness {
  name: string;
  breaker: BreakerSnapshot;
  targets: { total: number; available: number };
}

export interface GatewayReadiness extends Readiness {
  upstreams: UpstreamReadiness[];
  /** Short hash of the config file in use (see src/reload.ts). */
  configVersion?: string;
  /** Reload counts and the last reload error. */
  reloads?: ReloadReport;
}

export interface ReadinessOptions {
  /** Health older than this is refreshed by a probe. Default 5 s. */
  staleAfterMs?: number;
  /** Time a probe may take. Default 1 s. */
  probeTimeoutMs?: number;
  now?: () => number;
  /** Config version and reload history, added to every report. */
  config?: () => { configVersion: string; reloads: ReloadReport };
}

/**
 * Reports, per source, whether its schema is served and its upstream answers. Stale health is
 * refreshed by a short probe, all upstreams at once, so /readyz answers within one probe time.
 */
export function createReadiness(
  sources: () => readonly LoadedSource[],
  upstreamsOf: () => ReadonlyMap<string, Upstream>,
  isServing: () => boolean,
  options: ReadinessOptions = {},
): () => Promise<GatewayReadiness> {
  const staleAfterMs = options.staleAfterMs ?? 5_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
  const now = options.now ?? Date.now;

  return async function readiness() {
    const upstreams = upstreamsOf();
    await Promise.all([...upstreams.values()].map((upstream) => {
      const { checkedAt } = upstream.health();
      return checkedAt === undefined || now() - checkedAt > staleAfterMs ? upstream.probe(probeTimeoutMs) : undefined;
    }));
    const report = sources().map((source): SourceReadiness => {
      const health = upstreams.get(source.config.upstream)?.health();
      const entry: SourceReadiness = {
        name: source.name,
        upstream: source.config.upstream,
        loaded: source.subschema !== undefined,
        reachable: health?.reachable ?? null,
      };
      const error = source.error !== undefined ? 'SCHEMA_UNAVAILABLE' : health?.lastError;
      if (error !== undefined) entry.error = error;
      return entry;
    });
    const upstreamReport = [...upstreams.values()].map(upstreamReadiness);
    const healthy = report.every((source) => source.loaded && source.reachable !== false)
      && upstreamReport.every((upstream) => upstream.breaker.state === 'closed');
    const status = !isServing() ? 'unavailable' : healthy ? 'ready' : 'degraded';
    return { status, sources: report, upstreams: upstreamReport, ...options.config?.() };
  };
}

function upstreamReadiness(upstream: Upstream): UpstreamReadiness {
  const targets = upstream.targets();
  const available = targets.filter(takesTraffic).length;
  return { name: upstream.name, breaker: upstream.breaker(), targets: { total: targets.length, available } };
}

/** A target the balancer sends requests to: passing health checks and not ejected. */
export function takesTraffic(target: TargetSnapshot): boolean {
  return target.healthy && !target.ejected;
}
