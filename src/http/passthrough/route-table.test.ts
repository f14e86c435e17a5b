import { describe, expect, it } from 'vitest';
import { routesSchema, type RouteConfig } from '../../config/routes.js';
import { parseRequestTarget } from './request-target.js';
import { compileRewrite } from './rewrite.js';
import { compileRouteTable } from './route-table.js';

function routes(input: unknown[]): RouteConfig[] {
  return routesSchema.parse(input.map((route) => ({ upstream: 'u', ...(route as object) })));
}

function winner(table: ReturnType<typeof compileRouteTable>, path: string, headers = {}, search = ''): string | undefined {
  const found = table.find('GET', path, headers, search);
  return found.kind === 'found' ? found.route.config.name : found.kind;
}

describe('route table', () => {
  it('pins the precedence: exact, then patterns by literal segments, then prefixes by length, then declared order', () => {
    const table = compileRouteTable(routes([
      { name: 'root', match: { prefix: '/' } },
      { name: 'api', match: { prefix: '/api/' } },
      { name: 'any-user-thing', match: { path: '/api/:kind/:id' } },
      { name: 'user', match: { path: '/api/users/:id' } },
      { name: 'me', match: { path: '/api/users/me' } },
      { name: 'api-again', match: { prefix: '/api' } },
    ]));
    expect(winner(table, '/api/users/me')).toBe('me');
    expect(winner(table, '/api/users/7')).toBe('user');
    expect(winner(table, '/api/things/7')).toBe('any-user-thing');
    expect(winner(table, '/api/things/7/x')).toBe('api');
    expect(winner(table, '/apiary')).toBe('root');
  });

  it('captures params and checks header and query conditions', () => {
    const table = compileRouteTable(routes([
      { name: 'beta', match: { path: '/v/:id', query: { beta: '1' } } },
      { name: 'typed', match: { path: '/v/:id', headers: { 'x-type': 'a' } } },
      { name: 'plain', match: { path: '/v/:id' } },
    ]));
    const found = table.find('GET', '/v/42', {}, '?beta=1');
    expect(found.kind === 'found' && found.params).toEqual({ id: '42' });
    expect(winner(table, '/v/42', {}, '?beta=1')).toBe('beta');
    expect(winner(table, '/v/42', { 'x-type': 'a' })).toBe('typed');
    expect(winner(table, '/v/42')).toBe('plain');
    expect(winner(table, '/v/42/x')).toBe('not-found');
  });
});

describe('request target', () => {
  it('keeps encoding, collapses slashes, splits the query and refuses ambiguous paths', () => {
    expect(parseRequestTarget('/a//b/%20c?x=%2F')).toEqual({ path: '/a/b/%20c', search: '?x=%2F' });
    for (const bad of ['/a/%2e%2E/b', '/a/../b', '/a/.', '/a%2fb', '/a%5Cb', '/a\\b', '/..;/x', '/admin;x/users', '/admin%3bx/users', '/a/b;', 'http://h/x', '*', undefined]) {
      expect(parseRequestTarget(bad)).toBeUndefined();
    }
    expect(parseRequestTarget('/.well-known/x..y')?.path).toBe('/.well-known/x..y');
  });

  it('decodes escaped unreserved characters, so a route cannot be dodged by encoding its name', () => {
    expect(parseRequestTarget('/%61dmin/%7Euser%2dx')?.path).toBe('/admin/~user-x');
    expect(parseRequestTarget('/a%3ab%20c')?.path).toBe('/a%3Ab%20c');
    const table = compileRouteTable(routes([{ name: 'admin', match: { prefix: '/admin' } }, { name: 'public', match: { prefix: '/' } }]));
    expect(winner(table, parseRequestTarget('/%61dmin/users')!.path)).toBe('admin');
  });
});

describe('rewrite', () => {
  it('strips, replaces with params and adds prefixes; refuses a stripPrefix that is not part of the path', () => {
    const [strip, replace, both] = routes([
      { name: 's', match: { prefix: '/api/catalog' }, rewrite: { stripPrefix: true } },
      { name: 'r', match: { path: '/u/:id/x' }, rewrite: { replacePath: '/users/:id', addPrefix: '/v2/' } },
      { name: 'b', match: { prefix: '/api' }, rewrite: { stripPrefix: '/api', addPrefix: '/internal' } },
    ]);
    const table = compileRouteTable([strip!, replace!, both!]);
    expect(compileRewrite(strip!, table.routes[0]!.path)('/api/catalog/p/1', {})).toBe('/p/1');
    expect(compileRewrite(strip!, table.routes[0]!.path)('/api/catalog', {})).toBe('/');
    expect(compileRewrite(replace!, table.routes[1]!.path)('/u/7/x', { id: '7' })).toBe('/v2/users/7');
    expect(compileRewrite(both!, table.routes[2]!.path)('/api', {})).toBe('/internal');
    const [wrong] = routes([{ name: 'w', match: { prefix: '/a' }, rewrite: { stripPrefix: '/b' } }]);
    expect(() => compileRewrite(wrong!, compileRouteTable([wrong!]).routes[0]!.path)).toThrow(/not a leading part/);
    const [unknownParam] = routes([{ name: 'p', match: { path: '/a/:id' }, rewrite: { replacePath: '/b/:other' } }]);
    expect(() => compileRewrite(unknownParam!, compileRouteTable([unknownParam!]).routes[0]!.path)).toThrow(/":other"/);
  });
});

describe('trailing slash', () => {
  it('strict by default for exact and pattern paths; prefixes match both; trailingSlash: ignore matches one more or less', () => {
    const table = compileRouteTable(routes([
      { name: 'orders', match: { path: '/api/orders' } },
      { name: 'order', match: { path: '/api/orders/:id' } },
      { name: 'loose', match: { path: '/loose', trailingSlash: 'ignore' } },
      { name: 'loose-slash', match: { path: '/loose2/', trailingSlash: 'ignore' } },
      { name: 'loose-item', match: { path: '/items/:id', trailingSlash: 'ignore' } },
      { name: 'pub', match: { prefix: '/pub' } },
    ]));
    expect(winner(table, '/api/orders')).toBe('orders');
    expect(winner(table, '/api/orders/')).toBe('not-found');
    expect(winner(table, '/api/orders/7/')).toBe('not-found');
    expect(winner(table, '/loose')).toBe('loose');
    expect(winner(table, '/loose/')).toBe('loose');
    expect(winner(table, '/loose2')).toBe('loose-slash');
    expect(winner(table, '/loose2/')).toBe('loose-slash');
    expect(winner(table, '/items/7/')).toBe('loose-item');
    expect(winner(table, '/items/7')).toBe('loose-item');
    expect(winner(table, '/items/7//')).toBe('not-found');
    expect(winner(table, '/pub/')).toBe('pub');
    expect(winner(table, '/pub')).toBe('pub');
  });
});
