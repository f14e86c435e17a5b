// Hive Gateway in its default (stitching) mode; --jit is passed on the command line.
// The client's authorization header is forwarded, as Junction's bench config does, so every
// upstream request is distinct and in-flight deduplication cannot skip upstream work.
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? '' }),
  },
});
