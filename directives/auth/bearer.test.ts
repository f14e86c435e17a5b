import { describe, expect, it } from 'vitest';
import { bearerOf, bearerToken } from './bearer.js';

const headersOf = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

describe('bearer credential', () => {
  it('takes the token after the scheme, whatever its case and the whitespace around it', () => {
    expect(bearerOf('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerOf('bearer abc')).toBe('abc');
    expect(bearerOf('BEARER \t abc  ')).toBe('abc');
    expect(bearerOf('  Bearer abc')).toBe('abc');
    expect(bearerOf('Bearer\tabc')).toBe('abc');
    expect(bearerOf('Bearer\u00a0abc')).toBe('abc');
  });

  it('reads the bare scheme as an empty token (refused later), and other schemes as not ours', () => {
    expect(bearerOf('Bearer')).toBe('');
    expect(bearerOf('Bearer   ')).toBe('');
    expect(bearerOf('Bearerabc')).toBeUndefined();
    expect(bearerOf('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerOf('Bear')).toBeUndefined();
    expect(bearerOf('')).toBeUndefined();
  });

  it('falls back to the named cookie when no bearer header is sent', () => {
    expect(bearerToken(headersOf({ cookie: 'a=1; session=tok; b=2' }), 'session')).toBe('tok');
    expect(bearerToken(headersOf({ authorization: 'Basic x', cookie: 'session=tok' }), 'session')).toBe('tok');
    expect(bearerToken(headersOf({ authorization: 'Bearer hdr', cookie: 'session=hdr' }), 'session')).toBe('hdr');
    expect(bearerToken(headersOf({ authorization: 'Bearer hdr', cookie: 'other=tok' }), 'session')).toBe('hdr');
    expect(bearerToken(headersOf({ cookie: 'session=tok' }), undefined)).toBeUndefined();
    expect(bearerToken(headersOf({}), 'session')).toBeUndefined();
  });

  it('refuses the auth cookie sent twice with different values; the same value twice is one cookie', () => {
    expect(() => bearerToken(headersOf({ cookie: 'session=A; x=1; session=B' }), 'session')).toThrow(/session cookie is sent more than once/);
    expect(bearerToken(headersOf({ cookie: 'session=A; session=A' }), 'session')).toBe('A');
    // Only the configured cookie counts: other names may repeat.
    expect(bearerToken(headersOf({ cookie: 'x=1; session=A; x=2' }), 'session')).toBe('A');
  });

  it('refuses different tokens in Authorization and the auth cookie, as Kong refuses multiple tokens', () => {
    expect(() => bearerToken(headersOf({ authorization: 'Bearer A', cookie: 'session=B' }), 'session')).toThrow(/different tokens/);
    // Without a configured cookie, cookies are not credentials of the gateway's.
    expect(bearerToken(headersOf({ authorization: 'Bearer A', cookie: 'session=B' }), undefined)).toBe('A');
  });

  it('counts a cookie named like the auth cookie up to case or percent-encoding as it (some servers read it so)', () => {
    expect(() => bearerToken(headersOf({ cookie: 'session=A; SESSION=B' }), 'session')).toThrow(/more than once/);
    expect(() => bearerToken(headersOf({ cookie: 'session=A; %73ession=B' }), 'session')).toThrow(/more than once/);
    expect(() => bearerToken(headersOf({ authorization: 'Bearer A', cookie: 'Session=B' }), 'session')).toThrow(/different tokens/);
    expect(bearerToken(headersOf({ cookie: 'Session=A' }), 'session')).toBe('A');
    expect(bearerToken(headersOf({ cookie: 'sessions=A; %zz=1' }), 'session')).toBeUndefined();
  });
});
