/**
 * Concurrent identical misses wait for one leader instead of each calling upstream. A leader
 * always settles its flight (with a shareable value or `undefined`, which sends waiters upstream
 * themselves); waiters also give up after `waitMs`, so a lost leader never holds a request.
 */
export interface SingleFlight<T> {
  /** The flight in progress for `key`, if any; resolves to undefined when its result can't be shared or on timeout. */
  join(key: string): Promise<T | undefined> | undefined;
  /** Starts a flight; the returned function settles it (idempotent). */
  lead(key: string): (value: T | undefined) => void;
}

/** A flight's waiters; most flights have none, so a flight costs no promise until someone joins. */
type Waiters<T> = ((value: T | undefined) => void)[];

export function createSingleFlight<T>(waitMs: number): SingleFlight<T> {
  const flights = new Map<string, Waiters<T>>();

  return {
    join(key) {
      const waiters = flights.get(key);
      if (waiters === undefined) return undefined;
      return new Promise<T | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), waitMs);
        timer.unref();
        waiters.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
    lead(key) {
      const waiters: Waiters<T> = [];
      flights.set(key, waiters);
      let settled = false;
      return function settleFlight(value) {
        if (settled) return;
        settled = true;
        if (flights.get(key) === waiters) flights.delete(key);
        for (const wake of waiters) wake(value);
      };
    },
  };
}
