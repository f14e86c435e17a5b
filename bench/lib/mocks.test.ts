import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startProductsGraphql, type Mock } from './mocks.js';

describe('products mock failing first attempts', () => {
  let mock: Mock | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  const ask = async (authorization: string): Promise<number> => {
    const response = await request(`${mock!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ products { id } }' }),
    });
    await response.body.text();
    return response.statusCode;
  };

  it('answers 503 to the first attempt of every 10th request and 200 to its retry', async () => {
    mock = await startProductsGraphql(0, { failFirstEvery: 10 });
    const statuses: number[] = [];
    for (let i = 1; i <= 20; i++) statuses.push(await ask(`Bearer r${i}`));
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    expect(statuses[9]).toBe(503);
    expect(statuses[19]).toBe(503);
    expect(await ask('Bearer r10')).toBe(200);
    expect(await ask('Bearer r20')).toBe(200);
    expect(mock.calls.total).toBe(22);
  });

  it('never fails without the flag', async () => {
    mock = await startProductsGraphql();
    for (let i = 1; i <= 20; i++) expect(await ask(`Bearer r${i}`)).toBe(200);
  });
});
