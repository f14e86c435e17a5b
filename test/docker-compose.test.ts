import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/demo-gateway.js';

// No Docker engine runs here, so this checks that everything the compose file names exists.
interface ComposeService {
  build?: string | { context: string; dockerfile?: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
}

const compose = parse(readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');

/** `dist/src/main.js` is built from `src/main.ts`; assets are copied as they are. */
function sourceOf(builtPath: string): string {
  return builtPath.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

describe('docker-compose.yml', () => {
  it('runs two gateway replicas, Redis and the four example upstreams', () => {
    const names = Object.keys(compose.services).sort();
    expect(names).toEqual(['catalog', 'gateway-1', 'gateway-2', 'orders', 'redis', 'reviews', 'users']);
  });

  for (const [name, service] of Object.entries(compose.services)) {
    it(`service ${name}: its build context, Dockerfile and command exist`, () => {
      if (service.image !== undefined) {
        expect(service.image).toMatch(/^redis:/);
        return;
      }
      const context = typeof service.build === 'string' ? service.build : service.build?.context;
      expect(context).toBeDefined();
      expect(existsSync(resolve(ROOT, context!, 'Dockerfile'))).toBe(true);
      const command = service.command ?? [];
      expect(command[0]).toBe('node');
      const script = command[1]!;
      expect(existsSync(resolve(ROOT, sourceOf(script))), `${script} is built from an existing source`).toBe(true);
      if (script.includes('subgraphs/main')) {
        expect(['users', 'reviews', 'catalog', 'orders']).toContain(command[2]);
      }
    });
  }

  it('points the gateways at the upstream services and Redis by name', () => {
    const env = compose.services['gateway-1']!.environment!;
    expect(env).toMatchObject({ USERS_URL: 'http://users:4001', REDIS_URL: 'redis://redis:6379' });
    const gatewayYaml = readFileSync(resolve(ROOT, env['JUNCTION_CONFIG']!.replace('/app/', '')), 'utf8');
    for (const variable of ['USERS_URL', 'REVIEWS_URL', 'CATALOG_URL', 'ORDERS_URL']) expect(gatewayYaml).toContain(`\${${variable}`);
  });

  it('copies into the image every path the Dockerfile names', () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));
    expect(copied.length).toBeGreaterThan(3);
    for (const path of copied) expect(existsSync(resolve(ROOT, path)), path).toBe(true);
    expect(dockerfile).toContain('npm run build');
  });
});
