import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseConfig, type JunctionConfig } from '../../src/config/index.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/logger.js';
import { startAll, type RunningServices } from '../../subgraphs/index.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DEMO_CONFIG = resolve(ROOT, 'gateway.yaml');

export interface DemoGateway {
  gateway: Gateway;
  services: RunningServices;
  /** Base URL of the gateway, e.g. http://127.0.0.1:PORT */
  url: string;
  /** POSTs a GraphQL request and returns status, headers and parsed body. */
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphqlAnswer>;
  close(): Promise<void>;
}

export interface GraphqlAnswer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

export interface DemoOptions {
  /** Edits the parsed YAML text before validation. */
  editYaml?: (text: string) => string;
  /** Extra environment for interpolation. */
  env?: Record<string, string>;
  latencyMs?: number;
}

/** The demo gateway.yaml over freshly started example upstreams, all on port 0. */
export async function startDemoGateway(options: DemoOptions = {}): Promise<DemoGateway> {
  const services = await startAll({ latencyMs: options.latencyMs });
  try {
    const config = await demoConfig(services, options);
    const gateway = await createGateway(config, { logger: silentLogger() });
    const { port } = await gateway.listen();
    const url = `http://127.0.0.1:${port}`;
    return {
      gateway,
      services,
      url,
      query: (query, variables, headers) => postGraphql(`${url}${config.graphql.path}`, query, variables, headers),
      async close() {
        await gateway.close();
        await services.close();
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}

export async function demoConfig(services: RunningServices, options: DemoOptions = {}): Promise<JunctionConfig> {
  const text = await readFile(DEMO_CONFIG, 'utf8');
  return parseConfig((options.editYaml ?? ((t) => t))(text), DEMO_CONFIG, {
    env: {
      PORT: '0',
      USERS_URL: services.users.url,
      REVIEWS_URL: services.reviews.url,
      CATALOG_URL: services.catalog.url,
      ORDERS_URL: services.orders.url,
      ...options.env,
    },
  });
}

export async function postGraphql(
  endpoint: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphqlAnswer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphqlAnswer['body'] };
}
