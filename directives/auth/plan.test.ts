import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import type { Principal } from '../policy.js';
import { evaluate } from './evaluate.js';
import { createPlanner } from './plan.js';
import { parseAuthArgs } from './requirement.js';
import { collectRequirements } from './requirements.js';
import { AUTH_TYPE_DEFS } from './sdl.js';

const schema = buildSchema(`${AUTH_TYPE_DEFS}
  interface Node { id: ID! secret: String }
  type Account implements Node @authenticated { id: ID! secret: String @requiresScopes(scopes: [["a", "b"], ["admin"]]) }
  type Open implements Node { id: ID! secret: String }
  type Query {
    node: Node
    open: Open
    staff: String @requiresClaim(claim: "org.role", values: ["staff"]) @requiresClaim(claim: "tenant", values: ["t1"])
    hello: String
  }
`);
const index = collectRequirements(schema, { 'Query.hello': { requiresScopes: [['hello']] } }, silentLogger());
const principal = (scopes: string[], claims: Record<string, unknown> = {}): Principal => ({ id: 'p', scopes, claims, method: 'jwt' });

describe('requirements', () => {
  it('type directives apply to every field; field directives add to them', () => {
    expect(index.get('Account.id')).toEqual({ scopes: [], claims: [] });
    expect(index.get('Account.secret')?.scopes).toEqual([['a', 'b'], ['admin']]);
    expect(index.has('Open.id')).toBe(false);
  });

  it('an interface field takes the rules of every implementation', () => {
    expect(index.get('Node.secret')?.scopes).toEqual([['a', 'b'], ['admin']]);
    expect(evaluate(index.get('Node.id')!, undefined)).toBe('UNAUTHENTICATED');
  });

  it('scopes: outer OR, inner AND', () => {
    const rule = index.get('Account.secret')!;
    expect(evaluate(rule, principal(['a']))).toBe('FORBIDDEN');
    expect(evaluate(rule, principal(['a', 'b']))).toBeUndefined();
    expect(evaluate(rule, principal(['admin']))).toBeUndefined();
  });

  it('repeated claim checks all hold; dotted paths and arrays', () => {
    const rule = index.get('Query.staff')!;
    expect(evaluate(rule, principal([], { org: { role: ['x', 'staff'] }, tenant: 't1' }))).toBeUndefined();
    expect(evaluate(rule, principal([], { org: { role: 'staff' }, tenant: 't2' }))).toBe('FORBIDDEN');
    expect(evaluate(rule, principal([], { 'org.role': 'staff', tenant: 't1' }))).toBe('FORBIDDEN');
  });

  it('config by coordinate; route blocks use the same names and are validated', () => {
    expect(index.get('Query.hello')?.scopes).toEqual([['hello']]);
    expect(parseAuthArgs({})).toEqual({ scopes: [], claims: [] });
    expect(() => parseAuthArgs({ requiresScopes: [[]] })).toThrow(/invalid auth policy/);
    expect(() => parseAuthArgs({ requireScopes: [['x']] })).toThrow(/invalid auth policy/);
  });
});

describe('planner', () => {
  const plan = createPlanner(schema, index);

  it('finds protected fields through fragments and inline fragments, per operation', () => {
    const document = parse(`
      query A { node { ...F } }
      query B { open { id } hello }
      fragment F on Node { ... on Account { id } secret }
    `);
    expect(plan(document, 'A').map((entry) => entry.coordinate).sort()).toEqual(['Account.id', 'Node.secret']);
    expect(plan(document, 'B').map((entry) => entry.coordinate)).toEqual(['Query.hello']);
  });

  it('is computed once per document', () => {
    const document = parse('{ hello }');
    expect(plan(document, undefined)).toBe(plan(document, undefined));
    expect(plan(parse('{ open { id } }'), undefined)).toHaveLength(0);
  });
});
