import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './index.js';

const UPSTREAM = 'upstreams: { users: { url: "http://127.0.0.1:4001" } }\n';

function issuesOf(yaml: string, env: Record<string, string> = {}): readonly string[] {
  try {
    parseConfig(yaml, '/cfg/gateway.yaml', { env });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('config was accepted');
}

describe('config validation', () => {
  const table: [string, string, string[]][] = [
    ['unknown top-level key', `${UPSTREAM}bogus: 1`, ['(root): Unrecognized key: "bogus"']],
    ['unknown nested key', `${UPSTREAM}server: { prot: 1 }`, ['server: Unrecognized key: "prot"']],
    ['port of the wrong type', 'server: { port: "eighty" }', ['server.port: Invalid input: expected number, received string']],
    ['port out of range', 'server: { port: 70000 }', ['server.port: Too big: expected number to be <=65535']],
    ['upstream URL not http', 'upstreams: { a: { url: "ftp://x" } }', ['upstreams.a.url: must be an http(s) URL']],
    ['negative timeout', 'upstreams: { a: { url: "http://x", timeoutMs: -1 } }', ['upstreams.a.timeoutMs: Too small: expected number to be >0']],
    ['source with unknown upstream', 'sources: [{ name: s, type: graphql, upstream: nope, schema: { file: a.graphql } }]', ['sources[0].upstream: unknown upstream "nope"']],
    ['source of unknown type', `${UPSTREAM}sources: [{ name: s, type: soap, upstream: users }]`, ['sources[0].type: Invalid discriminator value. Expected \'graphql\' | \'openapi\'']],
    ['duplicate source names', `${UPSTREAM}sources: [{ name: s, type: openapi, upstream: users, spec: a.yaml }, { name: s, type: openapi, upstream: users, spec: b.yaml }]`, ['sources[1].name: duplicate source name "s"']],
    ['link to unknown source', `${UPSTREAM}links: [{ field: A.b, type: B, from: id, to: { source: x, field: f, argument: id } }]`, ['links[0].to.source: unknown source "x"']],
    ['link field not a coordinate', `${UPSTREAM}links: [{ field: nope, type: B, from: id, to: { source: x, field: f, argument: id } }]`, ['links[0].field: must be a schema coordinate like "Review.author"']],
    ['key without batch', `${UPSTREAM}sources: [{ name: s, type: openapi, upstream: users, spec: a.yaml }]\nlinks: [{ field: A.b, type: B, from: id, to: { source: s, field: f, argument: id, key: id } }]`, ['links[0].to.key: "key" only applies with "batch: true"']],
    ['missing environment variable', 'upstreams: { a: { url: "${NOT_SET}" } }', ['upstreams.a.url: environment variable NOT_SET is not set']],
    ['not YAML', 'server: [', ['not valid YAML']],
    ['consumer on an unknown plan', `auth: { apiKeys: { consumers: [{ id: acme, keySha256: "${'a'.repeat(64)}", plan: gld }] } }\nrateLimit: { plans: { gold: { quota: { day: 1 } } } }`, ['auth.apiKeys.consumers[0].plan: unknown plan "gld" (rateLimit.plans has "gold")']],
    ['metrics on the public port', 'metrics: { enabled: true, port: 4000 }', ['metrics.port: must differ from server.port (4000)']],
    ['consumer on a plan with no plans configured', `auth: { apiKeys: { consumers: [{ id: acme, keySha256: "${'a'.repeat(64)}", plan: gold }] } }`, ['auth.apiKeys.consumers[0].plan: unknown plan "gold" (rateLimit.plans is empty)']],
  ];

  for (const [name, yaml, expected] of table) {
    it(`rejects ${name}`, () => {
      const issues = issuesOf(yaml);
      for (const fragment of expected) expect(issues.some((issue) => issue.includes(fragment)), `${fragment} in ${issues.join(' | ')}`).toBe(true);
    });
  }

  it('reports every problem of a file at once', () => {
    const issues = issuesOf(`
server: { port: "x" }
upstreams: { a: { url: "ftp://x" } }
sources: [{ name: s, type: graphql, upstream: b, schema: { file: s.graphql } }]
extra: true
`);
    expect(issues).toHaveLength(4);
  });

  it('applies defaults, interpolates the environment and resolves paths against the file', () => {
    const config = parseConfig(
      'upstreams: { a: { url: "${A_URL:-http://fallback:1}", headers: { X-Key: "${KEY}" } } }\nsources: [{ name: s, type: openapi, upstream: a, spec: specs/a.yaml }]',
      '/cfg/gateway.yaml',
      { env: { KEY: 'secret', PORT: '8080' } },
    );
    expect(config.server.port).toBe(8080);
    expect(config.upstreams['a']).toMatchObject({ url: 'http://fallback:1', timeoutMs: 10_000, headers: { 'x-key': 'secret' } });
    expect(config.sources[0]).toMatchObject({ spec: '/cfg/specs/a.yaml', forwardHeaders: [] });
    expect(config.graphql.limits.maxDepth).toBe(12);
  });

  it('keeps metrics off the public port, also when PORT moves the public one onto it', () => {
    expect(issuesOf('metrics: { enabled: true }', { PORT: '9090' })).toEqual(['metrics.port: must differ from server.port (9090): metrics are served on a listener of their own']);
    expect(parseConfig('metrics: { enabled: false }', '/cfg/gateway.yaml', { env: { PORT: '9090' } }).metrics.port).toBe(9090);
    expect(parseConfig('server: { port: 0 }\nmetrics: { enabled: true, port: 0 }', '/cfg/gateway.yaml', { env: {} }).metrics.enabled).toBe(true);
  });

  it('freezes the result', () => {
    const config = parseConfig(UPSTREAM, '/cfg/gateway.yaml', { env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.upstreams['users'])).toBe(true);
  });
});
