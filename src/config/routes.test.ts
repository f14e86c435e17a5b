import { describe, expect, it } from 'vitest';
import { configSchema } from './schema.js';

function issues(input: unknown): string[] {
  const result = configSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('routes config', () => {
  it('accepts passthrough and aggregation routes with defaults', () => {
    const config = configSchema.parse({
      upstreams: { a: { url: 'http://a:1' } },
      routes: [
        { name: 'r', match: { prefix: '/x', methods: ['get'], headers: { 'X-Type': 'a' } }, upstream: 'a' },
        { name: 'agg', match: { path: '/s/:id' }, operation: '{ a }' },
      ],
      server: { trustedProxies: ['10.0.0.0/8', '::1'] },
    });
    expect(config.routes[0]).toMatchObject({ websocket: false, passUpstreamErrors: false, match: { methods: ['GET'], headers: { 'x-type': 'a' } } });
    expect(config.server.trustedProxies).toEqual(['10.0.0.0/8', '::1']);
    expect(config.apiDocs.enabled).toBe(true);
  });

  it('reports every problem at once: unknown upstream, duplicate names, bad shapes, bad CIDR', () => {
    const found = issues({
      upstreams: { a: { url: 'http://a:1' } },
      server: { trustedProxies: ['10.0.0.0/33'] },
      routes: [
        { name: 'r', match: { prefix: '/x' }, upstream: 'missing' },
        { name: 'r', match: { path: '/x', prefix: '/y' }, upstream: 'a' },
        { name: 'both', match: { path: '/z' }, upstream: 'a', operation: '{ a }' },
        { name: 'dots', match: { path: '/a/../b' }, upstream: 'a' },
        { name: 'strip', match: { prefix: '/q' }, upstream: 'a', rewrite: { stripPrefix: true, replacePath: '/w' } },
        { name: 'typo', match: { prefix: '/q' }, upstream: 'a', websockets: true },
        { name: 'cached-agg', match: { path: '/s' }, operation: '{ a }', policies: { cache: { maxAge: 5 } } },
      ],
    });
    expect(found.join('\n')).toContain('routes.6.policies.cache: aggregation routes are not cached');
    const text = found.join('\n');
    expect(text).toContain('routes.0.upstream: unknown upstream "missing"');
    expect(text).toContain('routes.1.name: duplicate route name "r"');
    expect(text).toContain('exactly one of "path" and "prefix"');
    expect(text).toContain('exactly one of "upstream" (passthrough) and "operation"');
    expect(text).toContain('"." or ".." segments');
    expect(text).toContain('exclude each other');
    expect(text).toContain('websockets');
    expect(text).toContain('server.trustedProxies.0');
  });
});
