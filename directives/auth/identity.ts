import type { IdentityHeadersConfig } from '../../src/config/auth.js';
import type { PolicyState, Principal } from '../policy.js';

type Identity = NonNullable<PolicyState['identity']>;

/**
 * The identity headers upstreams receive: subject (JWT `sub`, or the consumer/subject id),
 * scopes (space-separated) and consumer (API-key consumer, or the OAuth client `azp`/`client_id`).
 * The same names are stripped from what the client sent, for anonymous callers too.
 */
export function createIdentity(config: IdentityHeadersConfig): (principal: Principal | undefined) => Identity {
  const strip: ReadonlySet<string> = new Set([config.subject, config.scopes, config.consumer]);
  const anonymous: Identity = Object.freeze({ headers: Object.freeze({}), strip });
  const memo = new WeakMap<Principal, Identity>();
  return function identityOf(principal) {
    if (principal === undefined) return anonymous;
    let identity = memo.get(principal);
    if (identity === undefined) {
      identity = { headers: headersOf(config, principal), strip };
      memo.set(principal, identity);
    }
    return identity;
  };
}

function headersOf(config: IdentityHeadersConfig, principal: Principal): Record<string, string> {
  const headers: Record<string, string> = {};
  const sub = principal.claims['sub'];
  headers[config.subject] = headerSafe(principal.method !== 'api-key' && typeof sub === 'string' ? sub : principal.id);
  if (principal.scopes.length > 0) headers[config.scopes] = headerSafe(principal.scopes.join(' '));
  const consumer = principal.method === 'api-key' ? principal.id : principal.claims['azp'] ?? principal.claims['client_id'];
  if (typeof consumer === 'string') headers[config.consumer] = headerSafe(consumer);
  return headers;
}

/** Claims are caller-influenced: anything outside visible ASCII is percent-encoded, so no header can be split or refused. */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]|%/gu, (char) => encodeURIComponent(char)).trim();
}
