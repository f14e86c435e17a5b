import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { silentLogger } from '../src/logger.js';
import { createPolicyEngine } from './index.js';
import type { BodyTap, PolicyModule, RoutePolicy } from './policy.js';
import { createRouteHook } from './route-hook.js';

const config = parseConfig('{}', '/tmp/gateway.yaml', { env: {} });
const deps = { logger: silentLogger(), now: () => 0 };

/** A policy whose route part is a full RoutePolicy: its guard may answer, its after-proxy step taps `maxBytes`. */
function tapping(name: string, seen: string[], maxBytes: number, answers = false): PolicyModule<string> {
  return {
    name,
    typeDefs: '',
    parseArgs: (raw) => String(raw),
    route: (arg): RoutePolicy => ({
      guard: async () => answers,
      afterProxy: (request, response) => {
        response.headers[`x-${name}`] = arg;
        return { maxBytes, onBody: async (body) => void seen.push(`${name}:${request.routeName}:${body.toString()}`) };
      },
    }),
  };
}

const req = () => ({ method: 'GET', url: '/a', headers: {} }) as IncomingMessage;
const res = () => ({ headersSent: false, writableEnded: false, setHeader: () => undefined }) as unknown as ServerResponse;

describe('route hook after-proxy steps', () => {
  it('binds the route request and merges the taps of several policies (each gets bodies within its own cap)', async () => {
    const seen: string[] = [];
    const engine = createPolicyEngine(config, deps, { rateLimit: () => tapping('rateLimit', seen, 3), cache: () => tapping('cache', seen, 10) });
    const hook = createRouteHook(engine, [{ name: 'r1', policies: { rateLimit: 'a', cache: 'b' } }]);
    const result = await hook({ name: 'r1' }, req(), 'id', { res: res(), path: '/a', clientIp: '' });
    expect(result?.answered).toBe(false);
    const headers: Record<string, string> = {};
    const tap = result!.afterProxy!({ status: 200, upstreamHeaders: {}, headers }) as BodyTap;
    expect(headers).toEqual({ 'x-rateLimit': 'a', 'x-cache': 'b' });
    expect(tap.maxBytes).toBe(10);
    await tap.onBody(Buffer.from('abcdef'));
    await tap.onBody(Buffer.from('ab'));
    expect(seen).toEqual(['cache:r1:abcdef', 'rateLimit:r1:ab', 'cache:r1:ab']);
  });

  it('says answered when a guard sent the response, and has nothing for routes without policies', async () => {
    const engine = createPolicyEngine(config, deps, { cache: () => tapping('cache', [], 10, true) });
    const hook = createRouteHook(engine, [{ name: 'hit', policies: { cache: 'x' } }, { name: 'bare' }]);
    expect(await hook({ name: 'hit' }, req(), 'id', { res: res(), path: '/a', clientIp: '' })).toEqual({ answered: true });
    expect(await hook({ name: 'bare' }, req(), 'id', { res: res(), path: '/a', clientIp: '' })).toBeUndefined();
    expect(engine.routePolicy({ cache: 'x' })?.afterProxy).toBeTypeOf('function');
    expect(engine.routeGuards({ cache: 'x' })).toBeTypeOf('function');
  });
});
