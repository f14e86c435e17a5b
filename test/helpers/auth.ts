import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { JunctionError } from '../../src/errors.js';

/** A signing key with its public JWK (kid set). */
export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(kid: string, alg = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export interface TokenOptions {
  key: TestKey;
  issuer?: string;
  audience?: string | string[];
  subject?: string;
  /** Seconds from now (default +300); `null` leaves `exp` out. */
  expiresIn?: number | null;
  claims?: JWTPayload;
  header?: Record<string, unknown>;
  nowSeconds?: number;
}

export async function sign(options: TokenOptions): Promise<string> {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: options.key.alg, kid: options.key.kid, ...options.header })
    .setIssuedAt(now)
    .setIssuer(options.issuer ?? 'https://issuer.test')
    .setAudience(options.audience ?? 'junction-api')
    .setSubject(options.subject ?? 'user-1');
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 300));
  return jwt.sign(options.key.privateKey);
}

/** A JSON server on port 0 that counts requests; its answer can be changed or made to fail. */
export interface JsonServer {
  url: string;
  requests: number;
  /** What the next requests get; `'down'` destroys the socket, `'hang'` never answers. */
  respond: ((req: IncomingMessage, body: string) => { status: number; body: unknown }) | 'down' | 'hang';
  close(): Promise<void>;
}

export async function startJsonServer(respond: JsonServer['respond']): Promise<JsonServer> {
  const state: JsonServer = { url: '', requests: 0, respond, close: async () => undefined };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const current = state.respond;
      if (current === 'down') return void req.socket.destroy();
      if (current === 'hang') return;
      const { status, body } = current(req, Buffer.concat(chunks).toString('utf8'));
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}

/** A JWKS endpoint serving `keys` (replace the array to rotate). */
export async function startJwks(initial: TestKey[]): Promise<JsonServer & { keys: TestKey[] }> {
  const holder = { keys: initial };
  const server = await startJsonServer(() => ({ status: 200, body: { keys: holder.keys.map((key) => key.publicJwk) } }));
  return Object.defineProperty(server, 'keys', { get: () => holder.keys, set: (keys: TestKey[]) => { holder.keys = keys; } }) as JsonServer & { keys: TestKey[] };
}

/** An upstream answering with the headers it received: `{ data: { echo } }` on POST /graphql, `{ headers }` elsewhere. */
export async function startEcho(): Promise<JsonServer> {
  return startJsonServer((req) => {
    const headers = JSON.stringify(req.headers);
    return req.url === '/graphql' ? { status: 200, body: { data: { echo: headers } } } : { status: 200, body: { headers: req.headers } };
  });
}

/** The error code a verification failed with, or `ACCEPTED` (answered at once or later). */
export async function codeOf(answer: unknown): Promise<string> {
  try {
    await answer;
    return 'ACCEPTED';
  } catch (error) {
    if (error instanceof JunctionError) return error.code;
    throw error;
  }
}
