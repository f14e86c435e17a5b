import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { silentLogger } from '../src/logger.js';
import { createPolicyEngine } from './index.js';
import type { PolicyModule, PolicyState, RouteRequest } from './policy.js';

const config = parseConfig('{}', '/tmp/gateway.yaml', { env: {} });
const deps = { logger: silentLogger(), now: () => 0 };

function recorder(name: string, log: string[], answers = false): PolicyModule<string> {
  return {
    name,
    typeDefs: `directive @${name} on FIELD_DEFINITION`,
    parseArgs: (raw) => {
      if (typeof raw !== 'string') throw new Error(`${name}: expected a string`);
      return raw;
    },
    transform: (schema) => {
      log.push(`transform:${name}`);
      return schema;
    },
    route: (arg) => async () => {
      log.push(`route:${name}:${arg}`);
      return answers;
    },
  };
}

describe('policy engine', () => {
  it('runs policies in the declared order auth → rateLimit → cache, whatever the registration order', async () => {
    const log: string[] = [];
    const engine = createPolicyEngine(config, deps, {
      cache: () => recorder('cache', log, true),
      rateLimit: () => recorder('rateLimit', log),
      auth: () => recorder('auth', log),
    });
    expect(engine.modules.map((module) => module.name)).toEqual(['auth', 'rateLimit', 'cache']);
    expect(engine.typeDefs).toBe('directive @auth on FIELD_DEFINITION\ndirective @rateLimit on FIELD_DEFINITION\ndirective @cache on FIELD_DEFINITION');
    engine.transform({} as never);
    const guard = engine.routeGuards({ cache: 'c', auth: 'a', rateLimit: 'r' })!;
    const state: PolicyState = { principal: undefined, clientIp: '', responseHeaders: {} };
    expect(await guard({ state } as RouteRequest)).toBe(true);
    expect(log).toEqual(['transform:auth', 'transform:rateLimit', 'transform:cache', 'route:auth:a', 'route:rateLimit:r', 'route:cache:c']);
  });

  it('an auth refusal stops the chain: no rate-limit budget spent, no cache lookup', async () => {
    const log: string[] = [];
    const engine = createPolicyEngine(config, deps, {
      auth: () => ({ ...recorder('auth', log), route: () => async () => { throw new Error('401'); } }),
      rateLimit: () => recorder('rateLimit', log),
    });
    await expect(engine.routeGuards({ auth: 'a', rateLimit: 'r' })!({} as RouteRequest)).rejects.toThrow('401');
    expect(log).toEqual([]);
  });

  it('runs the default part of policies a block does not name, told what the route needs of the caller', async () => {
    const log: string[] = [];
    const engine = createPolicyEngine(config, deps, {
      auth: () => ({ ...recorder('auth', log), routeDefault: (need) => (need === 'none' ? undefined : async () => void log.push(`identify:${need}`)) }),
      rateLimit: () => ({ ...recorder('rateLimit', log), routeCaller: (arg) => (arg === 'per-consumer' ? 'any' : 'apiKey'), routeDefault: () => async () => void log.push('plan') }),
      cache: () => ({ ...recorder('cache', log), routeCaller: () => 'none' }),
    });
    await engine.routeGuards({ rateLimit: 'per-consumer' })!({} as RouteRequest);
    await engine.routeGuards(undefined)!({} as RouteRequest);
    await engine.routeGuards({ auth: 'a', cache: 'c' })!({} as RouteRequest);
    expect(log).toEqual(['identify:any', 'route:rateLimit:per-consumer', 'identify:apiKey', 'plan', 'route:auth:a', 'plan', 'route:cache:c']);
  });

  it('rejects unknown policies, disabled ones and bad arguments when the route is built', () => {
    const engine = createPolicyEngine(config, deps, { auth: () => recorder('auth', []), rateLimit: () => undefined });
    expect(() => engine.routeGuards({ firewall: 'x' })).toThrow(/unknown policy "firewall"/);
    expect(() => engine.routeGuards({ rateLimit: 'x' })).toThrow(/not enabled/);
    expect(() => engine.routeGuards({ auth: 42 })).toThrow(/expected a string/);
    expect(engine.routeGuards(undefined)).toBeUndefined();
    expect(engine.routeGuards({})).toBeUndefined();
  });

  it('the default registry always has auth (directives in subgraph SDL are enforced without config)', async () => {
    const engine = createPolicyEngine(config, deps);
    expect(engine.modules[0]?.name).toBe('auth');
    expect([...engine.stripRequestHeaders]).toEqual(['x-junction-subject', 'x-junction-scopes', 'x-junction-consumer']);
    expect(engine.plugins().length).toBeGreaterThanOrEqual(2);
    await engine.close();
  });
});
