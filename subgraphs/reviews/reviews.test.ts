import { afterEach, describe, expect, it } from 'vitest';
import { reviews } from '../data.js';
import type { RunningService } from '../service.js';
import { startReviews } from './index.js';

let service: RunningService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

describe('reviews service', () => {
  it('lists all reviews and finds one by id', async () => {
    service = await startReviews();
    const all = await gql(service.url, '{ reviews { id body rating productId authorId } }');
    expect(all.data.reviews).toEqual(reviews);
    expect(all.data.reviews).toHaveLength(40);

    const one = await gql(service.url, '{ review(id: "r1") { id productId authorId rating } none: review(id: "r999") { id } }');
    expect(one.data).toEqual({ review: { id: 'r1', productId: 'p1', authorId: '1', rating: 1 }, none: null });
  });

  it('reviewsByProductIds returns a flat list of those products’ reviews', async () => {
    service = await startReviews();
    const res = await gql(
      service.url,
      'query ($ids: [ID!]!) { reviewsByProductIds(productIds: $ids) { id productId } }',
      { ids: ['p2', 'p4', 'p1', 'p2', 'nope'] },
    );
    // p4 has no reviews; duplicates collapse; grouped in the order of the ids.
    expect(res.data.reviewsByProductIds).toEqual([
      { id: 'r4', productId: 'p2' },
      { id: 'r5', productId: 'p2' },
      { id: 'r1', productId: 'p1' },
      { id: 'r2', productId: 'p1' },
      { id: 'r3', productId: 'p1' },
    ]);
    const empty = await gql(service.url, '{ reviewsByProductIds(productIds: []) { id } }');
    expect(empty.data.reviewsByProductIds).toEqual([]);
  });

  it('counts calls by route and root field', async () => {
    service = await startReviews();
    await gql(service.url, '{ reviewsByProductIds(productIds: ["p1"]) { id } }');
    await gql(service.url, '{ reviewsByProductIds(productIds: ["p2"]) { id } reviews { id } }');
    expect(service.calls).toEqual({
      total: 2,
      byRoute: { 'POST /graphql': 2, reviewsByProductIds: 2, reviews: 1 },
    });
  });
});
