/**
 * One route's path rule, compiled once at startup: exact, pattern (`:name` segments, compiled to
 * one anchored RegExp) or segment-boundary prefix. Nothing here allocates per request except
 * the params object of a pattern match.
 */

export type PathKind = 'exact' | 'pattern' | 'prefix';

export interface PathMatcher {
  kind: PathKind;
  /** The path as configured (prefix without trailing `/`, `/*` folded into `prefix`). */
  template: string;
  /** Parameter names, in order (patterns only). */
  params: readonly string[];
  /** Literal segments, for precedence among patterns. */
  literalSegments: number;
  /** The literal start of the template, up to its first parameter (what `stripPrefix: true` strips). */
  literalPrefix: string;
  /** Every path an exact matcher matches (its lookup keys); empty for the other kinds. */
  exactPaths: readonly string[];
  /** `undefined`: no match; otherwise the params (empty object for exact and prefix). */
  match(path: string): Record<string, string> | undefined;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const PARAM_SEGMENT = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Compiles `match.path` or `match.prefix` of a route. `ignoreTrailingSlash` lets an exact or
 * pattern path match with one trailing `/` more or less (prefixes always do).
 */
export function compilePathMatcher(path: string | undefined, prefix: string | undefined, ignoreTrailingSlash = false): PathMatcher {
  if (prefix !== undefined) return prefixMatcher(prefix);
  const template = path ?? '/';
  if (template === '/*' || template.endsWith('/*')) return prefixMatcher(template.slice(0, -2) || '/');
  if (!template.split('/').some((segment) => segment.startsWith(':'))) return exactMatcher(template, ignoreTrailingSlash);
  return patternMatcher(template, ignoreTrailingSlash);
}

function exactMatcher(template: string, ignoreTrailingSlash: boolean): PathMatcher {
  const bare = template.length > 1 && template.endsWith('/') ? template.slice(0, -1) : template;
  const slashed = bare === '/' ? '/' : `${bare}/`;
  return {
    kind: 'exact',
    template,
    params: [],
    literalSegments: segmentsOf(template).length,
    literalPrefix: template,
    exactPaths: ignoreTrailingSlash ? [...new Set([bare, slashed])] : [template],
    match: ignoreTrailingSlash
      ? (path) => (path === bare || path === slashed ? NO_PARAMS : undefined)
      : (path) => (path === template ? NO_PARAMS : undefined),
  };
}

function prefixMatcher(raw: string): PathMatcher {
  const template = raw.length > 1 && raw.endsWith('/') ? raw.slice(0, -1) : raw;
  if (template.includes(':') && template.split('/').some((segment) => PARAM_SEGMENT.test(segment))) {
    throw new Error(`prefix "${raw}" cannot hold parameters; use a pattern in "path"`);
  }
  const root = template === '/';
  const length = template.length;
  return {
    kind: 'prefix',
    template,
    params: [],
    literalSegments: segmentsOf(template).length,
    literalPrefix: root ? '' : template,
    exactPaths: [],
    match(path) {
      if (root) return NO_PARAMS;
      if (!path.startsWith(template)) return undefined;
      return path.length === length || path.charCodeAt(length) === 47 ? NO_PARAMS : undefined;
    },
  };
}

function patternMatcher(template: string, ignoreTrailingSlash: boolean): PathMatcher {
  const params: string[] = [];
  const segments = segmentsOf(template);
  let literalSegments = 0;
  const source = segments
    .map((segment) => {
      const param = PARAM_SEGMENT.exec(segment);
      if (param === null) {
        if (segment.includes(':') && segment.startsWith(':')) throw new Error(`bad parameter "${segment}" in "${template}"`);
        literalSegments++;
        return escapeRegExp(segment);
      }
      if (params.includes(param[1]!)) throw new Error(`parameter ":${param[1]}" appears twice in "${template}"`);
      params.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  const regex = new RegExp(`^/${source}${ignoreTrailingSlash ? '/?' : template.endsWith('/') ? '/' : ''}$`);
  const firstParam = template.indexOf('/:');
  return {
    kind: 'pattern',
    template,
    params,
    literalSegments,
    literalPrefix: firstParam <= 0 ? '' : template.slice(0, firstParam),
    exactPaths: [],
    match(path) {
      const found = regex.exec(path);
      if (found === null) return undefined;
      const values: Record<string, string> = {};
      for (let index = 0; index < params.length; index++) values[params[index]!] = found[index + 1]!;
      return values;
    },
  };
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
