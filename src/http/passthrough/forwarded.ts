import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv4 } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * `X-Forwarded-For`, `-Proto`, `-Host` and `Forwarded` (RFC 7239) toward the upstream. What the
 * client sent is kept (and appended to) only when the connection comes from a configured proxy
 * hop (`server.trustedProxies`); from anyone else it is replaced, so a client cannot forge its
 * address, scheme or host.
 */

export interface ForwardedHeaders {
  'x-forwarded-for': string;
  'x-forwarded-proto': string;
  'x-forwarded-host': string;
  forwarded: string;
}

export interface ForwardedResolver {
  /** The four headers for this request. */
  headers(req: IncomingMessage): ForwardedHeaders;
  /** The client address: the peer, or with trusted hops the first untrusted address from the right of X-Forwarded-For. */
  clientIp(req: IncomingMessage): string;
  /** Whether the direct peer is a trusted proxy hop. */
  trusted(req: IncomingMessage): boolean;
}

export function createForwardedResolver(trustedProxies: readonly string[]): ForwardedResolver {
  const list = new BlockList();
  for (const entry of trustedProxies) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    list.addSubnet(address, bits === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bits), type);
  }
  const none = trustedProxies.length === 0;
  const isTrusted = (address: string): boolean => !none && address !== '' && list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');

  function trusted(req: IncomingMessage): boolean {
    return isTrusted(peerOf(req));
  }

  function headers(req: IncomingMessage): ForwardedHeaders {
    const peer = peerOf(req);
    const proto = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
    const host = req.headers.host ?? '';
    const own = `for=${forwardedNode(peer)};host=${quote(host)};proto=${proto}`;
    if (!isTrusted(peer)) return { 'x-forwarded-for': peer, 'x-forwarded-proto': proto, 'x-forwarded-host': host, forwarded: own };
    const given = req.headers;
    const xff = joined(given['x-forwarded-for']);
    const fwd = joined(given['forwarded']);
    return {
      'x-forwarded-for': xff === '' ? peer : `${xff}, ${peer}`,
      'x-forwarded-proto': firstOf(joined(given['x-forwarded-proto'])) || proto,
      'x-forwarded-host': firstOf(joined(given['x-forwarded-host'])) || host,
      forwarded: fwd === '' ? own : `${fwd}, ${own}`,
    };
  }

  function clientIp(req: IncomingMessage): string {
    const peer = peerOf(req);
    if (!isTrusted(peer)) return peer;
    const hops = joined(req.headers['x-forwarded-for']).split(',');
    for (let index = hops.length - 1; index >= 0; index--) {
      const hop = stripMapped(hops[index]!.trim());
      if (hop !== '' && !isTrusted(hop)) return hop;
    }
    return peer;
  }

  return { headers, clientIp, trusted };
}

function peerOf(req: IncomingMessage): string {
  return stripMapped(req.socket.remoteAddress ?? '');
}

/** `::ffff:10.0.0.1` → `10.0.0.1`. */
function stripMapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function forwardedNode(address: string): string {
  if (address === '') return 'unknown';
  return address.includes(':') ? `"[${address}]"` : address;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function quote(value: string): string {
  return TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function joined(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.join(', ');
}

function firstOf(list: string): string {
  const comma = list.indexOf(',');
  return (comma === -1 ? list : list.slice(0, comma)).trim();
}
