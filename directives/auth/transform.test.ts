import { buildSchema, parse, subscribe } from 'graphql';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import type { Principal } from '../policy.js';
import { collectRequirements } from './requirements.js';
import { AUTH_TYPE_DEFS } from './sdl.js';
import { guardResolvers } from './transform.js';

const schema = buildSchema(`${AUTH_TYPE_DEFS}
  type Query { open: Int }
  type Subscription { priceChanged: Int @authenticated }
`);
let opened = 0;
schema.getSubscriptionType()!.getFields()['priceChanged']!.subscribe = async function* priceChanges() {
  opened++;
  yield { priceChanged: 42 };
};
const guarded = guardResolvers(schema, collectRequirements(schema, {}, silentLogger()), 'junction');
const contextOf = (principal: Principal | undefined) => ({ requestId: 'r1', clientHeaders: { get: () => null }, signal: undefined, policy: { principal, clientIp: '', responseHeaders: {} } });

describe('guarded resolvers (onFieldDenied: null)', () => {
  it('refuses a protected subscription before it is opened, and opens it for a caller who qualifies', async () => {
    const document = parse('subscription { priceChanged }');
    const refused = await subscribe({ schema: guarded, document, contextValue: contextOf(undefined) });
    expect('errors' in refused && (refused.errors?.[0]?.originalError as { code?: string } | undefined)?.code).toBe('UNAUTHENTICATED');
    expect(opened).toBe(0);

    const events = await subscribe({ schema: guarded, document, contextValue: contextOf({ id: 'jwt:a', scopes: [], claims: {}, method: 'jwt' }) });
    if (!(Symbol.asyncIterator in events)) throw new Error(`expected a stream, got ${JSON.stringify(events)}`);
    const first = await events.next();
    expect(first.value).toEqual({ data: { priceChanged: 42 } });
    expect(opened).toBe(1);
  });
});
