import { describe, expect, it } from 'vitest';
import { createBalancer, type BalancedTarget } from './balancer.js';

const targets = (...weights: number[]) =>
  weights.map((weight, id) => ({ id, weight, outstanding: 0, currentWeight: 0 }) satisfies BalancedTarget & { id: number });

function picks(kind: 'round-robin' | 'weighted', weights: number[], count: number): number[] {
  const pick = createBalancer(kind);
  const list = targets(...weights);
  return Array.from({ length: count }, () => pick(list).id);
}

describe('balancer', () => {
  it('round robin rotates through the targets, ignoring weight', () => {
    const order = picks('round-robin', [5, 1, 1], 6);
    expect(new Set(order.slice(0, 3)).size).toBe(3);
    expect(order.slice(3)).toEqual(order.slice(0, 3));
  });

  it('weighted is smooth: 5,1,1 spreads the light targets out', () => {
    const order = picks('weighted', [5, 1, 1], 7);
    expect(order).toEqual([0, 0, 1, 0, 2, 0, 0]);
  });

  it('weighted keeps proportions over many picks', () => {
    const order = picks('weighted', [3, 1], 400);
    expect(order.filter((id) => id === 0).length).toBe(300);
  });

  it('least outstanding prefers the least loaded per unit of weight', () => {
    const pick = createBalancer('least-outstanding');
    const list = targets(1, 1, 2);
    list[0]!.outstanding = 3;
    list[1]!.outstanding = 1;
    list[2]!.outstanding = 1;
    expect(pick(list).id).toBe(2);
    list[2]!.outstanding = 4;
    expect(pick(list).id).toBe(1);
  });
});
