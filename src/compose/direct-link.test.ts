import { makeExecutableSchema } from '@graphql-tools/schema';
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { JunctionError } from '../errors.js';
import { createKeysExecutor } from './direct-link.js';

const calls: string[] = [];
const schema = makeExecutableSchema({
  typeDefs: `
    type Order { id: ID! total: Float! owner: User item: Item }
    type User { id: ID! }
    type Item { sku: String! }
    union Thing = Order | User
    type Query { orders(userId: ID!): [Order!]! thing(userId: ID!): Thing }
  `,
  resolvers: {
    Query: {
      orders: (_: unknown, { userId }: { userId: string }) => {
        calls.push(userId);
        if (userId === 'down') throw new JunctionError('UPSTREAM_ERROR', 'Upstream "orders" answered with HTTP 503');
        if (userId === 'broken') return [{ id: 'x', total: null }];
        return [{ id: `o-${userId}`, total: 1.5, owner: { id: userId }, item: { sku: 'a' } }];
      },
    },
  },
});

/** The field node of the link field in a client document, e.g. `{ user { orders { id } } }`. */
function linkNodes(selection: string): FieldNode[] {
  const operation = parse(`{ link ${selection} }`).definitions[0] as OperationDefinitionNode;
  return [operation.selectionSet.selections[0] as FieldNode];
}

describe('per-key links in one local execution', () => {
  it('answers every key, in order, with one call per key', async () => {
    const execute = createKeysExecutor({ schema }, 'orders', 'userId', linkNodes('{ id total owner { id } __typename }'))!;
    calls.length = 0;
    const values = await execute(['1', '2', '3'], {});
    expect(calls).toEqual(['1', '2', '3']);
    expect(values).toEqual(['1', '2', '3'].map((id) => [{ id: `o-${id}`, total: 1.5, owner: { id }, __typename: 'Order' }]));
  });

  it('fails only the key whose call failed, with the error the resolver threw; an error below the root fails its key', async () => {
    const execute = createKeysExecutor({ schema }, 'orders', 'userId', linkNodes('{ id total }'))!;
    const [ok, down, broken] = await execute(['1', 'down', 'broken'], {});
    expect(ok).toEqual([{ id: 'o-1', total: 1.5 }]);
    expect(down).toBeInstanceOf(JunctionError);
    expect((down as JunctionError).code).toBe('UPSTREAM_ERROR');
    expect(broken).toBeInstanceOf(Error);
    expect((broken as Error).message).toMatch(/non-nullable field Order.total/);
  });

  it('keeps delegation for selections it cannot use as they are', () => {
    const refused = [
      '{ total: id }',
      '{ id ... on Order { total } }',
      '{ ...F }',
      '{ id @include(if: true) }',
      '{ id owner { missingOnTheSource } }',
      '{ id item }',
    ];
    for (const selection of refused) expect(createKeysExecutor({ schema }, 'orders', 'userId', linkNodes(selection)), selection).toBeUndefined();
    expect(createKeysExecutor({ schema }, 'thing', 'userId', linkNodes('{ __typename }'))).toBeUndefined();
    expect(createKeysExecutor({ schema, transforms: [{}] }, 'orders', 'userId', linkNodes('{ id }'))).toBeUndefined();
    expect(createKeysExecutor({ schema, executor: () => ({}) }, 'orders', 'userId', linkNodes('{ id }'))).toBeUndefined();
    const withVariable = parse('query($n: ID!) { link { owner(id: $n) { id } } }').definitions[0] as OperationDefinitionNode;
    expect(withVariable.kind).toBe(Kind.OPERATION_DEFINITION);
    expect(createKeysExecutor({ schema }, 'orders', 'userId', [withVariable.selectionSet.selections[0] as FieldNode])).toBeUndefined();
    expect(createKeysExecutor({ schema }, 'orders', 'userId', [...linkNodes('{ id }'), ...linkNodes('{ total }')])).toBeUndefined();
  });
});
