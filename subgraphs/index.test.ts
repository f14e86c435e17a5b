import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startAll, type RunningServices } from './index.js';

let all: RunningServices | undefined;
afterEach(async () => {
  await all?.close();
  all = undefined;
});

describe('startAll', () => {
  it('starts four services on distinct ports, counts and closes them', async () => {
    all = await startAll();
    const urls = [all.users.url, all.reviews.url, all.catalog.url, all.orders.url];
    expect(new Set(urls).size).toBe(4);
    expect([all.users.name, all.reviews.name, all.catalog.name, all.orders.name]).toEqual([
      'users',
      'reviews',
      'catalog',
      'orders',
    ]);

    const user = await fetch(`${all.users.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ user(id: "1") { name } }' }),
    });
    expect(await user.json()).toEqual({ data: { user: { name: 'Ada Lovelace' } } });
    expect((await fetch(`${all.catalog.url}/products/p1`)).status).toBe(200);
    expect((await fetch(`${all.orders.url}/orders?userId=1`)).status).toBe(200);

    expect(all.users.calls.byRoute).toEqual({ 'POST /graphql': 1, user: 1 });
    expect(all.catalog.calls.total).toBe(1);
    expect(all.orders.calls.byRoute).toEqual({ 'GET /orders': 1 });
    expect(all.reviews.calls.total).toBe(0);

    all.resetCalls();
    expect(all.users.calls.total + all.catalog.calls.total + all.orders.calls.total).toBe(0);

    const closing = all;
    all = undefined;
    await closing.close();
    await expect(fetch(`${closing.catalog.url}/products`)).rejects.toThrow();
  });

  it('fails cleanly when a port is taken, closing what did start', async () => {
    all = await startAll();
    await expect(startAll({ ports: { orders: all.orders.port } })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('main.ts', () => {
  it('runs the chosen services, prints their URLs and exits 0 on SIGTERM', async () => {
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(tsx, [main, 'catalog', 'users'], {
      env: { ...process.env, USERS_PORT: '0', CATALOG_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.split('\n').filter((l) => l.startsWith('users') || l.startsWith('catalog')).length === 2) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const catalogUrl = /catalog\s+(\S+)/.exec(out)![1]!;
      const usersUrl = /users\s+(\S+)/.exec(out)![1]!;
      expect(usersUrl).toMatch(/\/graphql$/);
      expect((await fetch(`${catalogUrl}/products/p2`)).status).toBe(200);
      const res = await fetch(`${usersUrl}?query=${encodeURIComponent('{ users { id } }')}`);
      expect((await res.json()).data.users).toHaveLength(10);
      expect(out).not.toMatch(/orders|reviews/);

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('rejects unknown service names', async () => {
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(tsx, [main, 'payments'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toMatch(/Unknown service\(s\): payments/);
  });
});
