import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';

/** Issuer and audience the bench auth config (configs/policies-auth.yaml) expects. */
export const BENCH_ISSUER = 'https://issuer.bench.local';
export const BENCH_AUDIENCE = 'junction-bench';

/**
 * Tokens of the distinct-token row: more than twice the gateway's verified-token cache
 * (`auth.jwt.verifiedCacheSize`, default 10,000, LRU). Sent in turn and continued across the runs
 * against one process, a token comes back only after 19,999 others: it has always been evicted, so
 * every request verifies a signature, as with a unique token per request.
 */
export const DISTINCT_TOKENS = 20_000;
/** Tokens of the "clients re-sending their token" row. */
export const POOL_TOKENS = 100;

export interface BenchTokens {
  /** SPKI PEM of the signing key (`BENCH_JWT_PEM`). */
  publicPem: string;
  /** 100 tokens, one a line. */
  poolFile: string;
  /** 20,000 distinct tokens, one a line. */
  distinctFile: string;
}

interface Meta {
  createdAt: number;
  pool: number;
  distinct: number;
}

/** Tokens last 24 h; a set older than 12 h is made again. */
const LIFETIME_S = 24 * 3600;
const REUSE_MS = 12 * 3600 * 1000;

/**
 * RS256 (2048-bit) tokens signed with jose, cached in `dir` (bench/.build/jwt, git-ignored):
 * signing 20,000 takes ~15 s on one core, so a set is reused by the runs of the next 12 hours.
 */
export async function benchTokens(dir: string, now = Date.now, log: (line: string) => void = () => {}): Promise<BenchTokens> {
  const paths = { publicPem: join(dir, 'public.pem'), poolFile: join(dir, 'pool.txt'), distinctFile: join(dir, 'distinct.txt'), meta: join(dir, 'meta.json') };
  const fresh = readMeta(paths.meta);
  if (fresh && now() - fresh.createdAt < REUSE_MS && fresh.pool === POOL_TOKENS && fresh.distinct === DISTINCT_TOKENS && [paths.publicPem, paths.poolFile, paths.distinctFile].every(existsSync)) {
    return { publicPem: readFileSync(paths.publicPem, 'utf8'), poolFile: paths.poolFile, distinctFile: paths.distinctFile };
  }
  log(`signing ${POOL_TOKENS + DISTINCT_TOKENS} RS256 tokens into ${dir} (reused for 12 h) …`);
  mkdirSync(dir, { recursive: true });
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const publicPem = await exportSPKI(publicKey);
  const iat = Math.floor(now() / 1000);
  const sign = (sub: string): Promise<string> =>
    new SignJWT({ scope: 'read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'bench', typ: 'JWT' })
      .setIssuer(BENCH_ISSUER)
      .setAudience(BENCH_AUDIENCE)
      .setSubject(sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + LIFETIME_S)
      .sign(privateKey);
  const signMany = async (count: number, prefix: string): Promise<string> => {
    const out: string[] = [];
    for (let i = 0; i < count; i += 256) {
      out.push(...(await Promise.all(Array.from({ length: Math.min(256, count - i) }, (_, j) => sign(`${prefix}-${i + j}`)))));
    }
    return `${out.join('\n')}\n`;
  };
  writeFileSync(paths.poolFile, await signMany(POOL_TOKENS, 'pool'));
  writeFileSync(paths.distinctFile, await signMany(DISTINCT_TOKENS, 'distinct'));
  writeFileSync(paths.publicPem, publicPem);
  writeFileSync(paths.meta, JSON.stringify({ createdAt: now(), pool: POOL_TOKENS, distinct: DISTINCT_TOKENS } satisfies Meta));
  return { publicPem, poolFile: paths.poolFile, distinctFile: paths.distinctFile };
}

function readMeta(file: string): Meta | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Meta;
  } catch {
    return undefined;
  }
}
