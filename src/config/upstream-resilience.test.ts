import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './index.js';

function upstreamOf(yaml: string) {
  return parseConfig(`upstreams:\n  users:\n${yaml.replace(/^/gm, '    ')}\n`, '/tmp/gateway.yaml', { env: {} }).upstreams['users']!;
}

function issuesOf(yaml: string): readonly string[] {
  try {
    upstreamOf(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe('upstream resilience config', () => {
  it('gives a url-only upstream a breaker, retries and a deadline by default', () => {
    const upstream = upstreamOf('url: http://users:4001');
    expect(upstream.circuitBreaker).toMatchObject({ enabled: true, consecutiveFailures: 5, openMs: 5_000, halfOpenProbes: 1 });
    expect(upstream.retry).toMatchObject({ maxRetries: 2, retryNonIdempotent: false, budget: { ratio: 0.2, minRetries: 10 } });
    expect(upstream.balancer).toBe('round-robin');
    expect(upstream.deadlineMs).toBeUndefined();
    expect(upstream.healthCheck).toBeUndefined();
  });

  it('accepts the short breaker form: timeout is the open time, max_failures the threshold', () => {
    const upstream = upstreamOf('url: http://users:4001\ncircuitBreaker: { timeout: 7000, max_failures: 3 }');
    expect(upstream.circuitBreaker).toMatchObject({ openMs: 7_000, consecutiveFailures: 3 });
    expect(upstream.circuitBreaker).not.toHaveProperty('timeout');
  });

  it('accepts the full form with failure-rate mode', () => {
    const upstream = upstreamOf('url: http://users:4001\ncircuitBreaker: { consecutiveFailures: 0, failureRate: 0.5, minimumRequests: 50, windowMs: 30000, openMs: 10000, halfOpenProbes: 3 }');
    expect(upstream.circuitBreaker).toMatchObject({ consecutiveFailures: 0, failureRate: 0.5, minimumRequests: 50, halfOpenProbes: 3 });
  });

  it('takes targets instead of url, with weights', () => {
    const upstream = upstreamOf('balancer: weighted\ntargets:\n  - { url: http://a:1, weight: 3 }\n  - { url: http://b:1 }');
    expect(upstream.targets).toEqual([{ url: 'http://a:1', weight: 3 }, { url: 'http://b:1', weight: 1 }]);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf('circuitBreaker: { timeout: 1, openMs: 2, max_failures: 1, consecutiveFailures: 2, bogus: 1 }\nbalancer: random\nretry: { onStatus: [404] }');
    expect(issues.join('\n')).toMatch(/upstreams\.users\.url: an upstream needs "url" or "targets"/);
    expect(issues.join('\n')).toMatch(/balancer/);
    expect(issues.join('\n')).toMatch(/retry\.onStatus/);
    expect(issues.join('\n')).toMatch(/circuitBreaker/);
  });

  it('rejects mixing the short and full breaker forms', () => {
    expect(issuesOf('url: http://users:4001\ncircuitBreaker: { timeout: 1, openMs: 2 }').join('\n')).toMatch(/either "timeout" or "openMs"/);
    expect(issuesOf('url: http://users:4001\ncircuitBreaker: { max_failures: 1, consecutiveFailures: 2 }').join('\n')).toMatch(/either "max_failures"/);
  });
});
