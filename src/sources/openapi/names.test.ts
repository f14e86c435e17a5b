import { describe, expect, it } from 'vitest';
import { NameRegistry, deriveOperationName, singular, toEnumValueName, toFieldName, toTypeName } from './names.js';

describe('names', () => {
  it('keeps valid names and sanitises the rest', () => {
    expect(toFieldName('getPetById')).toBe('getPetById');
    expect(toFieldName('get_pet')).toBe('get_pet');
    expect(toFieldName('get-pet.by id')).toBe('getPetById');
    expect(toFieldName('2fa')).toBe('_2fa');
    expect(toFieldName('__typename')).toBe('_typename');
    expect(toFieldName('@type')).toBe('type');
    expect(toTypeName('order-item')).toBe('OrderItem');
    expect(toTypeName('pet')).toBe('pet');
  });

  it('sanitises enum values so they can be mapped back', () => {
    expect(toEnumValueName('in-stock')).toBe('in_stock');
    expect(toEnumValueName('available')).toBe('available');
    expect(toEnumValueName(1)).toBe('_1');
    expect(toEnumValueName('true')).toBe('_true');
    expect(toEnumValueName('a b/c')).toBe('a_b_c');
  });

  it('derives operation names from method and path', () => {
    expect(deriveOperationName('GET', '/products/{id}')).toBe('getProductsById');
    expect(deriveOperationName('post', '/users/{user-id}/orders')).toBe('postUsersByUserIdOrders');
    expect(deriveOperationName('get', '/')).toBe('get');
  });

  it('gives clashing names a numeric suffix in claim order', () => {
    const names = new NameRegistry(['Query']);
    expect(['getPet', 'getPet', 'Query', 'getPet'].map((n) => names.claim(n))).toEqual(['getPet', 'getPet2', 'Query2', 'getPet3']);
    const values = new NameRegistry([], '_');
    expect(['a', 'a'].map((n) => values.claim(n))).toEqual(['a', 'a_2']);
  });

  it('names list elements in the singular', () => {
    expect(singular('OrderItems')).toBe('OrderItem');
    expect(singular('ShopCategories')).toBe('ShopCategory');
    expect(singular('UserAddresses')).toBe('UserAddress');
    expect(singular('ListProductsResponse')).toBe('ListProductsResponseItem');
    expect(singular('Status')).toBe('StatusItem');
  });
});
