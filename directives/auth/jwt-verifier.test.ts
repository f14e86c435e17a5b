import { createHmac, generateKeyPairSync, KeyObject, randomUUID, sign as cryptoSign } from 'node:crypto';
import { base64url, exportSPKI, SignJWT, UnsecuredJWT } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { jwtSchema, type JwtConfig } from '../../src/config/auth.js';
import { silentLogger } from '../../src/logger.js';
import { codeOf, makeKey, sign, startJsonServer, startJwks, type JsonServer, type TestKey } from '../../test/helpers/auth.js';
import { createAuthHttp, type AuthHttpClient } from './http-client.js';
import { createJwtVerifier, type JwtVerifier } from './jwt-verifier.js';

const ISS = 'https://issuer.test';
let key: TestKey;
let other: TestKey;
let servers: JsonServer[] = [];
let http: AuthHttpClient;

/** Claims are checked against the system clock: only `Date` is faked, so sockets and timeouts stay real. */
const advance = (ms: number): void => void vi.setSystemTime(Date.now() + ms);

beforeAll(async () => {
  key = await makeKey('k1');
  other = await makeKey('attacker');
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
  await http?.close();
});

function verifier(config: Record<string, unknown>): JwtVerifier {
  http = createAuthHttp();
  return createJwtVerifier(jwtSchema.parse(config) as JwtConfig, { http: http.request, now: () => Date.now(), logger: silentLogger(), realm: 'junction' });
}

async function jwksVerifier(keys: TestKey[], jwks: Record<string, unknown> = {}): Promise<{ verify: JwtVerifier; server: JsonServer & { keys: TestKey[] } }> {
  const server = await startJwks(keys);
  servers.push(server);
  const verify = verifier({ issuers: [{ issuer: ISS, audience: 'junction-api', jwksUrl: `${server.url}/jwks` }], jwks: { cooldownMs: 30_000, ...jwks } });
  return { verify, server };
}

