import { join } from 'node:path';
import { FLAT_MARKER, FLAT_QUERY, graphqlSpec, uniqueFlatSpec } from './request-specs.js';
import type { DerivedSpec, Scenario, ScenarioMocks } from './scenarios.js';
import { junction, type BenchContext, type HiveOptions, type Target } from './targets.js';
import { benchTokens, DISTINCT_TOKENS, POOL_TOKENS } from './tokens.js';
import { signatureCheckCpuUs } from './verify-cost.js';

const atMost5 = { text: '≤ 5% CPU per request', met: (value: number) => value <= 0.05 };

/** A Hive Gateway row of this scenario: id `hive-stitching-jit+<variant>`, on the products supergraph. */
export type HivePolicyRow = (row: Pick<HiveOptions, 'configFile' | 'spec' | 'env' | 'maxCallsPerRequest'> & { variant: string; label: string }) => Target;

/** The scenario's figures; `signatureCheckUs` is the CPU of one bare RS256 check on the core under test. */
const derivedFigures = (signatureCheckUs: () => number | undefined): DerivedSpec[] => [
  // The noise floor: the same config in a second process, measured as the policy rows are.
  { label: 'control: flat vs flat again (no policy either side)', kind: 'cpu-overhead', a: 'junction', b: 'junction+flat-again' },
  // Against the flat query sending the same tokens: a JWT is a ~600-byte header the flat config forwards too.
  { label: `@auth, ${POOL_TOKENS} tokens re-sent vs flat with the same tokens`, kind: 'cpu-overhead', a: 'junction+auth-pool', b: 'junction+flat-tokens', goal: atMost5 },
  {
    label: `@auth, a token not yet verified per request vs flat with the same tokens`, kind: 'cpu-overhead', a: 'junction+auth-distinct', b: 'junction+flat-tokens', goal: atMost5,
    floorCpuUs: signatureCheckUs, floorLabel: 'the RS256 signature check (bare node:crypto)',
  },
  { label: '@rateLimit (never hit) vs flat', kind: 'cpu-overhead', a: 'junction+rate-limit', b: 'junction', goal: atMost5 },
  { label: 'cache configured, query uncacheable vs flat', kind: 'cpu-overhead', a: 'junction+cache-uncacheable', b: 'junction', goal: atMost5 },
  { label: '@cacheControl miss vs flat with the same unique variable', kind: 'cpu-overhead', a: 'junction+cache-miss', b: 'junction+flat-unique', goal: atMost5 },
  { label: '@cacheControl miss, entries tagged for purges, vs flat with the same unique variable', kind: 'cpu-overhead', a: 'junction+cache-miss-tagged', b: 'junction+flat-unique', goal: atMost5 },
  { label: '@cacheControl hit / miss', kind: 'ratio', a: 'junction+cache-hit', b: 'junction+cache-miss', goal: { text: '≥ 3×', met: (value) => value >= 3 } },
  { label: '@cacheControl hit / flat', kind: 'ratio', a: 'junction+cache-hit', b: 'junction' },
  // The incumbent with the same policies (its JWT and response-cache plugins), against its own baselines.
  { label: 'Hive Gateway: JWT plugin, 100 tokens re-sent vs its flat query with the same tokens', kind: 'cpu-overhead', a: 'hive-stitching-jit+auth-pool', b: 'hive-stitching-jit+flat-tokens' },
  { label: 'Hive Gateway: JWT plugin, a token not yet verified per request vs the same', kind: 'cpu-overhead', a: 'hive-stitching-jit+auth-distinct', b: 'hive-stitching-jit+flat-tokens' },
  { label: 'Hive Gateway: response cache miss vs its flat query with the same unique variable', kind: 'cpu-overhead', a: 'hive-stitching-jit+cache-miss', b: 'hive-stitching-jit+flat-unique' },
  { label: 'Hive Gateway: response cache hit / miss', kind: 'ratio', a: 'hive-stitching-jit+cache-hit', b: 'hive-stitching-jit+cache-miss' },
  { label: 'Junction / Hive Gateway, both with @auth, tokens re-sent', kind: 'ratio', a: 'junction+auth-pool', b: 'hive-stitching-jit+auth-pool' },
  { label: 'Junction / Hive Gateway, both with @auth, a token not yet verified per request', kind: 'ratio', a: 'junction+auth-distinct', b: 'hive-stitching-jit+auth-distinct' },
  { label: 'Junction / Hive Gateway, both caching, a miss', kind: 'ratio', a: 'junction+cache-miss', b: 'hive-stitching-jit+cache-miss' },
  { label: 'Junction / Hive Gateway, both caching, a hit', kind: 'ratio', a: 'junction+cache-hit', b: 'hive-stitching-jit+cache-hit' },
];

/**
 * Scenario 4: the flat query with one policy at a time, every row a Junction process measured in
 * the same rounds as the plain flat query (the reference). Tokens: RS256 from bench/lib/tokens.ts.
 */
