import { describe, expect, it } from 'vitest';
import { applyOutcome, freshOutcome, outcomeHeaders } from './outcome.js';

describe('cache outcome headers', () => {
  it('uses whole seconds in Cache-Control and Age, never fractions', () => {
    expect(freshOutcome('PUBLIC', 300, '"e"', 0.081)).toMatchObject({ cacheControl: 'public, max-age=300', age: 1 });
    expect(freshOutcome('PRIVATE', 60, '"e"', 0)).toMatchObject({ cacheControl: 'private, max-age=60', age: 0 });
  });

  it('keeps the entry\'s own max age and lets Age carry how old it is (RFC 9111: a downstream cache subtracts it)', () => {
    expect(freshOutcome('PUBLIC', 60, '"e"', 10)).toMatchObject({ cacheControl: 'public, max-age=60', age: 10 });
    expect(freshOutcome('PUBLIC', 10, '"e"', 12.5)).toMatchObject({ cacheControl: 'public, max-age=10', age: 13 });
  });

  it('an answer just produced for the request has no Age header (RFC 9111 §5.1: Age means it came from a cache)', () => {
    const produced = freshOutcome('PUBLIC', 60, '"e"', undefined);
    expect(outcomeHeaders(produced)).toEqual({ 'cache-control': 'public, max-age=60', etag: '"e"' });
    expect(outcomeHeaders(freshOutcome('PUBLIC', 60, '"e"', 0))).toMatchObject({ age: '0' });
  });

  it('a 304 keeps every header of the 200 but those describing its body (RFC 9110 §15.4.5)', () => {
    const outcome = freshOutcome('PUBLIC', 60, '"e"', 5);
    const request = new Request('http://gateway/graphql', { headers: { 'if-none-match': '"e"' } });
    const ok = new Response('{"data":{}}', {
      headers: { 'content-type': 'application/graphql-response+json', 'content-length': '11', 'ratelimit-limit': '100', 'ratelimit-remaining': '98', 'x-request-id': 'r1' },
    });
    const replaced = applyOutcome(outcome, request, ok, { Response });
    expect(replaced?.status).toBe(304);
    expect(Object.fromEntries(replaced!.headers)).toEqual({
      'cache-control': 'public, max-age=60',
      etag: '"e"',
      age: '5',
      'ratelimit-limit': '100',
      'ratelimit-remaining': '98',
      'x-request-id': 'r1',
    });
  });

  it('leaves a response alone when If-None-Match does not match or the status is not 200', () => {
    const outcome = freshOutcome('PUBLIC', 60, '"e"', undefined);
    const other = new Request('http://gateway/graphql', { headers: { 'if-none-match': '"other"' } });
    const ok = new Response('{}');
    expect(applyOutcome(outcome, other, ok, { Response })).toBeUndefined();
    expect(ok.headers.get('etag')).toBe('"e"');
    const matching = new Request('http://gateway/graphql', { headers: { 'if-none-match': '"e"' } });
    expect(applyOutcome(outcome, matching, new Response('{}', { status: 206 }), { Response })).toBeUndefined();
  });
});
