/**
 * Two counters over a rolling time window, kept in a fixed ring of buckets so memory is
 * constant and old counts fall out without timers (breaker failure rate, retry budget).
 */
export interface RollingWindow {
  add(first: number, second: number): void;
  /** Sums over the window ending now. */
  totals(): { first: number; second: number };
  clear(): void;
}

export function createRollingWindow(windowMs: number, now: () => number, bucketCount = 10): RollingWindow {
  const width = Math.max(1, Math.ceil(windowMs / bucketCount));
  const slots = Array.from({ length: bucketCount }, () => ({ epoch: -1, first: 0, second: 0 }));

  function slotAt(epoch: number): (typeof slots)[number] {
    const slot = slots[epoch % bucketCount]!;
    if (slot.epoch !== epoch) {
      slot.epoch = epoch;
      slot.first = 0;
      slot.second = 0;
    }
    return slot;
  }

  return {
    add(first, second) {
      const slot = slotAt(Math.floor(now() / width));
      slot.first += first;
      slot.second += second;
    },
    totals() {
      const current = Math.floor(now() / width);
      let first = 0;
      let second = 0;
      for (const slot of slots) {
        if (slot.epoch > current - bucketCount && slot.epoch <= current) {
          first += slot.first;
          second += slot.second;
        }
      }
      return { first, second };
    },
    clear() {
      for (const slot of slots) slot.epoch = -1;
    },
  };
}
