import { fileURLToPath } from 'node:url';
import {
  GraphQLEnumType,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLUnionType,
  GraphQLInputObjectType,
  printSchema,
  type GraphQLSchema,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOpenApiDocument, openApiToSchema, type RestCaller } from './index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/openapi/${name}`, import.meta.url));
const neverCalled: RestCaller = async () => {
  throw new Error('not called');
};

async function build(name: string): Promise<GraphQLSchema> {
  return openApiToSchema(await loadOpenApiDocument(fixture(name)), { sourceName: name, call: neverCalled });
}

function objectType(schema: GraphQLSchema, name: string): GraphQLObjectType {
  const type = schema.getType(name);
  if (!(type instanceof GraphQLObjectType)) throw new Error(`${name} is not an object type`);
  return type;
}

function fieldType(schema: GraphQLSchema, typeName: string, field: string): string {
  const type = objectType(schema, typeName).getFields()[field];
  if (!type) throw new Error(`${typeName}.${field} is missing`);
  return String(type.type);
}

describe('petstore.yaml (OpenAPI 3.0)', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await build('petstore.yaml');
  });

  it('prints the expected SDL', async () => {
    await expect(printSchema(schema)).toMatchFileSnapshot('./__snapshots__/petstore.graphql');
  });

  it('maps GET to Query and other methods to Mutation, sanitising or deriving names', () => {
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual([
      'findPets',
      'findPetsByStatus',
      'getRandomPet',
      'getPetById',
      'getPetsByPetIdRelatives',
      'getOwner',
      'getCategoryTree',
      'getInventory',
      'getStoreMetadata',
    ]);
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(['addPet', 'deletePet']);
  });

  it('makes required properties non-null and the rest nullable', () => {
    expect(fieldType(schema, 'Pet', 'name')).toBe('String!');
    expect(fieldType(schema, 'Pet', 'photoUrls')).toBe('[String!]!');
    expect(fieldType(schema, 'Pet', 'nickname')).toBe('String');
    expect(fieldType(schema, 'Pet', 'id')).toBe('Float');
    expect(fieldType(schema, 'Pet', 'category')).toBe('Category');
    expect(fieldType(schema, 'Pet', 'birthDate')).toBe('String');
    expect(fieldType(schema, 'Category', 'subcategories')).toBe('[Category!]');
  });

  it('builds enums with sanitised value names', () => {
    const stock = schema.getType('StockLevel') as GraphQLEnumType;
    expect(stock).toBeInstanceOf(GraphQLEnumType);
    expect(stock.getValues().map((v) => [v.name, v.value])).toEqual([
      ['in_stock', 'in-stock'],
      ['out_of_stock', 'out-of-stock'],
      ['backorder', 'backorder'],
    ]);
    expect((schema.getType('PetStatus') as GraphQLEnumType).getValues().map((v) => v.name)).toEqual(['available', 'pending', 'sold']);
    expect(fieldType(schema, 'Pet', 'status')).toBe('PetStatus2');
  });

  it('turns oneOf into unions and merges allOf', () => {
    const anyPet = schema.getType('AnyPet') as GraphQLUnionType;
    expect(anyPet).toBeInstanceOf(GraphQLUnionType);
    expect(anyPet.getTypes().map((t) => t.name)).toEqual(['Dog', 'Cat']);
    expect(Object.keys(objectType(schema, 'Dog').getFields())).toEqual([
      'id', 'name', 'category', 'photoUrls', 'tags', 'status', 'birthDate', 'nickname', 'petType', 'barkVolume',
    ]);
    expect(fieldType(schema, 'Dog', 'barkVolume')).toBe('Int!');
    expect(fieldType(schema, 'Owner', 'contact')).toBe('OwnerContact');
    expect((schema.getType('OwnerContact') as GraphQLUnionType).getTypes().map((t) => t.name)).toEqual(['EmailContact', 'PhoneContact']);
  });

  it('maps free-form objects to JSON and required bodies to non-null input args without readOnly fields', () => {
    expect(String(schema.getQueryType()!.getFields()['getStoreMetadata']!.type)).toBe('JSON');
    const addPet = schema.getMutationType()!.getFields()['addPet']!;
    expect(addPet.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['input: PetInput!']);
    const petInput = schema.getType('PetInput') as GraphQLInputObjectType;
    expect(Object.keys(petInput.getFields())).not.toContain('id');
    expect(String(petInput.getFields()['name']!.type)).toBe('String!');
    expect(String(schema.getMutationType()!.getFields()['deletePet']!.type)).toBe('Boolean');
  });
});

describe('shop.json (OpenAPI 3.1)', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await build('shop.json');
  });

  it('prints the expected SDL', async () => {
    await expect(printSchema(schema)).toMatchFileSnapshot('./__snapshots__/shop.graphql');
  });

  it('turns parameters into arguments, required ones non-null', () => {
    const list = schema.getQueryType()!.getFields()['listProducts']!;
    expect(list.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual([
      'ids: [String!]',
      'category: String',
      'limit: Int',
      'XTenantId: String!',
    ]);
    const update = schema.getMutationType()!.getFields()['updateProduct']!;
    expect(update.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual([
      'id: String!',
      'XTenantId: String!',
      'input: NewProductInput!',
    ]);
    expect(update.args[0]!.type).toBeInstanceOf(GraphQLNonNull);
  });

  it("reads 3.1 type: [x, 'null'] as nullable", () => {
    expect(fieldType(schema, 'Product', 'description')).toBe('String');
    expect(fieldType(schema, 'Product', 'id')).toBe('String!');
    expect(fieldType(schema, 'Product', 'price')).toBe('Float!');
    expect(fieldType(schema, 'Product', 'attributes')).toBe('JSON');
    expect(fieldType(schema, 'GetOrderResponse', 'items')).toBe('[GetOrderResponseItem!]!');
    expect(fieldType(schema, 'GetOrderResponse', 'shipping')).toBe('Address');
    expect(fieldType(schema, 'GetProductsByIdReviewsResponseItem', 'authorName')).toBe('String');
  });
});
