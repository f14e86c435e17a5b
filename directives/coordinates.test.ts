import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../test/rate-limit-support.js';
import { silentLogger } from '../src/logger.js';
import { checkCoordinates, type CoordinateCheck } from './coordinates.js';

const schema = buildSchema(`
  interface Priced { price: Int }
  type Product implements Priced { id: ID! price: Int }
  union Item = Product
  enum Colour { RED }
  type Query { products: [Product!]! item: Item colour: Colour }
`);

const complete = { missingSources: [] };
const check = (entries: string[], options: Partial<CoordinateCheck> = {}) =>
  checkCoordinates(schema, entries, { section: 'rateLimit.fields', build: complete, logger: silentLogger(), ...options });

describe('config coordinates checked against the schema', () => {
  it('accepts fields of object and interface types, and types', () => {
    expect(check(['Query.products', 'Priced.price', 'Product'])).toEqual(['Query.products', 'Priced.price', 'Product']);
    expect(check(['Item'], { unions: true })).toEqual(['Item']);
  });

  it('fails on a field its type lacks, naming the entry', () => {
    expect(() => check(['Query.prodcts'])).toThrow('rateLimit.fields."Query.prodcts": type Query has no field "prodcts"');
  });

  it('fails on an entry naming a type of the wrong kind', () => {
    expect(() => check(['Colour.RED'])).toThrow('rateLimit.fields."Colour.RED": Colour is not an object or interface type');
    expect(() => check(['Item'])).toThrow('rateLimit.fields."Item": Item is not an object or interface type');
    expect(() => check(['Colour'], { section: 'cache.types', unions: true })).toThrow('cache.types."Colour": Colour is not an object, interface or union type');
  });

  it('fails on a type the schema lacks when every source is in it', () => {
    expect(() => check(['Prodct.price'], { section: 'cache.fields' })).toThrow('cache.fields."Prodct.price": the schema has no type "Prodct"');
  });

  it('only logs a missing type while a source is missing (it may be that source\'s), and leaves the entry out', () => {
    const captured = captureLogger();
    expect(check(['Review.body', 'Query.products'], { build: { missingSources: ['reviews'] }, logger: captured.logger })).toEqual(['Query.products']);
    expect(captured.messages).toEqual(['rateLimit.fields names a type not in the schema (source down?); rule not applied']);
    expect(check(['Review.body'], { build: undefined })).toEqual([]);
  });
});
