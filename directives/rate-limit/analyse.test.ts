import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createDocumentAnalyser } from './analyse.js';
import { collectFieldRules } from './field-rules.js';
import { rateLimitTypeDefs } from './type-defs.js';

const schema = buildSchema(`${rateLimitTypeDefs}
  type Product { id: ID! price: Int @rateLimit(second: 10, by: CONSUMER) }
  type Query {
    products: [Product!]! @rateLimit(minute: 100)
    product(id: ID!): Product
    free: Int
  }
`);

describe('rate-limit document analysis', () => {
  const rules = collectFieldRules(schema, { 'Query.free': { hour: 3, by: 'ip', cost: 2 } }, silentLogger());
  const analyse = createDocumentAnalyser(rules);
  const units = (query: string, operationName?: string) =>
    Object.fromEntries(analyse(schema, parse(query), operationName).map((charge) => [charge.rule.scope, charge.units]));

  it('finds directives in SDL and rules in config', () => {
    expect([...rules.keys()].sort()).toEqual(['Product.price', 'Query.free', 'Query.products']);
    expect(rules.get('Query.free')!.cost).toBe(2);
  });

  it('counts every alias and every fragment spread', () => {
    expect(units('{ a: products { id } b: products { price } c: product(id: 1) { ...P ...P } } fragment P on Product { price }')).toEqual({
      'field:Query.products': 2,
      'field:Product.price': 3,
    });
    expect(units('{ ... on Query { free } x: free }')).toEqual({ 'field:Query.free': 2 });
  });

  it('counts only the operation that runs', () => {
    const query = 'query A { free } query B { products { id } }';
    expect(units(query, 'B')).toEqual({ 'field:Query.products': 1 });
    expect(units('{ product(id: 1) { id } }')).toEqual({});
  });

  it('analyses a document once', () => {
    const document = parse('{ products { price } }');
    expect(analyse(schema, document, undefined)).toBe(analyse(schema, document, undefined));
  });

  it('names the coordinate of a directive with bad arguments', () => {
    const bad = buildSchema(`${rateLimitTypeDefs} type Query { x: Int @rateLimit(by: IP) }`);
    expect(() => collectFieldRules(bad, {}, silentLogger())).toThrow(/@rateLimit on Query\.x: .*at least one/);
  });
});
