import { z } from 'zod';

/**
 * Hot reload and background recovery of sources (docs/operations.md). A reload builds and
 * validates a whole new runtime from the config file before it is swapped in.
 */
export const reloadSchema = z
  .strictObject({
    /** Reload when the config file changes on disk (opt-in; SIGHUP and `junction reload` always work). Default false. */
    watch: z.boolean().default(false),
    /** Quiet time after the last change event before a watched file is reloaded. Default 300 ms. */
    debounceMs: z.number().int().nonnegative().default(300),
    /** Longest wait for requests in flight on a replaced runtime before its upstreams and stores are closed. Default 30 s. */
    drainGraceMs: z.number().int().nonnegative().default(30_000),
    /** A source that could not be loaded is retried in the background with capped exponential backoff. */
    sourceRetry: z
      .strictObject({
        /** First retry delay. Default 1 s. */
        initialMs: z.number().int().positive().default(1_000),
        /** Largest retry delay. Default 30 s. */
        maxMs: z.number().int().positive().default(30_000),
      })
      .prefault({}),
  })
  .prefault({});

/** A GraphQL source schema from introspection, with a snapshot file served when the upstream is down at start. */
export const introspectionSnapshotSchema = z.strictObject({
  introspection: z.literal(true),
  /**
   * SDL file used when introspection fails (e.g. `schema/reviews.graphql`); rewritten after every
   * successful introspection, so it holds the last known schema. Relative to the config file.
   */
  snapshotFile: z.string().min(1),
});

export type ReloadConfig = z.output<typeof reloadSchema>;
export type IntrospectionSnapshot = z.output<typeof introspectionSnapshotSchema>;
