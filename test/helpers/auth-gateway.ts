import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/logger.js';
import { postGraphql, type GraphqlAnswer } from './demo-gateway.js';
import { ordersOpenApiPath, startAll, usersSchemaPath, type RunningServices } from '../../subgraphs/index.js';

export const PROTECTED_USERS_SDL = resolve(import.meta.dirname, '../fixtures/auth/users-protected.graphql');

export interface AuthGateway {
  gateway: Gateway;
  services: RunningServices;
  url: string;
  query(query: string, headers?: Record<string, string>, variables?: Record<string, unknown>): Promise<Answer>;
  close(): Promise<void>;
}

export type Answer = GraphqlAnswer;

export interface AuthGatewayOptions {
  /** The `auth:` block (YAML-shaped object); omitted = no auth config. */
  auth?: Record<string, unknown>;
  /** SDL file of the users source. Default: the plain users SDL. */
  usersSdl?: string;
  /** Extra top-level config keys (routes, upstreams...). */
  extra?: Record<string, unknown>;
  now?: () => number;
}

/** The users (GraphQL) and orders (OpenAPI) example upstreams behind a real gateway, all on port 0. */
export async function startAuthGateway(options: AuthGatewayOptions = {}): Promise<AuthGateway> {
  const services = await startAll();
  try {
    const extra = options.extra ?? {};
    const config = {
      server: { port: 0, host: '127.0.0.1' },
      ...extra,
      upstreams: { users: { url: services.users.url }, orders: { url: services.orders.url }, ...(extra['upstreams'] as object | undefined) },
      sources: [
        { name: 'users', type: 'graphql', upstream: 'users', schema: { file: options.usersSdl ?? usersSchemaPath } },
        { name: 'orders', type: 'openapi', upstream: 'orders', spec: ordersOpenApiPath },
        ...((extra['sources'] as unknown[] | undefined) ?? []),
      ],
      ...(options.auth === undefined ? {} : { auth: options.auth }),
    };
    const parsed = parseConfig(stringify(config), resolve(import.meta.dirname, 'auth-gateway.yaml'), { env: {} });
    const gateway = await createGateway(parsed, { logger: silentLogger(), ...(options.now ? { now: options.now } : {}) });
    const { port } = await gateway.listen();
    const url = `http://127.0.0.1:${port}`;
    return {
      gateway, services, url,
      query: (query, headers = {}, variables) => postGraphql(`${url}/graphql`, query, variables, headers),
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
