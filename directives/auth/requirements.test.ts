import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import type { Principal } from '../policy.js';
import { deniedFieldCheck, evaluate } from './evaluate.js';
import { createPlanner } from './plan.js';
import { collectRequirements } from './requirements.js';
import { AUTH_TYPE_DEFS } from './sdl.js';

const schema = buildSchema(`${AUTH_TYPE_DEFS}
  interface Priced { price: Int @requiresScopes(scopes: [["price:read"]]) }
  interface Stocked @authenticated { stock: Int }
  interface Rated implements Stocked { stock: Int rating: Int }
  type Product implements Priced & Rated & Stocked {
    id: ID!
    price: Int @requiresScopes(scopes: [["catalog:read"]])
    stock: Int
    rating: Int
  }
  type Gift implements Priced { price: Int }
  type Query { priced: Priced product: Product gift: Gift }
`);
const index = collectRequirements(schema, { 'Priced.price': { requiresClaim: [{ claim: 'tier', values: ['gold'] }] } }, silentLogger());
const caller = (scopes: string[], claims: Record<string, unknown> = {}): Principal => ({ id: 'p', scopes, claims, method: 'jwt' });

describe('requirements through interfaces', () => {
  it('an implementation field needs what its interface writes on the field, and its own rule too', () => {
    const rule = index.get('Product.price')!;
    const everything = caller(['price:read', 'catalog:read'], { tier: 'gold' });
    expect(evaluate(rule, everything)).toBeUndefined();
    expect(evaluate(rule, caller(['price:read', 'catalog:read']))).toBe('FORBIDDEN');
    expect(evaluate(rule, caller(['price:read'], { tier: 'gold' }))).toBe('FORBIDDEN');
    expect(evaluate(rule, caller(['catalog:read'], { tier: 'gold' }))).toBe('FORBIDDEN');
    expect(evaluate(index.get('Gift.price')!, caller(['price:read'], { tier: 'gold' }))).toBeUndefined();
    expect(evaluate(index.get('Gift.price')!, caller([], { tier: 'gold' }))).toBe('FORBIDDEN');
  });

  it('a rule on an interface type holds on the fields it declares, on every implementation and sub-interface', () => {
    expect(index.get('Product.stock')).toEqual({ scopes: [], claims: [] });
    expect(index.get('Rated.stock')).toEqual({ scopes: [], claims: [] });
    expect(index.has('Rated.rating')).toBe(false);
    expect(index.has('Product.rating')).toBe(false);
    expect(index.has('Product.id')).toBe(false);
  });

  it('the interface field still needs what every implementation asks', () => {
    const rule = index.get('Priced.price')!;
    expect(evaluate(rule, caller(['price:read'], { tier: 'gold' }))).toBe('FORBIDDEN');
    expect(evaluate(rule, caller(['price:read', 'catalog:read'], { tier: 'gold' }))).toBeUndefined();
  });

  it('the planner and the denied-field check see the same rule, however the field is selected', () => {
    const plan = createPlanner(schema, index);
    expect(plan(parse('{ product { price } }'), undefined).map((entry) => entry.coordinate)).toEqual(['Product.price']);
    expect(plan(parse('{ priced { ... on Gift { price } } }'), undefined).map((entry) => entry.coordinate)).toEqual(['Gift.price']);
    const denied = deniedFieldCheck(index, caller(['catalog:read'], { tier: 'gold' }));
    expect(denied('Product.price')).toBe(true);
    expect(denied('Product.rating')).toBe(false);
  });
});
