import type { IncomingHttpHeaders } from 'node:http';
import type { RouteConfig } from '../../config/routes.js';
import { compilePathMatcher, type PathMatcher } from './path-matcher.js';

/**
 * The route table, compiled once. Precedence (most specific first, then declared order):
 * 1. exact paths; 2. patterns, more literal segments first, then more segments;
 * 3. prefixes, longer first. Among routes of equal rank the one declared first wins. A route
 * wins only when its methods, host, headers and query conditions all hold as well; otherwise
 * the next candidate is tried.
 */

export interface CompiledRoute {
  readonly config: RouteConfig;
  readonly index: number;
  readonly path: PathMatcher;
  /** Upper-case methods, or `undefined` for any. */
  readonly methods: ReadonlySet<string> | undefined;
  /** Host, headers and query hold (the path and method are checked by the table). */
  readonly conditions: (headers: IncomingHttpHeaders, query: () => URLSearchParams) => boolean;
}

export type RouteLookup =
  | { kind: 'found'; route: CompiledRoute; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string }
  | { kind: 'not-found' };

export interface RouteTable {
  readonly routes: readonly CompiledRoute[];
  find(method: string, path: string, headers: IncomingHttpHeaders, search: string): RouteLookup;
}

const NOT_FOUND: RouteLookup = { kind: 'not-found' };

export function compileRouteTable(configs: readonly RouteConfig[], defaultMethods?: (config: RouteConfig) => readonly string[] | undefined): RouteTable {
  const routes = configs.map((config, index) => compileRoute(config, index, defaultMethods?.(config)));
  const exact = new Map<string, CompiledRoute[]>();
  for (const route of routes) {
    for (const key of route.path.exactPaths) {
      const list = exact.get(key) ?? [];
      list.push(route);
      exact.set(key, list);
    }
  }
  const ranked = routes.filter((route) => route.path.kind !== 'exact').sort(byPrecedence);
  const empty: CompiledRoute[] = [];

  function find(method: string, path: string, headers: IncomingHttpHeaders, search: string): RouteLookup {
    let parsed: URLSearchParams | undefined;
    const query = (): URLSearchParams => (parsed ??= new URLSearchParams(search));
    let allow: Set<string> | undefined;
    for (const list of [exact.get(path) ?? empty, ranked]) {
      for (const route of list) {
        const params = route.path.match(path);
        if (params === undefined || !route.conditions(headers, query)) continue;
        if (route.methods === undefined || route.methods.has(method)) return { kind: 'found', route, params };
        allow ??= new Set();
        for (const allowed of route.methods) allow.add(allowed);
      }
    }
    return allow === undefined ? NOT_FOUND : { kind: 'method-not-allowed', allow: [...allow].join(', ') };
  }

  return { routes, find };
}

/** Sort key of non-exact routes: patterns before prefixes, then specificity, then declared order. */
function byPrecedence(a: CompiledRoute, b: CompiledRoute): number {
  if (a.path.kind !== b.path.kind) return a.path.kind === 'pattern' ? -1 : 1;
  if (a.path.kind === 'pattern') {
    const literal = b.path.literalSegments - a.path.literalSegments;
    if (literal !== 0) return literal;
    const total = b.path.literalSegments + b.path.params.length - (a.path.literalSegments + a.path.params.length);
    if (total !== 0) return total;
  } else {
    const length = b.path.template.length - a.path.template.length;
    if (length !== 0) return length;
  }
  return a.index - b.index;
}

function compileRoute(config: RouteConfig, index: number, defaultMethods: readonly string[] | undefined): CompiledRoute {
  let path: PathMatcher;
  try {
    path = compilePathMatcher(config.match.path, config.match.prefix, config.match.trailingSlash === 'ignore');
  } catch (error) {
    throw new Error(`route "${config.name}": ${(error as Error).message}`);
  }
  const methods = config.match.methods ?? defaultMethods;
  const methodSet = methods === undefined ? undefined : new Set(methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])));
  return { config, index, path, methods: methodSet, conditions: compileConditions(config) };
}

type Check = (headers: IncomingHttpHeaders, query: () => URLSearchParams) => boolean;

function compileConditions(config: RouteConfig): Check {
  const checks: Check[] = [];
  const { host, headers, query } = config.match;
  if (host !== undefined) {
    const suffix = host.startsWith('*.') ? host.slice(1) : undefined;
    checks.push((given) => {
      const actual = hostnameOf(given.host);
      return suffix === undefined ? actual === host : actual.endsWith(suffix) && actual.length > suffix.length;
    });
  }
  for (const [name, expected] of Object.entries(headers)) {
    const allowed = new Set(typeof expected === 'string' ? [expected] : expected);
    checks.push((given) => {
      const value = given[name];
      return typeof value === 'string' ? allowed.has(value) : Array.isArray(value) && value.some((v) => allowed.has(v));
    });
  }
  for (const [name, expected] of Object.entries(query)) {
    const allowed = new Set(typeof expected === 'string' ? [expected] : expected);
    checks.push((_given, parsed) => parsed().getAll(name).some((value) => allowed.has(value)));
  }
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0]!;
  return (given, parsed) => checks.every((check) => check(given, parsed));
}

/** Lower-case host name of a `Host` header, without port (IPv6 literals keep their brackets). */
export function hostnameOf(host: string | undefined): string {
  if (host === undefined) return '';
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}
