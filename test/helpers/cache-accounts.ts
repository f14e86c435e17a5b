import { writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, execute, parse } from 'graphql';

/** A GraphQL upstream for the cache tests: `@cacheControl` in its SDL, a per-caller `me`, a mutation. */
export const ACCOUNTS_SDL = /* GraphQL */ `
enum CacheControlScope { PUBLIC PRIVATE }
directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION

type Account @cacheControl(maxAge: 60) {
  id: ID!
  owner: String!
  balance: Int!
}

type Query {
  "The caller's own account (from the identity header the gateway sets)."
  me: Account @cacheControl(scope: PRIVATE)
  account(id: ID!): Account
  accounts: [Account!]!
  "Always fails."
  failing: Account
}

type Mutation {
  renameAccount(id: ID!, owner: String!): Account
}
`;

export interface AccountsService {
  url: string;
  /** Path of the SDL file the gateway reads. */
  sdlFile: string;
  calls: { total: number };
  /** Answer 500 to everything while true. */
  down: boolean;
  /** Delay before answering, in ms (single-flight tests). */
  latencyMs: number;
  close(): Promise<void>;
}

export async function startAccounts(): Promise<AccountsService> {
  const schema = buildSchema(ACCOUNTS_SDL);
  const accounts = new Map([
    ['a1', { id: 'a1', owner: 'alice', balance: 10 }],
    ['a2', { id: 'a2', owner: 'bob', balance: 20 }],
  ]);
  const bySubject = new Map([['alice', 'a1'], ['bob', 'a2']]);
  const root = {
    me: (_: unknown, subject: string | undefined) => accounts.get(bySubject.get(subject?.split(/[#|]/).pop() ?? '') ?? '') ?? null,
    account: ({ id }: { id: string }) => accounts.get(id) ?? null,
    accounts: () => [...accounts.values()],
    failing: () => {
      throw new Error('boom');
    },
    renameAccount: ({ id, owner }: { id: string; owner: string }) => {
      const account = accounts.get(id);
      if (account) account.owner = owner;
      return account ?? null;
    },
  };
  const dir = mkdtempSync(join(tmpdir(), 'junction-cache-'));
  const sdlFile = join(dir, 'accounts.graphql');
  writeFileSync(sdlFile, ACCOUNTS_SDL);
  const service: AccountsService = { url: '', sdlFile, calls: { total: 0 }, down: false, latencyMs: 0, close: async () => undefined };

  const server: Server = createServer((req, res) => {
    service.calls.total++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      setTimeout(async () => {
        if (service.down) {
          res.writeHead(500).end();
          return;
        }
        const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown>; operationName?: string };
        const subject = req.headers['x-junction-subject'];
        const result = await execute({ schema, document: parse(query), rootValue: root, contextValue: subject, variableValues: variables, operationName });
        const body = JSON.stringify(result);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      }, service.latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.close = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return service;
}
