import type { IncomingMessage } from 'node:http';
import type { RouteConfig } from '../../config/routes.js';
import type { Upstream } from '../../upstream/index.js';
import type { ForwardedResolver } from './forwarded.js';
import type { PathRewrite } from './rewrite.js';

/**
 * Redirects are passed to the client, never followed. An absolute `Location` that points at
 * the upstream itself (its configured URL, or one of its targets) would leak the backend's
 * address and lead the client around the gateway, so it is rewritten to the public origin the
 * client used (`X-Forwarded-Proto`/`-Host` from a trusted hop, else its own `Host`), with the
 * route's `addPrefix` swapped back to its `stripPrefix` (what nginx's `proxy_redirect default`
 * does). Relative locations and other hosts pass unchanged.
 */
export function createLocationRewriter(
  route: RouteConfig,
  upstream: Upstream,
  forwarded: ForwardedResolver,
): ((location: string, req: IncomingMessage) => string) | undefined {
  const bases = upstreamBases(upstream);
  if (bases.length === 0) return undefined;
  const strip = typeof route.rewrite.stripPrefix === 'string' ? route.rewrite.stripPrefix.replace(/\/+$/, '') : undefined;
  const add = route.rewrite.addPrefix?.replace(/\/+$/, '') ?? '';
  const stripTrue = route.rewrite.stripPrefix === true;

  return function rewriteLocation(location, req) {
    const base = bases.find((candidate) => location === candidate || location.startsWith(`${candidate}/`) || location.startsWith(`${candidate}?`));
    if (base === undefined) return location;
    let path = location.slice(base.length) || '/';
    if (add !== '' && (path === add || path.startsWith(`${add}/`))) path = path.slice(add.length) || '/';
    const restored = strip ?? (stripTrue ? literalPrefixOf(route) : '');
    if (restored !== '' && route.rewrite.replacePath === undefined) path = restored + (path === '/' ? '' : path);
    const { 'x-forwarded-proto': proto, 'x-forwarded-host': host } = forwarded.headers(req);
    return host === '' ? path : `${proto}://${host}${path}`;
  };
}

function literalPrefixOf(route: RouteConfig): string {
  const template = route.match.prefix ?? route.match.path ?? '';
  const cut = template.search(/\/(:|\*)/);
  return (cut === -1 ? template : template.slice(0, cut)).replace(/\/+$/, '');
}

/** Every `origin + base path` the upstream is reached at, without trailing `/`. */
export function upstreamBases(upstream: Upstream): string[] {
  const config = upstream.config as { url?: string; targets?: readonly { url: string }[] };
  const urls = [config.url, ...(config.targets ?? []).map((target) => target.url)].filter((url): url is string => typeof url === 'string');
  return urls.map((url) => {
    const parsed = new URL(url);
    return parsed.origin + parsed.pathname.replace(/\/+$/, '');
  });
}
