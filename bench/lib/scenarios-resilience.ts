import { FLAT_MARKER, FLAT_QUERY, graphqlSpec } from './request-specs.js';
import { probe, type Started } from './process.js';
import type { Scenario, ScenarioMocks } from './scenarios.js';
import { soakWindow } from './soak.js';
import { junction, type BenchContext } from './targets.js';
import type { RequestSpec } from './wrk.js';

export const CIRCUIT_OPEN_MARKER = '"code":"UPSTREAM_CIRCUIT_OPEN"';

/** A burst of sequential requests until the answers say the circuit is open (at most 100). */
async function openBreaker(started: Started, spec: RequestSpec): Promise<void> {
  let last = '';
  for (let i = 0; i < 100; i++) {
    const answer = await probe(started.url, spec);
    if (answer.status === 200 && answer.body.includes(CIRCUIT_OPEN_MARKER)) return;
    last = `${answer.status} ${answer.body.slice(0, 200)}`;
  }
  throw new Error(`the breaker did not open after 100 requests to a closed port (last answer: ${last})`);
}

/**
 * Scenario 5: (a) fast fail with the breaker open, (b) retries of 10% of first attempts, both as
 * ratios to the flat query against a healthy upstream in the same round; (c) memory over a soak.
 */
export function resilienceScenario(ctx: BenchContext, dir: string, mocks: ScenarioMocks): Scenario {
  const flat = graphqlSpec(dir, 'resilience-flat', FLAT_QUERY, FLAT_MARKER);
  return {
    name: 'resilience',
    title: '5. resilience fast paths: breaker-open fast fail, retries of 10% of first attempts, memory over a soak',
    reference: 'junction',
    connections: 32,
    spec: flat,
    callSources: [mocks.products],
    derived: [
      { label: 'fast fail (breaker open) vs a success', kind: 'ratio', a: 'junction+breaker-open', b: 'junction' },
      { label: '10% of first attempts retried vs 0%', kind: 'cpu-overhead', a: 'junction+retry-10', b: 'junction' },
    ],
    targets: [
      junction(ctx, 'flat.yaml', { label: 'flat query, upstream healthy (0% failures)' }),
      junction(ctx, 'flat.yaml', {
        variant: 'retry-10',
        label: 'flat query, 10% of first attempts answer 503 (retried)',
        env: () => ({ PRODUCTS_URL: ctx.urls.productsFlaky! }),
        callSources: [mocks.productsFlaky],
      }),
      junction(ctx, 'resilience-breaker.yaml', {
        variant: 'breaker-open',
        label: 'breaker open: upstream on a closed port, UPSTREAM_CIRCUIT_OPEN',
        env: () => ({ DEAD_URL: ctx.urls.dead! }),
        spec: { ...flat, marker: CIRCUIT_OPEN_MARKER, status: 200 },
        callSources: [],
        prime: openBreaker,
      }),
      junction(ctx, 'flat.yaml', { variant: 'soak', label: 'memory soak, flat query (first round only)', window: soakWindow, once: true }),
    ],
  };
}
