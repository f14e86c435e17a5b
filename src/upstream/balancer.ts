/** What a balancer reads and keeps per target. */
export interface BalancedTarget {
  readonly weight: number;
  /** Requests sent and not yet finished. */
  outstanding: number;
  /** Running score of smooth weighted round robin. */
  currentWeight: number;
}

export type BalancerKind = 'round-robin' | 'weighted' | 'least-outstanding';

/** Picks one of the candidates (never empty) for the next attempt. */
export type Balancer = <T extends BalancedTarget>(candidates: readonly T[]) => T;

export function createBalancer(kind: BalancerKind): Balancer {
  if (kind === 'weighted') return pickSmoothWeighted;
  let cursor = 0;
  if (kind === 'round-robin') {
    return function pickRoundRobin(candidates) {
      cursor = (cursor + 1) % 1_000_000_007;
      return candidates[cursor % candidates.length]!;
    };
  }
  return function pickLeastOutstanding(candidates) {
    cursor = (cursor + 1) % 1_000_000_007;
    const start = cursor % candidates.length;
    let best = candidates[start]!;
    for (let offset = 1; offset < candidates.length; offset++) {
      const candidate = candidates[(start + offset) % candidates.length]!;
      // Fewest outstanding per unit of weight; ties go to the rotation order.
      if (candidate.outstanding * best.weight < best.outstanding * candidate.weight) best = candidate;
    }
    return best;
  };
}

/** nginx's smooth weighted round robin: weights 5,1,1 give a a b a c a a, never a burst. */
function pickSmoothWeighted<T extends BalancedTarget>(candidates: readonly T[]): T {
  let total = 0;
  let best = candidates[0]!;
  for (const candidate of candidates) {
    candidate.currentWeight += candidate.weight;
    total += candidate.weight;
    if (candidate.currentWeight > best.currentWeight) best = candidate;
  }
  best.currentWeight -= total;
  return best;
}
