import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { loadVersionedConfig } from '../src/reload.js';
import { startAll, startReviews, startUsers, type RunningService } from '../subgraphs/index.js';
import { demoConfig, postGraphql, startDemoGateway } from './helpers/demo-gateway.js';
import { sample, scrape } from './helpers/metrics.js';
import { configText, tempConfig } from './helpers/reload-config.js';
import { freePort, mergeYaml, startLimitedGateway, type LimitedGateway } from './rate-limit-support.js';

const METRICS_ON = 'metrics: { enabled: true, port: 0 }';

let running: { close(): Promise<void> } | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function startWithMetrics(extraYaml = ''): Promise<LimitedGateway> {
  const started = await startLimitedGateway(`${METRICS_ON}\n${extraYaml}`);
  running = started;
  return started;
}

async function publicMetricsPath(url: string): Promise<{ status: number; code: unknown }> {
  const response = await fetch(`${url}/metrics`);
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code };
}

describe('metrics endpoint', () => {
  it('is off by default: no metrics listener, and the public listener has no /metrics', async () => {
    const demo = await startDemoGateway();
    running = demo;
    expect(demo.gateway.config.metrics).toEqual({ enabled: false, host: '127.0.0.1', port: 9090, path: '/metrics' });
    expect(demo.gateway.metricsAddress()).toBeUndefined();
    expect(await publicMetricsPath(demo.url)).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
  });

  it('when on, answers on a loopback listener of its own in Prometheus text format, the upstream counters moving with requests', async () => {
    const g = await startWithMetrics();
    const address = g.gateway.metricsAddress();
    expect(address?.address).toBe('127.0.0.1');
    expect(address?.port).not.toBe(Number(new URL(g.url).port));

    const before = await scrape(address);
    expect(before.status).toBe(200);
    expect(before.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(before.text).toContain('# TYPE junction_upstream_requests_total counter');
    expect(sample(before.text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(before.text, 'junction_upstream_breaker_state', { upstream: 'users', state: 'closed' })).toBe(1);
    expect(sample(before.text, 'junction_upstream_targets_available', { upstream: 'users' })).toBe(1);
    const users = (text: string, name: string) => sample(text, name, { upstream: 'users' }) ?? Number.NaN;

    for (let i = 0; i < 3; i++) expect((await g.query('{ users { id } }')).status).toBe(200);
    const after = await scrape(address);
    expect(users(after.text, 'junction_upstream_requests_total') - users(before.text, 'junction_upstream_requests_total')).toBe(3);
    expect(users(after.text, 'junction_upstream_attempts_total') - users(before.text, 'junction_upstream_attempts_total')).toBe(3);
    expect(users(after.text, 'junction_upstream_failures_total')).toBe(0);
    expect(sample(after.text, 'junction_rate_limit_store_fallbacks_total')).toBe(0);
  });

  it('serves the process metrics to every gateway of the process, and a closed gateway\'s counters to none', async () => {
    const first = await startWithMetrics();
    expect((await first.query('{ users { id } }')).status).toBe(200);
    const firstText = (await scrape(first.gateway.metricsAddress())).text;
    expect(sample(firstText, 'junction_upstream_requests_total', { upstream: 'users' })).toBe(1);
    await first.close();
    running = undefined;
    expect(first.gateway.metricsAddress()).toBeUndefined();

    const second = await startWithMetrics();
    const text = (await scrape(second.gateway.metricsAddress())).text;
    // One set of process metrics (collected once per process), and this gateway's own counters from zero.
    expect(text.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'junction_upstream_requests_total', { upstream: 'users' })).toBe(0);
  });

  it('is never served by the public listener, and answers nothing but GET or HEAD of its path', async () => {
    const g = await startWithMetrics();
    expect(await publicMetricsPath(g.url)).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    const address = g.gateway.metricsAddress();
    expect((await scrape(address, '/other')).status).toBe(404);
    expect((await scrape(address, '/metrics?debug=1')).status).toBe(200);
    const post = await fetch(`http://127.0.0.1:${address!.port}/metrics`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('counts rate-limit fallbacks and cache bypasses while Redis cannot be reached (failMode: open)', async () => {
    const unreachable = `redis://127.0.0.1:${await freePort()}`;
    const g = await startWithMetrics(`
redis: { url: "${unreachable}", commandTimeoutMs: 200 }
rateLimit: { store: redis, failMode: open, fields: { Query.users: { minute: 1000, by: ip } } }
cache: { store: redis, fields: { Query.users: { maxAge: 60 } } }`);
    for (let i = 0; i < 2; i++) expect((await g.query('{ users { id } }')).status).toBe(200);
    const { text } = await scrape(g.gateway.metricsAddress());
    expect(sample(text, 'junction_rate_limit_store_fallbacks_total')).toBe(2);
    expect(sample(text, 'junction_rate_limit_store_refusals_total')).toBe(0);
    expect(sample(text, 'junction_cache_store_bypassed_total')).toBeGreaterThanOrEqual(2);
  });

  for (const [which, yaml] of [['metrics', (port: number) => `metrics: { enabled: true, port: ${port} }`], ['public', (port: number) => `${METRICS_ON}\nserver: { port: ${port} }`]] as const) {
    it(`a ${which} port already taken fails listen(), leaving no metrics listener open`, async () => {
      const taken = createServer().listen(0, '127.0.0.1');
      await once(taken, 'listening');
      const services = await startAll();
      const config = await demoConfig(services, { editYaml: (text) => mergeYaml(text, yaml((taken.address() as AddressInfo).port)), env: { PORT: '' } });
      const gateway = await createGateway(config, { logger: silentLogger() });
      running = { close: async () => Promise.all([gateway.close(), services.close(), new Promise((resolve) => taken.close(resolve))]).then(() => undefined) };
      await expect(gateway.listen()).rejects.toThrow(/EADDRINUSE/);
      expect(gateway.metricsAddress()).toBeUndefined();
    });
  }

  it('counts every response by route and status, with its duration: /graphql, a REST route by name, unmatched paths, clients gone', async () => {
    const g = await startWithMetrics();
    const address = g.gateway.metricsAddress();
    const requests = (text: string, route: string, code: string) => sample(text, 'junction_http_requests_total', { route, code }) ?? 0;
    const durations = (text: string, route: string) => sample(text, 'junction_http_request_duration_seconds_count', { route }) ?? 0;
    const before = (await scrape(address)).text;

    expect((await g.query('{ users { id } }')).status).toBe(200);
    expect((await g.query('{ users { id } }')).status).toBe(200);
    expect((await g.query('{ nope }')).status).toBe(400);
    expect((await fetch(`${g.url}/api/catalog/products/p1`)).status).toBe(200);
    expect((await fetch(`${g.url}/api/catalog/products/p1`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${g.url}/no/such/route`)).status).toBe(404);
    // A client that leaves before its answer: half a body, then the connection closes.
    const socket = createConnection(Number(new URL(g.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.end('POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"query":');

    await expect.poll(async () => requests((await scrape(address)).text, '/graphql', '499')).toBe(1);
    const after = (await scrape(address)).text;
    expect(requests(after, '/graphql', '200') - requests(before, '/graphql', '200')).toBe(2);
    expect(requests(after, '/graphql', '400') - requests(before, '/graphql', '400')).toBe(1);
    expect(requests(after, 'catalog', '200')).toBe(1);
    expect(requests(after, 'catalog', '405')).toBe(0); // refused by the route table: no route took it
    expect(requests(after, '(unmatched)', '405') + requests(after, '(unmatched)', '404')).toBe(2);
    expect(durations(after, '/graphql') - durations(before, '/graphql')).toBe(4); // with the client gone
    expect(durations(after, 'catalog')).toBe(1);
    expect(sample(after, 'junction_http_request_duration_seconds_bucket', { route: 'catalog', le: '+Inf' })).toBe(1);
    expect(sample(after, 'junction_http_request_duration_seconds_sum', { route: 'catalog' })).toBeGreaterThan(0);
  });

  it('closing the gateway closes the metrics listener', async () => {
    const g = await startWithMetrics();
    const address = g.gateway.metricsAddress();
    expect((await scrape(address)).status).toBe(200);
    await g.close();
    running = undefined;
    expect(g.gateway.metricsAddress()).toBeUndefined();
    await expect(fetch(`http://127.0.0.1:${address!.port}/metrics`)).rejects.toThrow();
  });
});

describe('metrics across reloads', () => {
  let gateway: Gateway | undefined;
  const services: RunningService[] = [];
  let temp: Awaited<ReturnType<typeof tempConfig>> | undefined;
  afterEach(async () => {
    await gateway?.close();
    await Promise.all(services.splice(0).map((service) => service.close()));
    await temp?.remove();
    gateway = temp = undefined;
  });

  it('counts reloads by result and reads the runtime serving now: its config version and its upstreams', async () => {
    const [users, reviews] = await Promise.all([startUsers(), startReviews()]);
    services.push(users, reviews);
    temp = await tempConfig(configText({ usersUrl: users.url, extra: METRICS_ON }));
    const first = await loadVersionedConfig(temp.file, { env: {} });
    gateway = await createGateway(first.config, { logger: silentLogger(), configFile: temp.file, configEnv: {}, version: first.version });
    const { port } = await gateway.listen();
    const address = gateway.metricsAddress();

    const before = (await scrape(address)).text;
    expect(sample(before, 'junction_config_reloads_total', { result: 'success' })).toBe(0);
    expect(sample(before, 'junction_config_info', { version: first.version })).toBe(1);
    expect(sample(before, 'junction_upstream_requests_total', { upstream: 'reviews' })).toBeUndefined();

    await temp.write('upstreams: [');
    expect((await gateway.reload(undefined, 'test')).ok).toBe(false);
    await temp.write(configText({ usersUrl: users.url, reviewsUrl: reviews.url, extra: METRICS_ON }));
    const reloaded = await gateway.reload(undefined, 'test');
    expect(reloaded.ok).toBe(true);
    expect((await postGraphql(`http://127.0.0.1:${port}/graphql`, '{ reviews { id author { id } } }')).status).toBe(200);

    const after = (await scrape(address)).text;
    expect(sample(after, 'junction_config_reloads_total', { result: 'success' })).toBe(1);
    expect(sample(after, 'junction_config_reloads_total', { result: 'failure' })).toBe(1);
    expect(sample(after, 'junction_config_info', { version: gateway.version })).toBe(1);
    expect(sample(after, 'junction_config_info', { version: first.version })).toBeUndefined();
    expect(sample(after, 'junction_upstream_requests_total', { upstream: 'reviews' })).toBe(1);
    expect(sample(after, 'junction_upstream_requests_total', { upstream: 'users' })).toBeGreaterThanOrEqual(1);
  });
});
