// Hive Gateway with the Rust query planner (@graphql-hive/router-runtime) instead of stitching.
// The client's authorization header is forwarded (see hive-stitching.config.mjs).
import { defineConfig } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';

export const gatewayConfig = defineConfig({
  unifiedGraphHandler,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? '' }),
  },
});
