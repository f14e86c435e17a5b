import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createForwardedResolver } from './forwarded.js';

/** A request on `socket` (one object per connection, as node gives every request of a keep-alive connection). */
function request(socket: object, headers: Record<string, string>): IncomingMessage {
  return { socket, headers } as unknown as IncomingMessage;
}

describe('forwarding headers', () => {
  it('follows the Host of each request on one connection, never what an untrusted client claims', () => {
    const resolver = createForwardedResolver(['10.0.0.0/8']);
    const socket = { remoteAddress: '::ffff:203.0.113.7' };
    const first = resolver.headers(request(socket, { host: 'a.example', 'x-forwarded-for': '1.1.1.1', forwarded: 'for=1.1.1.1' }));
    expect(first).toEqual({ 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'a.example', forwarded: 'for=203.0.113.7;host=a.example;proto=http' });
    const second = resolver.headers(request(socket, { host: 'b.example:8080', 'x-forwarded-host': 'evil.example' }));
    expect(second).toEqual({ 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'b.example:8080', forwarded: 'for=203.0.113.7;host="b.example:8080";proto=http' });
    expect(resolver.headers(request(socket, { host: 'a.example' }))['x-forwarded-host']).toBe('a.example');
    expect(resolver.clientIp(request(socket, { 'x-forwarded-for': '1.1.1.1' }))).toBe('203.0.113.7');
  });

  it('appends to what a trusted hop sent, request by request on one connection', () => {
    const resolver = createForwardedResolver(['10.0.0.0/8']);
    const socket = { remoteAddress: '10.1.2.3', encrypted: true };
    const first = resolver.headers(request(socket, { host: 'api.example', 'x-forwarded-for': '198.51.100.1', 'x-forwarded-proto': 'http' }));
    expect(first['x-forwarded-for']).toBe('198.51.100.1, 10.1.2.3');
    expect(first['x-forwarded-proto']).toBe('http');
    const second = resolver.headers(request(socket, { host: 'api.example', 'x-forwarded-for': '198.51.100.2' }));
    expect(second['x-forwarded-for']).toBe('198.51.100.2, 10.1.2.3');
    expect(second['x-forwarded-proto']).toBe('https');
    expect(resolver.clientIp(request(socket, { 'x-forwarded-for': '198.51.100.2, 10.9.9.9' }))).toBe('198.51.100.2');
  });

  it('each connection answers for its own peer', () => {
    const resolver = createForwardedResolver([]);
    const one = resolver.headers(request({ remoteAddress: '192.0.2.1' }, { host: 'h' }));
    const two = resolver.headers(request({ remoteAddress: '::1' }, { host: 'h' }));
    expect([one['x-forwarded-for'], two['x-forwarded-for']]).toEqual(['192.0.2.1', '::1']);
    expect(two.forwarded).toBe('for="[::1]";host=h;proto=http');
  });
});
