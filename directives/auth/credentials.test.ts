import { describe, expect, it } from 'vitest';
import type { Principal } from '../policy.js';
import { createCredentialCheck } from './credentials.js';

const principal = (method: Principal['method']): Principal => ({ id: 'p', scopes: [], claims: {}, method });
const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

describe('whether a principal accounts for the credentials a request carries', () => {
  const check = createCredentialCheck({ apiKeys: { header: 'x-api-key', consumers: [] }, jwt: { issuers: [], cookie: 'session', clockToleranceSeconds: 0 } } as never);

  it('an API-key consumer accounts for its key alone', () => {
    expect(check(principal('api-key'), headers({ 'x-api-key': 'k' }))).toBe(true);
    expect(check(principal('api-key'), headers({ 'x-api-key': 'k', authorization: 'Bearer t' }))).toBe(false);
    expect(check(principal('api-key'), headers({ 'x-api-key': 'k', cookie: 'session=t' }))).toBe(false);
  });

  it('a bearer-token principal accounts for the Authorization or auth cookie it came from, nothing beside it', () => {
    for (const method of ['jwt', 'introspection'] as const) {
      expect(check(principal(method), headers({ authorization: 'Bearer t' }))).toBe(true);
      expect(check(principal(method), headers({ authorization: 'Bearer t', cookie: 'other=1' }))).toBe(false);
      expect(check(principal(method), headers({ authorization: 'Basic dTpw', cookie: 'session=t' }))).toBe(false);
      expect(check(principal(method), headers({ cookie: 'session=t' }))).toBe(true);
      expect(check(principal(method), headers({ cookie: 'session=t; tracking=1' }))).toBe(false);
      // The auth cookie twice: an upstream may read either one.
      expect(check(principal(method), headers({ cookie: 'session=t; session=u' }))).toBe(false);
      expect(check(principal(method), headers({ cookie: 'session=t; SESSION=u' }))).toBe(false);
      expect(check(principal(method), headers({ cookie: 'Session=t' }))).toBe(true);
    }
  });

  it('without a configured auth cookie, no cookie is accounted for', () => {
    expect(createCredentialCheck({})(principal('jwt'), headers({ cookie: 'session=t' }))).toBe(false);
    expect(createCredentialCheck({})(principal('jwt'), headers({}))).toBe(true);
  });
});
