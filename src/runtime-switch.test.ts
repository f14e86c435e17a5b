import type { ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config/index.js';
import { silentLogger } from './logger.js';
import { createReloadStatus, type VersionedConfig } from './reload.js';
import type { RetryScheduler } from './runtime-recovery.js';
import { createRuntimeSwitch } from './runtime-switch.js';
import type { Runtime } from './runtime.js';

const config = parseConfig('server: { port: 0 }', '/tmp/gateway.yaml', { env: {} });

/** A runtime whose route counts requests in flight like the real one, and records its close. */
function fakeRuntime(version: string, log: string[]): Runtime {
  let inFlight = 0;
  const waiting = new Set<() => void>();
  const handler = (_req: unknown, res: ServerResponse) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) for (const done of waiting) done();
    });
  };
  return {
    config, version, sources: [], retrySources: [], upstreams: new Map(), upgrade: undefined,
    composed: undefined as never, schema: undefined as never,
    routes: new Map([['/graphql', handler as never]]),
    handle: handler as never,
    routeGuards: () => undefined,
    policyStats: () => ({}),
    inFlight: () => inFlight,
    drained: () => (inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiting.add(() => resolve()))),
    endTunnels: () => log.push(`tunnels ${version}`),
    close: async () => {
      log.push(`close ${version}`);
    },
  };
}

const noRetries: RetryScheduler = () => () => {};

describe('runtime switch', () => {
  it('routes read the current runtime; a replaced one closes only when its requests in flight are done', async () => {
    const log: string[] = [];
    const first = fakeRuntime('v1', log);
    const second = fakeRuntime('v2', log);
    const switcher = createRuntimeSwitch(first, {
      build: async (next: VersionedConfig) => (next.version === 'v2' ? second : Promise.reject(new Error('bad config'))),
      loadConfig: undefined,
      status: createReloadStatus(() => 0),
      scheduler: noRetries,
      logger: silentLogger(),
    });
    const res = new EventEmitter() as ServerResponse;
    await switcher.routes.get('/graphql')!({} as never, res, 'r1');
    expect(first.inFlight()).toBe(1);

    expect(await switcher.reload({ config, version: 'bad' }, 'test')).toEqual({ ok: false, error: 'bad config' });
    expect(switcher.current()).toBe(first);
    expect(await switcher.reload({ config, version: 'v2' }, 'test')).toEqual({ ok: true, version: 'v2', previous: 'v1' });
    expect(switcher.current()).toBe(second);
    expect(switcher.routes.get('/graphql')).toBe(second.routes.get('/graphql'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual([]);

    res.emit('close');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['close v1']);
    switcher.endTunnels();
    await switcher.close();
    expect(log).toEqual(['close v1', 'tunnels v1', 'tunnels v2', 'close v2']);
  });

  it('reloads run one at a time, in order', async () => {
    const log: string[] = [];
    const runtimes = new Map(['v1', 'v2', 'v3'].map((version) => [version, fakeRuntime(version, log)]));
    const order: string[] = [];
    const switcher = createRuntimeSwitch(runtimes.get('v1')!, {
      build: async (next) => {
        order.push(`build ${next.version}`);
        await new Promise((resolve) => setImmediate(resolve));
        order.push(`built ${next.version}`);
        return runtimes.get(next.version)!;
      },
      loadConfig: undefined,
      status: createReloadStatus(() => 0),
      scheduler: noRetries,
      logger: silentLogger(),
    });
    const results = await Promise.all([switcher.reload({ config, version: 'v2' }, 'a'), switcher.reload({ config, version: 'v3' }, 'b')]);
    expect(order).toEqual(['build v2', 'built v2', 'build v3', 'built v3']);
    expect(results.map((result) => result.ok && result.previous)).toEqual(['v1', 'v2']);
    expect(switcher.current().version).toBe('v3');
    await switcher.close();
  });
});
