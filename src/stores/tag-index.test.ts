import { describe, expect, it } from 'vitest';
import { createTagIndex, type Indexed } from './tag-index.js';

const entry = (key: string, tags: string[]): Indexed => ({ key, tags, live: true, records: [] });

describe('tag index', () => {
  it('gives the live entries of a tag, and forgets the tag', () => {
    const index = createTagIndex<Indexed>();
    const [a, b, c] = [entry('a', ['T:P', 'E:P:1']), entry('b', ['T:P', 'E:P:2']), entry('c', ['E:U:1'])];
    [a, b, c].forEach((each) => index.add(each));
    index.remove(a);
    expect(a.live).toBe(false);
    expect(index.take('T:P')).toEqual([b]);
    expect(index.take('T:P')).toEqual([]);
    expect(index.take('E:U:1')).toEqual([c]);
    expect(index.take('E:P:9')).toEqual([]);
    // `a` was the only entry of E:P:1: the tag left with it.
    expect(index.take('E:P:1')).toEqual([]);
  });

  it('stays within about twice its live references under churn: a shared tag, and tags used once', () => {
    const index = createTagIndex<Indexed>();
    const window: Indexed[] = [];
    // 100 entries live at any time; each shares a hot tag and holds 40 tags no other entry has.
    for (let i = 0; i < 20_000; i++) {
      const added = entry(`k${i}`, ['T:Hot', ...Array.from({ length: 40 }, (_, t) => `E:Cold:${i}:${t}`)]);
      index.add(added);
      window.push(added);
      if (window.length > 100) index.remove(window.shift()!);
      if (i % 500 === 0) {
        const { tags, references } = index.size();
        expect(tags).toBeLessThanOrEqual(1 + 40 * 100);
        expect(references).toBeLessThanOrEqual(2 * 101 + 64 + 40 * 100);
      }
    }
    expect(index.take('T:Hot')).toEqual(window);
  });

  it('after purges, entries leaving cost the same and the index empties with them', () => {
    const index = createTagIndex<Indexed>();
    for (let round = 0; round < 5; round++) {
      const entries = Array.from({ length: 2_000 }, (_, i) => entry(`r${round}-${i}`, ['U:P', 'T:P', `E:P:${i}`]));
      entries.forEach((each) => index.add(each));
      // A mutation purges U:P: the store then deletes what it got, and the rest leave in time.
      for (const taken of index.take('U:P')) index.remove(taken);
      expect(index.size()).toEqual({ tags: 0, references: 0 });
    }
  });

  it('an entry holding a tag twice leaves it fully', () => {
    const index = createTagIndex<Indexed>();
    const twice = entry('a', ['T:P', 'T:P']);
    index.add(twice);
    index.remove(twice);
    expect(index.size()).toEqual({ tags: 0, references: 0 });
  });

  it('compaction keeps exactly the live entries, whatever order the others left in', () => {
    const index = createTagIndex<Indexed>();
    const all = Array.from({ length: 1_000 }, (_, i) => entry(`k${i}`, ['T:H']));
    all.forEach((each) => index.add(each));
    // Newest first, 900 of the 1,000.
    for (let i = 999; i >= 0; i--) if (i % 10 !== 3) index.remove(all[i]!);
    expect(index.take('T:H')).toEqual(all.filter((_, i) => i % 10 === 3));
  });

  it('a tag taken and stored under again keeps its new record when the taken entries leave', () => {
    const index = createTagIndex<Indexed>();
    const old = entry('a', ['T:P']);
    index.add(old);
    const taken = index.take('T:P');
    const fresh = entry('b', ['T:P']);
    index.add(fresh);
    taken.forEach((each) => index.remove(each));
    expect(index.take('T:P')).toEqual([fresh]);
  });

  it('holds few dead references on small tags', () => {
    const index = createTagIndex<Indexed>();
    const keep = Array.from({ length: 10 }, (_, i) => entry(`keep${i}`, ['T:Small']));
    keep.forEach((each) => index.add(each));
    for (let i = 0; i < 1_000; i++) {
      const passing = entry(`p${i}`, ['T:Small']);
      index.add(passing);
      index.remove(passing);
    }
    expect(index.size().references).toBeLessThanOrEqual(2 * 10 + 4 + 1);
  });
});
