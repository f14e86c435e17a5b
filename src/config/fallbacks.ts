import { z } from 'zod';

const coordinate = z.string().regex(/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/, 'must be a schema coordinate like "Query.products"');

/**
 * What a field answers when its upstream call fails (unavailable, 5xx, timeout, open breaker).
 * The response then carries `extensions.fallbacks` naming the field (docs/operations.md).
 */
export const fieldFallbackSchema = z
  .strictObject({
    /** Static value served on failure (must fit the field's type). With `lastGood`: served when no good value is kept. */
    value: z.unknown().optional(),
    /** Serve the last good value of this field for the same arguments and selection. Default false. */
    lastGood: z.boolean().default(false),
    /** Oldest last good value served, in ms. Default 5 min. */
    maxAgeMs: z.number().int().positive().default(300_000),
    /** Most last good values kept for this field (least recently used go first). Default 1000. */
    maxEntries: z.number().int().positive().default(1_000),
  })
  .refine((fallback) => fallback.value !== undefined || fallback.lastGood, { message: 'needs "value" or "lastGood: true"' });

/** Fallbacks by schema coordinate, e.g. `{ 'Query.products': { value: [] } }`. GraphQL fields only. Default none. */
export const fallbacksSchema = z.record(coordinate, fieldFallbackSchema).default({});

export type FieldFallbackConfig = z.output<typeof fieldFallbackSchema>;
