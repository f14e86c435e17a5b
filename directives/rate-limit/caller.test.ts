import { describe, expect, it } from 'vitest';
import type { Principal } from '../policy.js';
import { compileRule, parseRateLimitArgs } from './args.js';
import { budgetKey, principalOf, type Caller } from './caller.js';

const principal: Principal = { id: 'iss|alice', scopes: [], claims: {}, method: 'jwt' };
const caller = (over: Partial<Caller> = {}, headers: Record<string, string> = {}): Caller => ({
  principal: undefined,
  clientIp: '10.0.0.1',
  header: (name) => headers[name],
  ...over,
});
const rule = (args: Record<string, unknown>) => compileRule('field:Query.x', parseRateLimitArgs({ minute: 1, ...args }));

describe('rate-limit budget keys', () => {
  it('keys consumer rules by principal, falling back to the client IP for anonymous callers', () => {
    expect(budgetKey(rule({ by: 'CONSUMER' }), caller({ principal }))).toMatch(/:p:jwt:iss\|alice$/);
    expect(budgetKey(rule({ by: 'CONSUMER' }), caller())).toMatch(/:ip:10\.0\.0\.1$/);
  });

  it('keeps callers of different auth methods apart when their ids coincide', () => {
    const consumer: Principal = { id: 'acme', scopes: [], claims: {}, method: 'api-key' };
    const client: Principal = { id: 'acme', scopes: [], claims: {}, method: 'introspection' };
    for (const by of ['CONSUMER', 'SUBJECT']) {
      expect(budgetKey(rule({ by }), caller({ principal: consumer }))).not.toBe(budgetKey(rule({ by }), caller({ principal: client })));
    }
  });

  it('keys API-key rules by the verified consumer, never by the header as sent', () => {
    const consumer: Principal = { id: 'acme', scopes: [], claims: {}, method: 'api-key' };
    const byKey = rule({ by: 'API_KEY' });
    expect(budgetKey(byKey, caller({ principal: consumer }, { 'x-api-key': 'sk_live_secret' }))).toMatch(/:p:api-key:acme$/);
    expect(budgetKey(byKey, caller({}, { 'x-api-key': 'made-up' }))).toMatch(/:ip:10\.0\.0\.1$/);
    expect(budgetKey(byKey, caller({ principal }, { 'x-api-key': 'made-up' }))).toMatch(/:ip:10\.0\.0\.1$/);
  });

  it('hashes header values, and never lets a missing header escape the limit', () => {
    const tenant = rule({ by: 'HEADER', header: 'X-Tenant' });
    expect(budgetKey(tenant, caller({}, { 'x-tenant': 'acme' }))).not.toContain('acme');
    expect(budgetKey(tenant, caller({}, { 'x-tenant': '' }))).toMatch(/:ip:/);
  });

  it('shares one budget for by: field / route', () => {
    const shared = rule({ by: 'FIELD' });
    expect(budgetKey(shared, caller({ clientIp: 'a' }))).toBe(budgetKey(shared, caller({ clientIp: 'b', principal })));
  });

  it('reads the principal defensively from the policy state', () => {
    expect(principalOf({ policy: { principal } })).toBe(principal);
    expect(principalOf({ state: { principal: { id: 42 } } })).toBeUndefined();
    expect(principalOf({ principal })).toBe(principal);
    expect(principalOf(undefined)).toBeUndefined();
  });
});