export function policiesScenario(ctx: BenchContext, dir: string, mocks: ScenarioMocks, hive: HivePolicyRow): Scenario {
  const jwtDir = join(ctx.root, 'bench/.build/jwt');
  let publicPem = '';
  let signatureCheckUs: number | undefined;
  const flat = graphqlSpec(dir, 'policies-flat', FLAT_QUERY, FLAT_MARKER);
  const unique = uniqueFlatSpec(dir, 'policies-unique');
  const authEnv = () => ({ BENCH_JWT_PEM: publicPem });
  return {
    name: 'policies',
    title: '4. policy overhead: the flat query with @auth / @rateLimit / @cacheControl (ratios to the flat query, same rounds)',
    reference: 'junction',
    connections: 32,
    spec: flat,
    callSources: [mocks.products],
    derived: derivedFigures(() => signatureCheckUs),
    async prepare() {
      const tokens = await benchTokens(jwtDir, Date.now, (line) => process.stderr.write(`[bench] ${line}\n`));
      publicPem = tokens.publicPem;
      signatureCheckUs = await signatureCheckCpuUs(ctx.core, publicPem, tokens.distinctFile);
    },
    targets: [
      junction(ctx, 'flat.yaml', { label: 'flat query, no policy' }),
      junction(ctx, 'flat.yaml', { variant: 'flat-again', label: 'flat query again, no policy (control)' }),
      junction(ctx, 'flat-no-forward.yaml', { variant: 'flat-unique', label: 'flat query + a unique unused variable, no header forwarded, no policy', spec: unique }),
      junction(ctx, 'flat.yaml', {
        variant: 'flat-tokens',
        label: `flat query sending the ${POOL_TOKENS} JWTs of the auth row, no policy`,
        spec: { ...flat, tokensFile: join(jwtDir, 'pool.txt') },
      }),
      junction(ctx, 'policies-auth.yaml', {
        variant: 'auth-pool',
        label: `@auth, JWT RS256, ${POOL_TOKENS} tokens in turn (verified once, then cached)`,
        env: authEnv,
        spec: { ...flat, tokensFile: join(jwtDir, 'pool.txt') },
      }),
      junction(ctx, 'policies-auth.yaml', {
        variant: 'auth-distinct',
        label: `@auth, JWT RS256, ${DISTINCT_TOKENS} tokens in turn (every one verified)`,
        env: authEnv,
        spec: { ...flat, tokensFile: join(jwtDir, 'distinct.txt'), tokensStateFile: join(ctx.tmp, 'distinct-tokens.state') },
      }),
      junction(ctx, 'policies-rate-limit.yaml', { variant: 'rate-limit', label: '@rateLimit by ip, never hit' }),
      junction(ctx, 'policies-cache-uncacheable.yaml', { variant: 'cache-uncacheable', label: 'cache configured, nothing cacheable' }),
      junction(ctx, 'policies-cache.yaml', { variant: 'cache-miss', label: '@cacheControl miss (unique variable)', spec: unique }),
      junction(ctx, 'policies-cache-tagged.yaml', { variant: 'cache-miss-tagged', label: '@cacheControl miss, purge endpoint on (each entry tagged with its 20 products)', spec: unique }),
      junction(ctx, 'policies-cache.yaml', {
        variant: 'cache-hit',
        label: '@cacheControl hit (PUBLIC, authorization not forwarded)',
        maxCallsPerRequest: { max: 0.05, why: 'PUBLIC entries fragmented (is a client header forwarded to the source?)' },
      }),
      hive({ variant: 'flat-tokens', label: `flat query sending the ${POOL_TOKENS} JWTs, no policy`, configFile: 'hive-stitching.config.mjs', spec: { ...flat, tokensFile: join(jwtDir, 'pool.txt') } }),
      hive({ variant: 'flat-unique', label: 'flat query + a unique unused variable, no header forwarded, no policy', configFile: 'hive-plain.config.mjs', spec: unique }),
      hive({ variant: 'auth-pool', label: `JWT plugin, RS256, ${POOL_TOKENS} tokens in turn`, configFile: 'hive-jwt.config.mjs', env: authEnv, spec: { ...flat, tokensFile: join(jwtDir, 'pool.txt') } }),
      hive({
        variant: 'auth-distinct', label: `JWT plugin, RS256, ${DISTINCT_TOKENS} tokens in turn`, configFile: 'hive-jwt.config.mjs', env: authEnv,
        spec: { ...flat, tokensFile: join(jwtDir, 'distinct.txt'), tokensStateFile: join(ctx.tmp, 'hive-distinct-tokens.state') },
      }),
      hive({ variant: 'cache-miss', label: 'response cache miss (unique variable)', configFile: 'hive-cache.config.mjs', spec: unique }),
      hive({
        variant: 'cache-hit', label: 'response cache hit', configFile: 'hive-cache.config.mjs',
        maxCallsPerRequest: { max: 0.05, why: 'the response cache did not answer' },
      }),
    ],
  };
}
