import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { loadVersionedConfig } from '../src/reload.js';
import { reloadOnTriggers } from '../src/start.js';
import { startReviews, startUsers, type RunningService } from '../subgraphs/index.js';
import { postGraphql } from './helpers/demo-gateway.js';
import { configText, tempConfig } from './helpers/reload-config.js';

let gateway: Gateway | undefined;
let triggers: { close(): void } | undefined;
let services: RunningService[] = [];
let temp: Awaited<ReturnType<typeof tempConfig>> | undefined;
afterEach(async () => {
  triggers?.close();
  await gateway?.close();
  await Promise.all(services.map((service) => service.close()));
  await temp?.remove();
  gateway = triggers = temp = undefined;
  services = [];
});

/** A logger whose messages can be awaited. */
function capturingLogger() {
  const messages: string[] = [];
  const waiters = new Set<() => void>();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      messages.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
      for (const wake of waiters) wake();
      done();
    },
  });
  const next = (msg: string, count: number, timeoutMs = 10_000): Promise<void> => new Promise((found, reject) => {
    const timer = setTimeout(() => reject(new Error(`fewer than ${count} "${msg}" messages`)), timeoutMs);
    const check = (): void => {
      if (messages.filter((candidate) => candidate === msg).length < count) return;
      clearTimeout(timer);
      waiters.delete(check);
      found();
    };
    waiters.add(check);
    check();
  });
  return { logger: pino({ level: 'info' }, stream), messages, next };
}

describe('reload.watch', () => {
  it('reloads when the file changes; the reloaded file can turn the watch off', async () => {
    const users = await startUsers();
    const reviews = await startReviews();
    services.push(users, reviews);
    const watchOn = 'reload: { watch: true, debounceMs: 20 }';
    temp = await tempConfig(configText({ usersUrl: users.url, extra: watchOn }));
    const { config, version } = await loadVersionedConfig(temp.file, { env: {} });
    const { logger, messages, next } = capturingLogger();
    gateway = await createGateway(config, { logger, configFile: temp.file, configEnv: {}, version });
    const { port } = await gateway.listen();
    triggers = reloadOnTriggers(gateway, temp.file, logger);

    await temp.write(configText({ usersUrl: users.url, reviewsUrl: reviews.url, extra: watchOn }));
    await next('config loaded', 2);
    const answer = await postGraphql(`http://127.0.0.1:${port}/graphql`, '{ reviews { id } }');
    expect(answer.body.errors).toBeUndefined();

    await temp.write(configText({ usersUrl: users.url, reviewsUrl: reviews.url, extra: 'reload: { watch: false }' }));
    await next('config loaded', 3);
    expect(messages.filter((msg) => msg === 'config file changed; reloading')).toHaveLength(2);
    expect((await gateway.readiness()).reloads).toMatchObject({ succeeded: 2, failed: 0 });
  }, 30_000);
});