describe('JWT verification (local keys)', () => {
  const local = (): JwtVerifier => verifier({ issuers: [{ issuer: ISS, audience: 'junction-api', keys: [{ jwk: key.publicJwk }] }] });

  it('accepts a good token and builds the principal', async () => {
    const principal = await local().verify(await sign({ key, claims: { scope: 'a b', role: 'admin' } }));
    expect(principal).toMatchObject({ id: `${ISS}#user-1`, scopes: ['a', 'b'], method: 'jwt', claims: { role: 'admin' } });
  });

  it('rejects alg "none"', async () => {
    const unsecured = new UnsecuredJWT({ sub: 'user-1' }).setIssuer(ISS).setAudience('junction-api').setExpirationTime('5m').encode();
    expect(await codeOf(local().verify(unsecured))).toBe('UNAUTHENTICATED');
  });

  it('rejects HS256 signed with the RSA public key as the HMAC secret (PEM and JWK forms)', async () => {
    const pem = await exportSPKI(await crypto.subtle.importKey('jwk', key.publicJwk as JsonWebKey, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['verify']));
    const v = verifier({ issuers: [{ issuer: ISS, audience: 'junction-api', keys: [{ pem, kid: 'k1' }] }] });
    for (const secret of [pem, JSON.stringify(key.publicJwk), base64url.decode(key.publicJwk.n!)]) {
      const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setIssuer(ISS).setAudience('junction-api')
        .setSubject('user-1').setExpirationTime('5m').sign(bytes);
      expect(await codeOf(v.verify(token))).toBe('UNAUTHENTICATED');
    }
    expect(await codeOf(v.verify(await sign({ key })))).toBe('ACCEPTED');
  });

  it('requires exp and sub; rejects expired tokens beyond the clock tolerance only', async () => {
    const v = local();
    expect(await codeOf(v.verify(await sign({ key, expiresIn: null })))).toBe('UNAUTHENTICATED');
    const noSub = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISS).setAudience('junction-api').setExpirationTime('5m').sign(key.privateKey);
    expect(await codeOf(v.verify(noSub))).toBe('UNAUTHENTICATED');
    expect(await codeOf(v.verify(await sign({ key, expiresIn: -60 })))).toBe('UNAUTHENTICATED');
    expect(await codeOf(v.verify(await sign({ key, expiresIn: -10 })))).toBe('ACCEPTED');
  });

  it('checks audience and issuer', async () => {
    const v = local();
    expect(await codeOf(v.verify(await sign({ key, audience: 'another-api' })))).toBe('UNAUTHENTICATED');
    expect(await codeOf(v.verify(await sign({ key, issuer: 'https://evil.test' })))).toBe('UNAUTHENTICATED');
    expect(await codeOf(v.verify(await sign({ key, audience: ['another-api', 'junction-api'] })))).toBe('ACCEPTED');
  });

  it('requires iss and aud: a token without either is refused, even with a single issuer configured', async () => {
    const v = local();
    const unsigned = () => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('user-1').setExpirationTime('5m');
    expect(await codeOf(v.verify(await unsigned().setIssuer(ISS).sign(key.privateKey)))).toBe('UNAUTHENTICATED');
    expect(await codeOf(v.verify(await unsigned().setAudience('junction-api').sign(key.privateKey)))).toBe('UNAUTHENTICATED');
    expect(await codeOf(v.verify(await unsigned().setIssuer(ISS).setAudience('junction-api').sign(key.privateKey)))).toBe('ACCEPTED');
  });

  it('never uses an embedded jwk: a token signed by the attacker with its own key in the header is rejected', async () => {
    const v = local();
    for (const header of [{ jwk: other.publicJwk, kid: 'k1' }, { jwk: other.publicJwk, kid: undefined }]) {
      const token = await sign({ key: other, header });
      expect(await codeOf(v.verify(token))).toBe('UNAUTHENTICATED');
    }
  });

  it('never follows jku or x5u: the attacker\'s key server gets no request', async () => {
    const attacker = await startJwks([{ ...other, kid: 'k1', publicJwk: { ...other.publicJwk, kid: 'k1' } }]);
    servers.push(attacker);
    const { verify } = await jwksVerifier([key]);
    const token = await sign({ key: { ...other, kid: 'k1' }, header: { jku: `${attacker.url}/jwks`, x5u: `${attacker.url}/cert` } });
    expect(await codeOf(verify.verify(token))).toBe('UNAUTHENTICATED');
    expect(attacker.requests).toBe(0);
  });

  it('several issuers: each token is checked with its own issuer\'s keys only', async () => {
    const v = verifier({
      issuers: [
        { issuer: ISS, audience: 'junction-api', keys: [{ jwk: key.publicJwk }] },
        { issuer: 'https://b.test', audience: 'junction-api', keys: [{ jwk: other.publicJwk }] },
      ],
    });
    expect(await codeOf(v.verify(await sign({ key: other, issuer: 'https://b.test' })))).toBe('ACCEPTED');
    expect(await codeOf(v.verify(await sign({ key: other, issuer: ISS })))).toBe('UNAUTHENTICATED');
  });

  it('HS256 only for an issuer configured with a secret; such an issuer refuses RS256', async () => {
    const secret = 'a-shared-secret-of-at-least-32-bytes!';
    const v = verifier({ issuers: [{ issuer: ISS, audience: 'junction-api', secret }] });
    const hs = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISS).setAudience('junction-api').setSubject('s').setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    expect(await codeOf(v.verify(hs))).toBe('ACCEPTED');
    expect(await codeOf(v.verify(await sign({ key })))).toBe('UNAUTHENTICATED');
    expect(() => jwtSchema.parse({ issuers: [{ issuer: ISS, audience: 'a', keys: [{ jwk: key.publicJwk }], algorithms: ['HS256'] }] })).toThrow(/HS256 only with/);
    // A hand-made HS256 signature over the header and payload with a wrong secret fails too.
    const [h, p] = hs.split('.');
    const forged = `${h}.${p}.${createHmac('sha256', 'wrong').update(`${h}.${p}`).digest('base64url')}`;
    expect(await codeOf(v.verify(forged))).toBe('UNAUTHENTICATED');
  });
});

