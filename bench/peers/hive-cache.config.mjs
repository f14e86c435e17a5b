// Hive Gateway (stitching, --jit) with its response cache, as the policies scenario's peer for
// @cacheControl: every query result kept 300 s and shared (no session), as Junction's PUBLIC
// entries. Nothing is forwarded to the subgraph, as in Junction's policies-cache.yaml.
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  responseCaching: {
    session: () => null,
    ttl: 300_000,
  },
});
