import { describe, expect, it } from 'vitest';
import { parseConfig } from './config/index.js';
import { createUpstreamPool } from './runtime-upstreams.js';

const upstreamsOf = (yaml: string) => parseConfig(`upstreams: ${yaml}`, '/tmp/gateway.yaml', { env: {} }).upstreams;

describe('upstream pool', () => {
  it('a runtime with the same settings gets the same upstream; it closes when the last runtime lets go', async () => {
    const pool = createUpstreamPool();
    const first = pool.acquire(upstreamsOf('{ a: { url: "http://127.0.0.1:9" }, b: { url: "http://127.0.0.1:9" } }'));
    const second = pool.acquire(upstreamsOf('{ a: { url: "http://127.0.0.1:9" }, b: { url: "http://127.0.0.1:9", timeoutMs: 5 } }'));
    expect(second.get('a')).toBe(first.get('a'));
    expect(second.get('b')).not.toBe(first.get('b'));

    const closed: string[] = [];
    const distinct = new Map([...first, ...second].map(([name, upstream]) => [upstream, name]));
    for (const [upstream, name] of distinct) {
      const close = upstream.close.bind(upstream);
      upstream.close = async () => {
        closed.push(`${name}${upstream === first.get(name) ? '1' : '2'}`);
        await close();
      };
    }
    await pool.release(first);
    expect(closed).toEqual(['b1']);
    const third = pool.acquire(upstreamsOf('{ a: { url: "http://127.0.0.1:9" }, b: { url: "http://127.0.0.1:9", timeoutMs: 5 } }'));
    expect(third.get('b')).toBe(second.get('b'));
    await pool.release(second);
    expect(closed).toEqual(['b1']);
    await pool.release(third);
    expect(closed.sort()).toEqual(['a1', 'b1', 'b2']);
  });
});
