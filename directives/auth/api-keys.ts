import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeysConfig } from '../../src/config/auth.js';
import type { Principal } from '../policy.js';

export interface ApiKeyVerifier {
  /** The consumer owning this key, or undefined. Always compares against every stored hash. */
  verify(key: string): Principal | undefined;
}

/**
 * API keys stored as SHA-256 hashes, each mapped to a consumer (id, scopes, plan). The presented
 * key is hashed once and compared with every stored hash in constant time, without stopping at
 * the first match, so timing says nothing about which hash matched or how closely.
 */
export function createApiKeyVerifier(config: ApiKeysConfig): ApiKeyVerifier {
  const consumers = config.consumers.map((consumer) => ({
    hash: Buffer.from(consumer.keySha256, 'hex'),
    principal: Object.freeze<Principal>({
      id: consumer.id,
      scopes: Object.freeze([...consumer.scopes]),
      ...(consumer.plan === undefined ? {} : { plan: consumer.plan }),
      claims: Object.freeze({ consumer: consumer.id, ...(consumer.plan === undefined ? {} : { plan: consumer.plan }) }),
      method: 'api-key',
    }),
  }));
  return {
    verify(key) {
      const hash = createHash('sha256').update(key).digest();
      let found: Principal | undefined;
      for (const consumer of consumers) {
        if (timingSafeEqual(hash, consumer.hash) && found === undefined) found = consumer.principal;
      }
      return found;
    },
  };
}
