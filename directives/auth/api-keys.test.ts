import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiKeysSchema } from '../../src/config/auth.js';
import { createApiKeyVerifier } from './api-keys.js';

const sha = (key: string): string => createHash('sha256').update(key).digest('hex');

describe('API keys', () => {
  const config = apiKeysSchema.parse({
    consumers: [
      { id: 'acme', keySha256: sha('acme-key-123'), scopes: ['orders:read'], plan: 'gold' },
      { id: 'globex', keySha256: sha('globex-key-456').toUpperCase() },
    ],
  });
  const keys = createApiKeyVerifier(config);

  it('maps a good key to its consumer (id, scopes, plan)', () => {
    expect(keys.verify('acme-key-123')).toMatchObject({ id: 'acme', scopes: ['orders:read'], plan: 'gold', method: 'api-key' });
    expect(keys.verify('globex-key-456')).toMatchObject({ id: 'globex', scopes: [] });
  });

  it('refuses unknown keys, near misses and the stored hash itself', () => {
    expect(keys.verify('acme-key-124')).toBeUndefined();
    expect(keys.verify('')).toBeUndefined();
    expect(keys.verify(sha('acme-key-123'))).toBeUndefined();
  });

  it('defaults the header to x-api-key and rejects malformed hashes', () => {
    expect(config.header).toBe('x-api-key');
    expect(() => apiKeysSchema.parse({ consumers: [{ id: 'x', keySha256: 'plain-text-key' }] })).toThrow();
  });
});