/** An RS256 token signed by hand, for headers and claims jose refuses to produce. */
function rs256(header: Record<string, unknown>, claims: Record<string, unknown>, privateKey: KeyObject): string {
  const input = `${base64url.encode(JSON.stringify({ alg: 'RS256', ...header }))}.${base64url.encode(JSON.stringify(claims))}`;
  return `${input}.${cryptoSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

describe('JWT verification: algorithms and keys', () => {
  const withKeys = (keys: Record<string, unknown>[], extra: Record<string, unknown> = {}): JwtVerifier =>
    verifier({ issuers: [{ issuer: ISS, audience: 'junction-api', keys, ...extra }] });

  it('ES256, PS256 and Ed25519 keys (alg EdDSA or Ed25519) verify their own tokens', async () => {
    for (const alg of ['ES256', 'PS256', 'EdDSA', 'Ed25519']) {
      const signing = await makeKey(`k-${alg}`, alg);
      const v = withKeys([{ jwk: signing.publicJwk }]);
      expect(await codeOf(v.verify(await sign({ key: signing }))), alg).toBe('ACCEPTED');
      expect(await codeOf(v.verify(await sign({ key: { ...other, kid: signing.kid } }))), alg).toBe('UNAUTHENTICATED');
    }
  });

  it('a key checks only the algorithms of its type and the issuer\'s list', async () => {
    const ec = await makeKey('ec', 'ES256');
    // An RS256 token naming the EC key's kid finds no key made for RS256.
    expect(await codeOf(withKeys([{ jwk: ec.publicJwk }]).verify(await sign({ key: { ...key, kid: 'ec' } })))).toBe('UNAUTHENTICATED');
    // The same RSA key checks a PS256 token, unless its JWK says alg RS256.
    const pss = await makeKey('k1', 'PS256');
    const token = await sign({ key: pss });
    expect(await codeOf(withKeys([{ jwk: pss.publicJwk }]).verify(token))).toBe('ACCEPTED');
    expect(await codeOf(withKeys([{ jwk: { ...pss.publicJwk, alg: 'RS256' } }]).verify(token))).toBe('UNAUTHENTICATED');
    // A configured key that fits none of the issuer's algorithms is a mistake the start reports.
    expect(() => withKeys([{ jwk: key.publicJwk }, { jwk: ec.publicJwk }], { algorithms: ['ES256'] })).toThrow(/fits none of its algorithms/);
  });

  it('tokens without a kid are tried against every key fit for their alg', async () => {
    const v = withKeys([{ jwk: { ...other.publicJwk, kid: undefined } }, { jwk: { ...key.publicJwk, kid: undefined } }]);
    expect(await codeOf(v.verify(await sign({ key, header: { kid: undefined } })))).toBe('ACCEPTED');
    const stranger = await makeKey('s');
    expect(await codeOf(v.verify(await sign({ key: stranger, header: { kid: undefined } })))).toBe('UNAUTHENTICATED');
  });

  it('RSA keys under 2048 bits are refused in the config and ignored in a JWKS', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const small = publicKey.export({ format: 'jwk' });
    expect(() => withKeys([{ jwk: { ...small, kid: 'small' } }])).toThrow(/2048/);
    const server = await startJsonServer(() => ({ status: 200, body: { keys: [{ ...small, kid: 'small' }] } }));
    servers.push(server);
    const v = verifier({ issuers: [{ issuer: ISS, audience: 'junction-api', jwksUrl: server.url }] });
    const token = rs256({ kid: 'small' }, { iss: ISS, aud: 'junction-api', sub: 'u', exp: Math.floor(Date.now() / 1000) + 300 }, privateKey);
    expect(await codeOf(v.verify(token))).toBe('UNAUTHENTICATED');
  });

  it('refuses unknown critical headers, a non-string sub, and nbf in the future beyond the tolerance', async () => {
    const v = local();
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: ISS, aud: 'junction-api', sub: 'user-1', exp: now + 300 };
    const signing = KeyObject.from(key.privateKey);
    expect(await codeOf(v.verify(rs256({ kid: 'k1' }, claims, signing)))).toBe('ACCEPTED');
    expect(await codeOf(v.verify(rs256({ kid: 'k1', crit: ['exotic'], exotic: true }, claims, signing)))).toBe('UNAUTHENTICATED');
    expect(await codeOf(v.verify(rs256({ kid: 'k1' }, { ...claims, sub: 42 }, signing)))).toBe('UNAUTHENTICATED');
    expect(await codeOf(v.verify(rs256({ kid: 'k1' }, { ...claims, nbf: now + 60 }, signing)))).toBe('UNAUTHENTICATED');
    expect(await codeOf(v.verify(rs256({ kid: 'k1' }, { ...claims, nbf: now + 20 }, signing)))).toBe('ACCEPTED');
  });

  const local = (): JwtVerifier => withKeys([{ jwk: key.publicJwk }]);
});

describe('verified-token cache', () => {
  it('remembers a verified token, never past its exp nor verifiedCacheMaxAgeMs', async () => {
    const server = await startJwks([key]);
    servers.push(server);
    const verify = verifier({ issuers: [{ issuer: ISS, audience: 'junction-api', jwksUrl: server.url }], verifiedCacheMaxAgeMs: 600_000 });
    const token = await sign({ key, expiresIn: 120, nowSeconds: Math.floor(Date.now() / 1000) });
    expect(await codeOf(verify.verify(token))).toBe('ACCEPTED');
    advance(59_000);
    expect(await codeOf(verify.verify(token))).toBe('ACCEPTED');
    advance(62_000 + 30_000);
    expect(await codeOf(verify.verify(token))).toBe('UNAUTHENTICATED');
    expect(server.requests).toBe(1);
  });

  it('answers a valid token at once when its keys are at hand, remembers it, and never remembers a refused one', async () => {
    const v = verifier({ issuers: [{ issuer: ISS, audience: 'junction-api', keys: [{ jwk: key.publicJwk }] }] });
    const token = await sign({ key });
    const principal = v.verify(token);
    expect(principal).not.toBeInstanceOf(Promise);
    expect(principal).toMatchObject({ id: `${ISS}#user-1` });
    // Remembered: the same principal, not a second verification's.
    expect(v.verify(token)).toBe(principal);
    const refused = `${token.slice(0, -4)}AAAA`;
    expect(await codeOf(v.verify(refused))).toBe('UNAUTHENTICATED');
    const refusedAgain = v.verify(refused);
    expect(refusedAgain).toBeInstanceOf(Promise);
    expect(await codeOf(refusedAgain)).toBe('UNAUTHENTICATED');
  });

  it('can be turned off', async () => {
    const v = verifier({ issuers: [{ issuer: ISS, audience: 'junction-api', keys: [{ jwk: key.publicJwk }] }], verifiedCacheSize: 0 });
    const token = await sign({ key });
    expect(await codeOf(v.verify(token))).toBe('ACCEPTED');
    expect(await codeOf(v.verify(token))).toBe('ACCEPTED');
  });
});

