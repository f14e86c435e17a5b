import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { startUsers, type RunningService } from '../subgraphs/index.js';
import { postGraphql, ROOT } from './helpers/demo-gateway.js';

let gateway: Gateway | undefined;
let users: RunningService | undefined;
let recorder: Server | undefined;
afterEach(async () => {
  await gateway?.close();
  await users?.close();
  recorder?.closeAllConnections();
  await new Promise((resolve) => (recorder ? recorder.close(resolve) : resolve(undefined)));
  gateway = users = recorder = undefined;
});

/** A GraphQL upstream that records the headers it receives and answers `{ users: [] }`. */
async function startRecorder(seen: IncomingHttpHeaders[]): Promise<string> {
  recorder = createServer((req, res) => {
    seen.push(req.headers);
    req.resume().on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":{"users":[]}}');
    });
  });
  await new Promise<void>((resolve) => recorder!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(recorder.address() as { port: number }).port}`;
}

async function startGateway(yaml: string): Promise<string> {
  gateway = await createGateway(parseConfig(yaml, `${ROOT}/gateway.yaml`, { env: {} }), { logger: silentLogger() });
  const { port } = await gateway.listen();
  return `http://127.0.0.1:${port}/graphql`;
}

describe('per-source options', () => {
  it('forwards only the configured client headers, and static upstream headers', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const url = await startRecorder(seen);
    const endpoint = await startGateway(`
server: { port: 0, host: 127.0.0.1 }
upstreams: { users: { url: "${url}", headers: { x-upstream-key: k1 } } }
sources:
  - { name: users, type: graphql, upstream: users, schema: { file: subgraphs/users/schema.graphql }, forwardHeaders: [Authorization] }
`);
    const answer = await postGraphql(endpoint, '{ users { id } }', undefined, { authorization: 'Bearer abc', cookie: 'session=secret', 'x-other': '1' });
    expect(answer.body).toEqual({ data: { users: [] } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ authorization: 'Bearer abc', 'x-upstream-key': 'k1' });
    expect(seen[0]!['cookie']).toBeUndefined();
    expect(seen[0]!['x-other']).toBeUndefined();
  });

  it('resolves a name clash with a prefix, and renames types and root fields', async () => {
    users = await startUsers();
    const endpoint = await startGateway(`
server: { port: 0, host: 127.0.0.1 }
upstreams: { users: { url: "${users.url}" } }
sources:
  - { name: users, type: graphql, upstream: users, schema: { file: subgraphs/users/schema.graphql } }
  - name: legacy
    type: graphql
    upstream: users
    schema: { file: subgraphs/users/schema.graphql }
    prefix: Legacy
  - name: people
    type: graphql
    upstream: users
    schema: { file: subgraphs/users/schema.graphql }
    renameTypes: { User: Person }
    renameFields: { Query.users: people, Query.user: person, Query.usersByIds: peopleByIds }
`);
    const schema = gateway!.schema();
    expect(schema.getType('User')).toBeDefined();
    expect(schema.getType('LegacyUser')).toBeDefined();
    expect(schema.getType('Person')).toBeDefined();
    const answer = await postGraphql(endpoint, '{ users { id } Legacyuser(id: "2") { __typename name } person(id: "3") { __typename id } }');
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toMatchObject({
      Legacyuser: { __typename: 'LegacyUser', name: expect.any(String) },
      person: { __typename: 'Person', id: '3' },
    });
  });
});
