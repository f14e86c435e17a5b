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

/** What a connection's peer gives every request on it, worked out once per socket (keep-alive connections carry many). */
interface Peer {
  address: string;
  trusted: boolean;
  proto: 'http' | 'https';
  /** The headers of the last untrusted request on this connection, reused while its `Host` stays the same. */
  lastHost: string | undefined;
  lastHeaders: ForwardedHeaders | undefined;
}

const PEER = Symbol('junction.forwardedPeer');

export function createForwardedResolver(trustedProxies: readonly string[]): ForwardedResolver {
  const list = new BlockList();
  for (const entry of trustedProxies) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    list.addSubnet(address, bits === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bits), type);
  }
  const none = trustedProxies.length === 0;
  const isTrusted = (address: string): boolean => !none && address !== '' && list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');

  function peerOf(req: IncomingMessage): Peer {
    const socket = req.socket as IncomingMessage['socket'] & { [PEER]?: Peer };
    let peer = socket[PEER];
    if (peer === undefined) {
      const address = stripMapped(socket.remoteAddress ?? '');
      // An address not known yet (a socket already gone) is not remembered.
      if (address === '') return { address, trusted: false, proto: protoOf(req), lastHost: undefined, lastHeaders: undefined };
      peer = { address, trusted: isTrusted(address), proto: protoOf(req), lastHost: undefined, lastHeaders: undefined };
      socket[PEER] = peer;
    }
    return peer;
  }

  function trusted(req: IncomingMessage): boolean {
    return peerOf(req).trusted;
  }

  function headers(req: IncomingMessage): ForwardedHeaders {
    const peer = peerOf(req);
    const host = req.headers.host ?? '';
    if (!peer.trusted) {
      if (peer.lastHost === host) return peer.lastHeaders!;
      const own = ownNode(peer, host);
      peer.lastHost = host;
      peer.lastHeaders = Object.freeze({ 'x-forwarded-for': peer.address, 'x-forwarded-proto': peer.proto, 'x-forwarded-host': host, forwarded: own });
      return peer.lastHeaders;
    }
    const given = req.headers;
    const xff = joined(given['x-forwarded-for']);
    const fwd = joined(given['forwarded']);
    const own = ownNode(peer, host);
    return {
      'x-forwarded-for': xff === '' ? peer.address : `${xff}, ${peer.address}`,
      'x-forwarded-proto': firstOf(joined(given['x-forwarded-proto'])) || peer.proto,
      'x-forwarded-host': firstOf(joined(given['x-forwarded-host'])) || host,
      forwarded: fwd === '' ? own : `${fwd}, ${own}`,
    };
  }

  function clientIp(req: IncomingMessage): string {
    const peer = peerOf(req);
    if (!peer.trusted) return peer.address;
    const hops = joined(req.headers['x-forwarded-for']).split(',');
    for (let index = hops.length - 1; index >= 0; index--) {
      const hop = stripMapped(hops[index]!.trim());
      if (hop !== '' && !isTrusted(hop)) return hop;
    }
    return peer.address;
  }

  return { headers, clientIp, trusted };
}

function ownNode(peer: Peer, host: string): string {
  return `for=${forwardedNode(peer.address)};host=${quote(host)};proto=${peer.proto}`;
}

function protoOf(req: IncomingMessage): 'http' | 'https' {
  return (req.socket as TLSSocket).encrypted ? 'https' : 'http';
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
