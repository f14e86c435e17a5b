import { describe, expect, it } from 'vitest';
import { parseConfig } from './index.js';

const onFieldDeniedOf = (yaml: string): string => parseConfig(yaml, '/cfg/gateway.yaml', { env: {} }).auth.onFieldDenied;

describe('auth.onFieldDenied', () => {
  it('takes YAML null, as the docs write it, for the null mode', () => {
    expect(onFieldDeniedOf('auth:\n  onFieldDenied: null   # the field is null with an error\n')).toBe('null');
    expect(onFieldDeniedOf('auth:\n  onFieldDenied: ~\n')).toBe('null');
    expect(onFieldDeniedOf('auth:\n  onFieldDenied: "null"\n')).toBe('null');
  });

  it('defaults to reject and refuses other values', () => {
    expect(onFieldDeniedOf('auth: {}\n')).toBe('reject');
    expect(onFieldDeniedOf('auth:\n  onFieldDenied: reject  # or null\n')).toBe('reject');
    expect(() => onFieldDeniedOf('auth:\n  onFieldDenied: allow\n')).toThrow(/onFieldDenied/);
  });
});
