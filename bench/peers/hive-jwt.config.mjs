// Hive Gateway (stitching, --jit) with its JWT plugin, as the policies scenario's peer for @auth:
// RS256 tokens checked against the bench key (BENCH_JWT_PEM), a request without a valid token
// refused. The client's authorization header is forwarded, as in hive-stitching.config.mjs.
import { createInlineSigningKeyProvider, defineConfig, extractFromHeader } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? '' }),
  },
  jwt: {
    signingKeyProviders: [createInlineSigningKeyProvider(process.env.BENCH_JWT_PEM)],
    tokenLookupLocations: [extractFromHeader({ name: 'authorization', prefix: 'Bearer' })],
    tokenVerification: { issuer: 'https://issuer.bench.local', audience: 'junction-bench', algorithms: ['RS256'] },
    reject: { missingToken: true, invalidToken: true },
  },
});
