import { buildSchema, getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CACHE_TYPE_DEFS } from './sdl.js';
import { analyseOperation } from './analyse.js';
import { createHintResolver } from './hints.js';
import { entryTags, mutationPurgeTags } from './entities.js';

const SDL = `${CACHE_TYPE_DEFS}
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE
type Book @cacheControl(maxAge: 60) { id: ID! title: String! author: Author! price: Int @cacheControl(maxAge: 10) reader: Reader }
type Author { id: ID! name: String! }
type Reader @cacheControl(inheritMaxAge: true) { name: String! }
type Secret { id: ID! value: String! @authenticated }
interface Node { id: ID! }
interface Titled { title: String! }
type Film implements Node & Titled @cacheControl(maxAge: 30) { id: ID! title: String! }
type Song implements Node & Titled { id: ID! title: String! @cacheControl(maxAge: 5) }
interface Animal { name: String }
type Dog implements Animal @cacheControl(maxAge: 50) { name: String }
type Cat implements Animal @cacheControl(maxAge: 50) { name: String @cacheControl(maxAge: 3) }
interface Owner { pet: Animal }
type Witch implements Owner @cacheControl(maxAge: 100) { pet: Cat }
type Person implements Owner @cacheControl(maxAge: 100) { pet: Dog }
union Media @cacheControl(maxAge: 40) = Film | Song
type Query {
  book(id: ID!): Book
  books: [Book!]!
  count: Int
  cachedCount: Int @cacheControl(maxAge: 90)
  me: Book @cacheControl(scope: PRIVATE)
  inherited: Book @cacheControl(inheritMaxAge: true)
  secret: Secret @cacheControl(maxAge: 99)
  node: Node @cacheControl(maxAge: 100)
  media: [Media!]!
  titled: Titled @cacheControl(maxAge: 100)
  owner: Owner @cacheControl(maxAge: 100)
}
type Mutation { renameBook(id: ID!, title: String!): Book }
`;

function plan(query: string, schema: GraphQLSchema = buildSchema(SDL), config: Partial<Parameters<typeof createHintResolver>[1]> = {}, defaultMaxAge = 0) {
  const document = parse(query);
  const hints = createHintResolver(schema, { types: {}, fields: {}, privateDirectives: ['authenticated'], ...config });
  return analyseOperation(schema, getOperationAST(document)!, document, { hints, defaultMaxAge, idFields: ['id'] });
}

