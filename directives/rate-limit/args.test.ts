import { describe, expect, it } from 'vitest';
import { compileRule, parseRateLimitArgs } from './args.js';

describe('rate-limit arguments', () => {
  it('reads the SDL enum and the config name alike, with defaults', () => {
    expect(parseRateLimitArgs({ second: 5, hour: 1000, by: 'API_KEY' })).toEqual({ second: 5, hour: 1000, by: 'apiKey', cost: 1 });
    expect(parseRateLimitArgs({ minute: 3, by: 'apiKey', cost: 3 })).toMatchObject({ by: 'apiKey', cost: 3 });
    expect(parseRateLimitArgs({ day: 9 })).toMatchObject({ by: 'ip', cost: 1 });
    expect(parseRateLimitArgs({ day: 9, header: null })).toMatchObject({ day: 9 });
  });

  it('rejects rules with no window, a header without by: header, negative limits and unknown names, listing every problem', () => {
    expect(() => parseRateLimitArgs({ by: 'IP' })).toThrow(/at least one of second/);
    expect(() => parseRateLimitArgs({ second: 1, header: 'x-tenant' })).toThrow(/header/);
    expect(() => parseRateLimitArgs({ second: 1, by: 'HEADER' })).toThrow(/"header" is required/);
    expect(() => parseRateLimitArgs({ second: -1, by: 'nobody' })).toThrow(/second.*; by/);
    expect(() => parseRateLimitArgs({ second: 1, perSecond: 1 })).toThrow(/perSecond/);
  });

  it('compiles windows in order and an id that depends on the attachment, not on the limits', () => {
    const rule = compileRule('field:Query.products', parseRateLimitArgs({ hour: 1000, second: 5 }));
    expect(rule.windows).toEqual([{ windowMs: 1_000, limit: 5 }, { windowMs: 3_600_000, limit: 1000 }]);
    expect(compileRule('field:Query.products', parseRateLimitArgs({ hour: 7 })).id).toBe(rule.id);
    expect(compileRule('field:Query.users', parseRateLimitArgs({ hour: 7 })).id).not.toBe(rule.id);
  });
});
