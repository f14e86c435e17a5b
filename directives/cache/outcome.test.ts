import { describe, expect, it } from 'vitest';
import { freshOutcome } from './outcome.js';

describe('cache outcome headers', () => {
  it('uses whole seconds in Cache-Control and Age, never fractions', () => {
    expect(freshOutcome('PUBLIC', 300, '"e"', 0.081)).toMatchObject({ cacheControl: 'public, max-age=299', age: 1 });
    expect(freshOutcome('PRIVATE', 60, '"e"', 0)).toMatchObject({ cacheControl: 'private, max-age=60', age: 0 });
    expect(freshOutcome('PUBLIC', 10, '"e"', 12.5).cacheControl).toBe('public, max-age=0');
  });
});
