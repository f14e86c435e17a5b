/** An entry as the tag index sees it: live from the moment it is indexed until it leaves the store. */
export interface Indexed {
  readonly key: string;
  readonly tags: readonly string[];
  live: boolean;
  /** The index's records this entry was added to (one per tag), so that leaving touches only those. */
  records: TagRecord<Indexed>[];
}

/** The entries stored under one tag: live ones and, until the next compaction, some that left. */
export interface TagRecord<E> {
  readonly tag: string;
  entries: E[];
  live: number;
}

export interface TagIndex<E extends Indexed> {
  /** Indexes a stored entry under each of its tags. */
  add(entry: E): void;
  /** The entry left the store (evicted, expired, overwritten, deleted). */
  remove(entry: E): void;
  /** The live entries indexed under `tag` (an entry holding the tag twice, twice), and the tag forgotten. */
  take(tag: string): E[];
  clear(): void;
  /** Tags indexed, and entry references held, live or not (for tests). */
  size(): { tags: number; references: number };
}

/** Dead references a record may hold beyond as many as live ones before it is compacted. */
const COMPACT_SLACK = 4;

/**
 * Which entries hold a tag, for purges. Each tag has a record: an array of its entries, appended
 * to on every store, and a count of those still live. Each entry keeps the records it was added
 * to, so leaving costs one decrement per tag of its own, with no lookup; a record whose last entry
 * left is dropped, and one holding more dead references than live ones (plus a slack) is
 * compacted. An exact set of keys per tag made every store and every eviction hash into sets as
 * large as the number of entries sharing the tag (with every entry of a list holding the same
 * products, tens of thousands of keys): in the server, the larger part of a tagged miss.
 */
export function createTagIndex<E extends Indexed>(): TagIndex<E> {
  const byTag = new Map<string, TagRecord<E>>();

  /** In place: a new array grown one push at a time cost several times more on large records. */
  function compact(record: TagRecord<E>): void {
    const entries = record.entries;
    let kept = 0;
    for (let at = 0; at < entries.length; at++) if (entries[at]!.live) entries[kept++] = entries[at]!;
    entries.length = kept;
  }

  return {
    add(entry) {
      for (const tag of entry.tags) {
        let record = byTag.get(tag);
        if (record === undefined) byTag.set(tag, (record = { tag, entries: [], live: 0 }));
        record.entries.push(entry);
        record.live++;
        entry.records.push(record as TagRecord<Indexed>);
      }
    },
    remove(entry) {
      entry.live = false;
      if (entry.records.length === 0) return; // never indexed: an untagged entry costs nothing here
      for (const record of entry.records as TagRecord<E>[]) {
        record.live--;
        if (record.live === 0) {
          if (byTag.get(record.tag) === record) byTag.delete(record.tag);
          record.entries = [];
        } else if (record.entries.length > 2 * record.live + COMPACT_SLACK) {
          compact(record);
        }
      }
      entry.records = [];
    },
    take(tag) {
      const record = byTag.get(tag);
      if (record === undefined) return [];
      byTag.delete(tag);
      const live = record.entries.filter(isLive);
      // Its entries are about to leave: nothing is left to compact.
      record.entries = [];
      return live;
    },
    clear() {
      byTag.clear();
    },
    size() {
      let references = 0;
      for (const record of byTag.values()) references += record.entries.length;
      return { tags: byTag.size, references };
    },
  };
}

function isLive(entry: Indexed): boolean {
  return entry.live;
}