describe('JWT verification (remote JWKS)', () => {
  it('an unknown kid triggers one refetch (key rotation) once the cooldown has passed', async () => {
    const { verify, server } = await jwksVerifier([key]);
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('ACCEPTED');
    expect(server.requests).toBe(1);
    const rotated = await makeKey('k2');
    server.keys = [key, rotated];
    expect(await codeOf(verify.verify(await sign({ key: rotated })))).toBe('UNAUTHENTICATED');
    expect(server.requests).toBe(1);
    advance(30_001);
    expect(await codeOf(verify.verify(await sign({ key: rotated })))).toBe('ACCEPTED');
    expect(await codeOf(verify.verify(await sign({ key: rotated })))).toBe('ACCEPTED');
    expect(server.requests).toBe(2);
  });

  it('waits for the key set once; a token whose kid it holds is then answered at once', async () => {
    const { verify, server } = await jwksVerifier([key]);
    const first = verify.verify(await sign({ key }));
    expect(first).toBeInstanceOf(Promise);
    await first;
    const next = verify.verify(await sign({ key, claims: { jti: 'another' } }));
    expect(next).not.toBeInstanceOf(Promise);
    expect(next).toMatchObject({ method: 'jwt' });
    expect(server.requests).toBe(1);
  });

  it('1,000 tokens with random kids in a burst: the JWKS is fetched at most twice', async () => {
    const { verify, server } = await jwksVerifier([key]);
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => sign({ key: { ...other, kid: randomUUID() } })));
    const codes = await Promise.all(tokens.map((token) => codeOf(verify.verify(token))));
    expect(new Set(codes)).toEqual(new Set(['UNAUTHENTICATED']));
    expect(server.requests).toBeLessThanOrEqual(2);
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('ACCEPTED');
  });

  it('keeps the last good key set through a JWKS outage, past its max age', async () => {
    const { verify, server } = await jwksVerifier([key], { maxAgeMs: 60_000 });
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('ACCEPTED');
    server.respond = 'down';
    advance(3_600_000);
    for (let i = 0; i < 3; i++) {
      expect(await codeOf(verify.verify(await sign({ key, nowSeconds: Math.floor(Date.now() / 1000) })))).toBe('ACCEPTED');
      advance(31_000);
    }
    expect(server.requests).toBeGreaterThan(1);
  });

  it('a key rotated in during a JWKS outage → AUTH_UNAVAILABLE (not invalid_token) until the JWKS answers again', async () => {
    const { verify, server } = await jwksVerifier([key]);
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('ACCEPTED');
    const rotated = await makeKey('k2');
    const serving = server.respond;
    server.respond = 'down';
    advance(30_001);
    expect(await codeOf(verify.verify(await sign({ key: rotated })))).toBe('AUTH_UNAVAILABLE');
    expect(server.requests).toBe(2);
    // Within the cooldown: still unavailable, without another fetch; the old key still works.
    expect(await codeOf(verify.verify(await sign({ key: rotated })))).toBe('AUTH_UNAVAILABLE');
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('ACCEPTED');
    expect(server.requests).toBe(2);
    server.respond = serving;
    server.keys = [key, rotated];
    advance(30_001);
    expect(await codeOf(verify.verify(await sign({ key: rotated })))).toBe('ACCEPTED');
    expect(server.requests).toBe(3);
  });

  it('an unknown kid is invalid_token when the refetch it triggers succeeds', async () => {
    const { verify, server } = await jwksVerifier([key]);
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('ACCEPTED');
    advance(30_001);
    expect(await codeOf(verify.verify(await sign({ key: { ...other, kid: 'not-published' } })))).toBe('UNAUTHENTICATED');
    expect(server.requests).toBe(2);
  });

  it('1,000 tokens with random kids while the JWKS is known to be failing: AUTH_UNAVAILABLE, no further fetch', async () => {
    const { verify, server } = await jwksVerifier([key], { maxAgeMs: 60_000 });
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('ACCEPTED');
    server.respond = 'down';
    advance(3_600_000);
    const fresh = (signer: TestKey) => sign({ key: signer, nowSeconds: Math.floor(Date.now() / 1000) });
    // A known key is accepted at once; the background refresh it starts finds the JWKS down.
    expect(await codeOf(verify.verify(await fresh(key)))).toBe('ACCEPTED');
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => fresh({ ...other, kid: randomUUID() })));
    const codes = await Promise.all(tokens.map((token) => codeOf(verify.verify(token))));
    expect(new Set(codes)).toEqual(new Set(['AUTH_UNAVAILABLE']));
    expect(server.requests).toBe(2);
  });

  it('JWKS unreachable from the start → AUTH_UNAVAILABLE, never accepted', async () => {
    const { verify, server } = await jwksVerifier([key]);
    server.respond = 'down';
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('AUTH_UNAVAILABLE');
    server.respond = () => ({ status: 500, body: {} });
    advance(30_001);
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('AUTH_UNAVAILABLE');
    server.respond = () => ({ status: 200, body: { keys: [key.publicJwk] } });
    advance(30_001);
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('ACCEPTED');
  });

  it('a JWKS that never answers is bounded by timeoutMs', async () => {
    const { verify, server } = await jwksVerifier([key], { timeoutMs: 150 });
    server.respond = 'hang';
    const started = performance.now();
    expect(await codeOf(verify.verify(await sign({ key })))).toBe('AUTH_UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('ignores symmetric keys published in a JWKS', async () => {
    const server = await startJsonServer(() => ({ status: 200, body: { keys: [{ kty: 'oct', kid: 'h', k: base64url.encode('x'.repeat(32)) }] } }));
    servers.push(server);
    const v = verifier({ issuers: [{ issuer: ISS, audience: 'junction-api', jwksUrl: server.url }] });
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'h' }).setIssuer(ISS).setAudience('junction-api').setSubject('s')
      .setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await codeOf(v.verify(token))).toBe('UNAUTHENTICATED');
  });
});
