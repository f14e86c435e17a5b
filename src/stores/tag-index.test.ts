import { describe, expect, it } from 'vitest';
import { createTagIndex, type Indexed } from './tag-index.js';

const entry = (key: string, tags: string[]): Indexed => ({ key, tags, live: true });

describe('tag index', () => {
  it('gives the live entries of a tag once, and forgets the tag', () => {
    const index = createTagIndex<Indexed>();
    const [a, b, c] = [entry('a', ['T:P', 'E:P:1']), entry('b', ['T:P', 'E:P:2']), entry('c', ['E:U:1'])];
    [a, b, c].forEach((each) => index.add(each));
    index.remove(a);
    expect(index.take('T:P')).toEqual([b]);
    expect(index.take('T:P')).toEqual([]);
    expect(index.take('E:U:1')).toEqual([c]);
    expect(index.take('E:P:9')).toEqual([]);
  });

  it('stays within a few times its live references under churn, shared tags and tags never stored again alike, without losing a live entry', () => {
    const index = createTagIndex<Indexed>();
    const window: Indexed[] = [];
    // 100 entries live at any time; each shares a hot tag and holds one tag no later entry has.
    for (let i = 0; i < 200_000; i++) {
      const added = entry(`k${i}`, ['T:Hot', `E:Cold:${i}`]);
      index.add(added);
      window.push(added);
      if (window.length > 100) index.remove(window.shift()!);
      if (i % 1_000 === 0) expect(index.size()).toBeLessThan(4 * 200 + 2 * 4096 + 64);
    }
    expect(index.take('T:Hot')).toEqual(window);
    expect(index.take(`E:Cold:${199_999}`)).toEqual([window.at(-1)]);
  });
});
