import { describe, expect, it } from 'vitest';
import {
  computeTotal,
  ORDER_STATUSES,
  orders,
  products,
  productsById,
  reviews,
  reviewsByProductId,
  STOCK_VALUES,
  users,
  usersById,
} from './data.js';

describe('demo data', () => {
  it('has 10 users with ids "1".."10", names and distinct emails', () => {
    expect(users.map((u) => u.id)).toEqual(Array.from({ length: 10 }, (_, i) => String(i + 1)));
    expect(new Set(users.map((u) => u.email)).size).toBe(10);
    for (const u of users) expect(u.name.length).toBeGreaterThan(0);
  });

  it('has 20 products p1..p20 with numeric prices and valid stock values', () => {
    expect(products.map((p) => p.id)).toEqual(Array.from({ length: 20 }, (_, i) => `p${i + 1}`));
    for (const p of products) {
      expect(typeof p.price).toBe('number');
      if (p.stock !== undefined) expect(STOCK_VALUES).toContain(p.stock);
    }
    expect(products.some((p) => p.stock === undefined)).toBe(true);
  });

  it('has 40 reviews, 0-3 per product, by known users, rated 1..5', () => {
    expect(reviews).toHaveLength(40);
    expect(reviews.map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => `r${i + 1}`));
    for (const r of reviews) {
      expect(productsById.has(r.productId)).toBe(true);
      expect(usersById.has(r.authorId)).toBe(true);
      expect(r.rating).toBeGreaterThanOrEqual(1);
      expect(r.rating).toBeLessThanOrEqual(5);
    }
    const counts = products.map((p) => reviewsByProductId.get(p.id)!.length);
    expect(Math.max(...counts)).toBe(3);
    expect(Math.min(...counts)).toBe(0);
    // No user reviews the same product twice.
    for (const list of reviewsByProductId.values()) {
      expect(new Set(list.map((r) => r.authorId)).size).toBe(list.length);
    }
    expect(new Set(reviews.map((r) => r.authorId)).size).toBe(10);
  });

  it('has 30 orders whose totals are the sum of their items', () => {
    expect(orders).toHaveLength(30);
    for (const o of orders) {
      expect(usersById.has(o.userId)).toBe(true);
      expect(ORDER_STATUSES).toContain(o.status);
      expect(o.items.length).toBeGreaterThan(0);
      const expected = o.items.reduce((sum, i) => sum + productsById.get(i.productId)!.price * i.quantity, 0);
      expect(o.total).toBeCloseTo(expected, 6);
      expect(o.total).toBe(computeTotal(o.items));
    }
    const mine = orders.filter((o) => o.userId === '1');
    expect(mine.filter((o) => o.items.length >= 3).length).toBeGreaterThanOrEqual(2);
    expect(new Set(orders.map((o) => o.status)).size).toBe(3);
  });

  it('computeTotal rounds to cents and rejects unknown products', () => {
    expect(computeTotal([{ productId: 'p2', quantity: 3 }])).toBe(118.5);
    expect(computeTotal([])).toBe(0);
    expect(() => computeTotal([{ productId: 'zzz', quantity: 1 }])).toThrow(/Unknown product/);
  });
});