describe('cache policy of an operation (Apollo semantics)', () => {
  it('takes the type hint for a composite root field and lets scalars inherit', () => {
    expect(plan('{ book(id: 1) { id title } }')).toMatchObject({ kind: 'query', maxAge: 60, scope: 'PUBLIC' });
  });

  it('is the minimum over the fields selected (field hint overrides the type)', () => {
    expect(plan('{ book(id: 1) { id price } }').maxAge).toBe(10);
  });

  it('gives an unhinted composite field the default (0): not cacheable', () => {
    expect(plan('{ book(id: 1) { author { name } } }').maxAge).toBe(0);
    expect(plan('{ book(id: 1) { author { name } } }', undefined, {}, 20).maxAge).toBe(20);
  });

  it('gives an unhinted root scalar the default, a hinted one its hint', () => {
    expect(plan('{ count }').maxAge).toBe(0);
    expect(plan('{ cachedCount }').maxAge).toBe(90);
  });

  it('lets inheritMaxAge (type or field) take the parent age', () => {
    expect(plan('{ book(id: 1) { reader { name } } }').maxAge).toBe(60);
    // A root field has no parent: inheriting there falls back to the type's own hint (60).
    expect(plan('{ inherited { title } }').maxAge).toBe(60);
  });

  it('makes the response PRIVATE when any field is, or is guarded by an auth directive', () => {
    expect(plan('{ me { title } }').scope).toBe('PRIVATE');
    expect(plan('{ secret { id } }').scope).toBe('PUBLIC');
    expect(plan('{ secret { value } }').scope).toBe('PRIVATE');
  });

  it('marks coordinates guarded from config PRIVATE', () => {
    const document = parse('{ book(id: 1) { title } }');
    const schema = buildSchema(SDL);
    const hints = createHintResolver(schema, { types: {}, fields: {}, privateDirectives: [], privateCoordinates: new Set(['Query.book']) });
    expect(analyseOperation(schema, getOperationAST(document)!, document, { hints, defaultMaxAge: 0, idFields: ['id'] }).scope).toBe('PRIVATE');
  });

  it('lets config hints override the SDL, by type and by coordinate', () => {
    expect(plan('{ book(id: 1) { title } }', undefined, { types: { Book: { maxAge: 5 } } }).maxAge).toBe(5);
    expect(plan('{ count }', undefined, { fields: { 'Query.count': { maxAge: 7, scope: 'PRIVATE' } } })).toMatchObject({ maxAge: 7, scope: 'PRIVATE' });
  });

  it('applies every possible concrete type under an abstract type', () => {
    expect(plan('{ node { id } }').maxAge).toBe(100);
    expect(plan('{ node { ... on Song { title } } }').maxAge).toBe(5);
    expect(plan('{ media { ... on Film { id } } }').maxAge).toBe(40);
  });

  it('counts an implementation\'s field hint when the field is selected through an interface', () => {
    expect(plan('{ titled { title } }').maxAge).toBe(5);
    expect(plan('{ titled { ...T } } fragment T on Titled { title }').maxAge).toBe(5);
    expect(plan('{ media { ... on Titled { title } } }').maxAge).toBe(5);
  });

  it('walks the narrower type each implementation gives an interface field', () => {
    const owner = plan('{ owner { pet { name } } }');
    expect(owner.maxAge).toBe(3);
    expect([...owner.root.children.get('owner')!.children.get('pet')!.types].sort()).toEqual(['Cat', 'Dog']);
  });

  it('applies a hint or a guard written on an interface field when it is selected through the interface', () => {
    expect(plan('{ titled { title } }', undefined, { fields: { 'Titled.title': { maxAge: 2 } } }).maxAge).toBe(2);
    expect(plan('{ titled { title } }', undefined, { privateCoordinates: new Set(['Titled.title']) }).scope).toBe('PRIVATE');
    expect(plan('{ titled { __typename } }', undefined, { fields: { 'Titled.title': { maxAge: 2 } } }).maxAge).toBe(100);
  });

  it('makes a field an interface guards (on the field or on itself) PRIVATE on every implementation, however selected', () => {
    const onField = { privateCoordinates: new Set(['Titled.title']) };
    expect(plan('{ media { ... on Film { title } } }', undefined, onField).scope).toBe('PRIVATE');
    expect(plan('{ titled { ... on Song { title } } }', undefined, onField).scope).toBe('PRIVATE');
    expect(plan('{ media { ... on Song { title } } }', undefined, { privateCoordinates: new Set(['Titled']) }).scope).toBe('PRIVATE');
    expect(plan('{ media { ... on Film { id } } }', undefined, { privateCoordinates: new Set(['Titled']) }).scope).toBe('PUBLIC');
    const schema = buildSchema(`${CACHE_TYPE_DEFS}
      directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE
      interface Priced { price: Int @authenticated }
      type Product implements Priced @cacheControl(maxAge: 60) { id: ID! price: Int }
      type Query { product: Product }
    `);
    expect(plan('{ product { price } }', schema).scope).toBe('PRIVATE');
    expect(plan('{ product { id } }', schema).scope).toBe('PUBLIC');
  });

  it('never caches a mutation', () => {
    expect(plan('mutation { renameBook(id: 1, title: "x") { id } }')).toMatchObject({ kind: 'mutation', maxAge: 0 });
  });
});

describe('entity tags', () => {
  it('tags entities with and without ids, and every type present', () => {
    const { root } = plan('{ books { key: id title author { name } } }');
    const tags = entryTags(root, { books: [{ key: 'b1', title: 'x', author: { name: 'a' } }, { key: 'b2', title: 'y', author: null }] });
    expect(tags.sort()).toEqual(['E:Book:b1', 'E:Book:b2', 'T:Author', 'T:Book', 'U:Author'].sort());
  });

  it('uses __typename under an abstract type, or tags every possible type', () => {
    const typed = plan('{ media { __typename ... on Film { id } ... on Song { id } } }');
    expect(entryTags(typed.root, { media: [{ __typename: 'Film', id: 'f1' }] }).sort()).toEqual(['E:Film:f1', 'T:Film']);
    const untyped = plan('{ node { id } }');
    expect(entryTags(untyped.root, { node: { id: 'n1' } }).sort()).toEqual(['E:Film:n1', 'E:Song:n1', 'T:Film', 'T:Song']);
  });

  it('purges what a mutation returns (by id), nothing when no id is selected', () => {
    const { root } = plan('mutation { renameBook(id: 1, title: "x") { id title } }');
    expect(mutationPurgeTags(root, { renameBook: { id: 'b1', title: 'x' } }).sort()).toEqual(['E:Book:b1', 'U:Book']);
    const noId = plan('mutation { renameBook(id: 1, title: "x") { title } }');
    expect(mutationPurgeTags(noId.root, { renameBook: { title: 'x' } })).toEqual([]);
  });
});
