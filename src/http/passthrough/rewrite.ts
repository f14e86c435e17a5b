import type { RouteConfig } from '../../config/routes.js';
import type { PathMatcher } from './path-matcher.js';

/** Maps the matched (normalised, still encoded) client path to the upstream path. */
export type PathRewrite = (path: string, params: Readonly<Record<string, string>>) => string;

/**
 * Compiles a route's `rewrite` once: `replacePath` (with `:params`) or `stripPrefix`, then
 * `addPrefix`. Parameter values are inserted as matched, still percent-encoded; they cannot hold
 * `/` or dot segments (see request-target.ts), so a rewrite never climbs out of its template.
 */
export function compileRewrite(config: RouteConfig, matcher: PathMatcher): PathRewrite {
  const { stripPrefix, replacePath, addPrefix } = config.rewrite;
  const add = addPrefix === undefined || addPrefix === '/' ? '' : addPrefix.replace(/\/+$/, '');
  if (replacePath !== undefined) return withPrefix(add, compileReplace(replacePath, matcher, config.name));
  const strip = stripOf(stripPrefix, matcher, config.name);
  if (strip === '' && add === '') return identity;
  const length = strip.length;
  return function rewritePath(path) {
    const rest = path.slice(length);
    const joined = add + (rest.length === 0 || rest.charCodeAt(0) === 47 ? rest : `/${rest}`);
    return joined.length === 0 ? '/' : joined;
  };
}

/** The literal path part `stripPrefix` removes, checked against the route's own path. */
export function stripOf(stripPrefix: boolean | string | undefined, matcher: PathMatcher, route: string): string {
  if (stripPrefix === undefined || stripPrefix === false) return '';
  const strip = stripPrefix === true ? matcher.literalPrefix : stripPrefix.replace(/\/+$/, '');
  const literal = matcher.literalPrefix;
  if (strip !== '' && !(literal === strip || literal.startsWith(`${strip}/`))) {
    throw new Error(`route "${route}": stripPrefix "${strip}" is not a leading part of its path "${matcher.template}"`);
  }
  return strip;
}

function compileReplace(template: string, matcher: PathMatcher, route: string): PathRewrite {
  const parts = template.split(/(:[A-Za-z_][A-Za-z0-9_]*)/);
  for (const part of parts) {
    if (part.startsWith(':') && !matcher.params.includes(part.slice(1))) {
      throw new Error(`route "${route}": replacePath uses "${part}", which its path does not capture`);
    }
  }
  if (parts.length === 1) return () => template;
  return function replacePath(_path, params) {
    let out = '';
    for (const part of parts) out += part.startsWith(':') ? params[part.slice(1)] : part;
    return out;
  };
}

function withPrefix(add: string, rewrite: PathRewrite): PathRewrite {
  return add === '' ? rewrite : (path, params) => add + rewrite(path, params);
}

function identity(path: string): string {
  return path;
}
