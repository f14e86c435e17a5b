import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createDocumentAnalyser, type DeniedField } from './analyse.js';
import { collectFieldRules } from './field-rules.js';
import { rateLimitTypeDefs } from './type-defs.js';

const schema = buildSchema(`${rateLimitTypeDefs}
  interface Priced { price: Int }
  type Product implements Priced { id: ID! price: Int @rateLimit(second: 10, by: CONSUMER) }
  type Service implements Priced { price: Int @rateLimit(second: 3, by: CONSUMER) }
  type Gift implements Priced { price: Int }
  union Item = Product | Gift
  type Query {
    products: [Product!]! @rateLimit(minute: 100)
    product(id: ID!): Product
    node: Priced
    gift: Gift
    items: [Item!]!
    free: Int
  }
`);

describe('rate-limit document analysis', () => {
  const rules = collectFieldRules(schema, { 'Query.free': { hour: 3, by: 'ip', cost: 2 } }, silentLogger());
  const analyse = createDocumentAnalyser(rules);
  const units = (query: string, operationName?: string) =>
    Object.fromEntries(analyse(schema, parse(query), operationName).map((charge) => [charge.rule.scope, charge.units]));

  it('finds directives in SDL and rules in config', () => {
    expect([...rules.keys()].sort()).toEqual(['Product.price', 'Query.free', 'Query.products', 'Service.price']);
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

  it('charges a field selected through an interface the rules of every implementation', () => {
    const everyImplementation = { 'field:Product.price': 1, 'field:Service.price': 1 };
    expect(units('{ node { price } }')).toEqual(everyImplementation);
    expect(units('{ node { ...P } } fragment P on Priced { price }')).toEqual(everyImplementation);
    expect(units('{ node { ... on Product { price } } }')).toEqual({ 'field:Product.price': 1 });
  });

  it('charges only the implementations a fragment on an interface can meet there', () => {
    expect(units('{ items { ... on Priced { price } } }')).toEqual({ 'field:Product.price': 1 });
    expect(units('{ product(id: 1) { ... on Priced { price } } }')).toEqual({ 'field:Product.price': 1 });
    expect(units('{ gift { ... on Priced { price } } }')).toEqual({});
    expect(units('{ items { ...I } } fragment I on Item { ... on Priced { p: price q: price } }')).toEqual({ 'field:Product.price': 2 });
  });

  describe('with a rule on an interface field', () => {
    const withInterfaceRule = createDocumentAnalyser(collectFieldRules(schema, { 'Priced.price': { minute: 50, by: 'field', cost: 1 } }, silentLogger()));
    const unitsWithInterfaceRule = (query: string, deniedField?: DeniedField) =>
      Object.fromEntries(withInterfaceRule(schema, parse(query), undefined, deniedField).map((charge) => [charge.rule.scope, charge.units]));

    it('charges it when the field is selected on an implementation, as well as the implementation\'s own rule', () => {
      const onProduct = { 'field:Priced.price': 1, 'field:Product.price': 1 };
      expect(unitsWithInterfaceRule('{ product(id: 1) { price } }')).toEqual(onProduct);
      expect(unitsWithInterfaceRule('{ node { ... on Product { price } } }')).toEqual(onProduct);
      expect(unitsWithInterfaceRule('{ items { ... on Product { price } } }')).toEqual(onProduct);
      expect(unitsWithInterfaceRule('{ product(id: 1) { ...P } } fragment P on Product { price }')).toEqual(onProduct);
      expect(unitsWithInterfaceRule('{ gift { price } }')).toEqual({ 'field:Priced.price': 1 });
      expect(unitsWithInterfaceRule('{ product(id: 1) { price } }', () => true)).toEqual({});
      expect(unitsWithInterfaceRule('{ product(id: 1) { price } }', (coordinate) => coordinate === 'Product.price')).toEqual(onProduct);
    });

    it('charges each rule once per occurrence, however many possible types it applies to', () => {
      expect(unitsWithInterfaceRule('{ node { price } }')).toEqual({ 'field:Priced.price': 1, 'field:Product.price': 1, 'field:Service.price': 1 });
      expect(unitsWithInterfaceRule('{ items { ... on Priced { price } } gift { ... on Priced { price } } }')).toEqual({ 'field:Priced.price': 2, 'field:Product.price': 1 });
      expect(unitsWithInterfaceRule('{ node { price } product(id: 1) { a: price b: price } }')).toEqual({
        'field:Priced.price': 3,
        'field:Product.price': 3,
        'field:Service.price': 1,
      });
    });

    it('charges the rules of an interface and of the interfaces it implements on every type implementing them', () => {
      const chain = buildSchema(`${rateLimitTypeDefs}
        interface Priced { price: Int @rateLimit(minute: 50, by: FIELD) }
        interface Discounted implements Priced { price: Int }
        type Voucher implements Discounted & Priced { price: Int }
        type Query { voucher: Voucher discounted: Discounted }
      `);
      const analyseChain = createDocumentAnalyser(collectFieldRules(chain, { 'Discounted.price': { minute: 20, by: 'field', cost: 1 } }, silentLogger()));
      const unitsOnChain = (query: string) => Object.fromEntries(analyseChain(chain, parse(query), undefined).map((charge) => [charge.rule.scope, charge.units]));
      const both = { 'field:Priced.price': 1, 'field:Discounted.price': 1 };
      expect(unitsOnChain('{ voucher { price } }')).toEqual(both);
      expect(unitsOnChain('{ discounted { price } }')).toEqual(both);
      expect(unitsOnChain('{ voucher { ... on Priced { price } } }')).toEqual(both);
    });
  });

  describe('with fields the caller is denied', () => {
    const unitsDenied = (query: string, denied: readonly string[]) =>
      Object.fromEntries(analyse(schema, parse(query), undefined, (coordinate) => denied.includes(coordinate)).map((charge) => [charge.rule.scope, charge.units]));

    it('leaves out a denied root field and everything selected under it: the guard answers it, no upstream call is made', () => {
      expect(unitsDenied('{ products { price } free }', ['Query.products'])).toEqual({ 'field:Query.free': 1 });
      expect(unitsDenied('{ ... on Query { products { price } } ...F } fragment F on Query { free }', ['Query.products', 'Query.free'])).toEqual({});
      expect(unitsDenied('{ products { price } }', [])).toEqual({ 'field:Query.products': 1, 'field:Product.price': 1 });
    });

    it('charges a denied nested field like any other: its source still resolves it', () => {
      expect(unitsDenied('{ products { price } }', ['Product.price'])).toEqual({ 'field:Query.products': 1, 'field:Product.price': 1 });
      expect(unitsDenied('{ node { price } }', ['Product.price', 'Service.price'])).toEqual({ 'field:Product.price': 1, 'field:Service.price': 1 });
      expect(unitsDenied('{ items { ... on Priced { price } } }', ['Product.price'])).toEqual({ 'field:Product.price': 1 });
    });
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
