import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { entryTags } from './entities.js';
import { createPlanCache } from './plans.js';
import { purgeableTypes } from './purgeable.js';

describe('purgeable types', () => {
  it('are the types a mutation result can contain, through fields, implementations and union members', () => {
    const schema = buildSchema(`
      interface Node { id: ID! }
      type Order implements Node { id: ID! lines: [Line!]! }
      type Line { product: Product! }
      type Product { id: ID! }
      type Refund implements Node { id: ID! }
      type Coupon { code: String! }
      union Outcome = Coupon | Order
      type Review { id: ID! }
      type Query { reviews: [Review!]! node(id: ID!): Node }
      type Mutation { touch(id: ID!): Node apply: Outcome }
    `);
    const types = purgeableTypes(schema);
    for (const name of ['Node', 'Order', 'Line', 'Product', 'Refund', 'Coupon', 'Outcome']) expect(types.has(name), name).toBe(true);
    expect(types.has('Review')).toBe(false);
    expect(purgeableTypes(buildSchema('type Query { a: Int }')).size).toBe(0);
  });

  it('leave entries untagged for types nothing can purge', () => {
    const root = { types: ['Query'], idKeys: [], typenameKey: undefined, children: new Map([['reviews', { types: ['Review'], idKeys: ['id'], typenameKey: undefined, children: new Map() }]]) };
    const data = { reviews: [{ id: 'r1' }] };
    expect(entryTags(root as never, data)).toEqual(['E:Review:r1', 'T:Review']);
    expect(entryTags(root as never, data, new Set(['Order']))).toEqual([]);
  });

  it('are narrowed per operation to the types its result can hold', () => {
    const schema = buildSchema(`
      type Account { id: ID! owner: String! }
      type Product { id: ID! name: String! }
      type Query { accounts: [Account!]! products: [Product!]! }
      type Mutation { rename(id: ID!): Account }
    `);
    const plans = createPlanCache({ types: {}, fields: {}, privateDirectives: [], defaultMaxAge: 60, idFields: ['id'] }, new Set(), { tagAllTypes: false });
    const taggedOf = (query: string) => [...(plans.get(schema, parse(query), undefined)?.taggedTypes ?? ['all'])];
    expect(taggedOf('{ products { id name } }')).toEqual([]);
    expect(taggedOf('{ accounts { id } products { id } }')).toEqual(['Account']);
    const everything = createPlanCache({ types: {}, fields: {}, privateDirectives: [], defaultMaxAge: 60, idFields: ['id'] });
    expect(everything.get(schema, parse('{ products { id } }'), undefined)?.taggedTypes).toBeUndefined();
  });
});
