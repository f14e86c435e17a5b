/** An entry as the tag index sees it: live from the moment it is stored until it leaves the store. */
export interface Indexed {
  readonly key: string;
  readonly tags: readonly string[];
  live: boolean;
}

export interface TagIndex<E extends Indexed> {
  /** Indexes a stored entry under each of its tags. */
  add(entry: E): void;
  /** The entry left the store (evicted, expired, overwritten, deleted): it is no longer live. */
  remove(entry: E): void;
  /** Each live entry indexed under `tag`, and the tag forgotten. */
  take(tag: string): E[];
  clear(): void;
  /** References held, live or not (for tests: the index stays within a few times its live ones). */
  size(): number;
}

/** References an array may hold before it is compacted for the first time. */
const MIN_COMPACT_AT = 64;
/** Tags swept per removal while dead references outnumber live ones. */
const SWEEP_STEP = 16;
/** Dead references allowed beyond as many as live ones before sweeping starts. */
const SWEEP_SLACK = 4096;

interface References<E> {
  entries: E[];
  /** Length at which the array is next compacted: twice its live length after the last compaction. */
  compactAt: number;
}

/**
 * Which entries hold a tag, for purges. Each tag has an array of entries, appended to on every
 * store; an entry that leaves is only marked, never looked for. An array is compacted (its
 * leavers dropped) when it has doubled since it was last compacted, and tags nobody stores under
 * any more are swept a few at a time on removals while dead references outnumber live ones.
 * So a store or a removal costs a few array slots and field writes, never work proportional to how
 * many entries share a tag (a set of keys per tag did: with every entry of a list holding the same
 * products, each store and eviction touched sets of tens of thousands of keys), and no step walks
 * the whole index at once.
 */
export function createTagIndex<E extends Indexed>(): TagIndex<E> {
  const byTag = new Map<string, References<E>>();
  /** References to live entries, and to entries that left (an estimate from above: see `take`). */
  let live = 0;
  let dead = 0;
  let sweep: Iterator<[string, References<E>]> | undefined;

  function compact(references: References<E>): void {
    const before = references.entries.length;
    references.entries = references.entries.filter(isLive);
    dead = Math.max(0, dead - (before - references.entries.length));
    references.compactAt = Math.max(MIN_COMPACT_AT, 2 * references.entries.length);
  }

  function sweepSome(): void {
    for (let step = 0; step < SWEEP_STEP && dead > live + SWEEP_SLACK; step++) {
      sweep ??= byTag.entries();
      const next = sweep.next();
      if (next.done === true) {
        sweep = undefined;
        return;
      }
      const [tag, references] = next.value;
      compact(references);
      if (references.entries.length === 0) byTag.delete(tag);
    }
  }

  return {
    add(entry) {
      for (const tag of entry.tags) {
        let references = byTag.get(tag);
        if (references === undefined) byTag.set(tag, (references = { entries: [], compactAt: MIN_COMPACT_AT }));
        references.entries.push(entry);
        if (references.entries.length >= references.compactAt) compact(references);
      }
      live += entry.tags.length;
    },
    remove(entry) {
      entry.live = false;
      live -= entry.tags.length;
      // Counted even where `take` already dropped the tag's array: sweeping a little early is harmless.
      dead += entry.tags.length;
      if (dead > live + SWEEP_SLACK) sweepSome();
    },
    take(tag) {
      const references = byTag.get(tag);
      if (references === undefined) return [];
      byTag.delete(tag);
      return references.entries.filter(isLive);
    },
    clear() {
      byTag.clear();
      live = 0;
      dead = 0;
      sweep = undefined;
    },
    size() {
      let total = 0;
      for (const references of byTag.values()) total += references.entries.length;
      return total;
    },
  };
}

function isLive(entry: Indexed): boolean {
  return entry.live;
}
