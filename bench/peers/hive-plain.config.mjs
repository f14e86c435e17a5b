// Hive Gateway (stitching, --jit) forwarding no client header: the baseline of its cache rows,
// whose config (hive-cache.config.mjs) forwards nothing either.
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({});
