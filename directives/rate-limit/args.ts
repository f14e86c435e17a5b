import { createHash } from 'node:crypto';
import { rateLimitRuleSchema, type RateLimitBy, type RateLimitRuleConfig } from '../../src/config/rate-limit.js';
import { windowsOf, type RateWindow } from '../../src/stores/rate-limit-store.js';

/** A rule ready to check: where it is attached, whose budget it spends, its windows and cost. */
export interface RateLimitRule {
  /** Where the rule is attached (`field:Query.products`, `route:orders`, `operations`, `plan:gold`). */
  scope: string;
  by: RateLimitBy;
  header: string | undefined;
  cost: number;
  windows: readonly RateWindow[];
  /** Stable across replicas, restarts and limit changes for the same attachment, so counters are shared. */
  id: string;
}

const ENUM_VALUES: Record<string, RateLimitBy> = {
  CONSUMER: 'consumer', SUBJECT: 'subject', API_KEY: 'apiKey', IP: 'ip', HEADER: 'header', ROUTE: 'route', FIELD: 'field',
};

/**
 * Validates a directive's, config entry's or route block's arguments (throws with every problem
 * listed). `by` may be given as the SDL enum value (`API_KEY`) or the config name (`apiKey`).
 */
export function parseRateLimitArgs(raw: unknown): RateLimitRuleConfig {
  const input = raw !== null && typeof raw === 'object' ? { ...(raw as Record<string, unknown>) } : raw;
  if (input !== null && typeof input === 'object') {
    const record = input as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) if (value === null || value === undefined) delete record[key];
    if (typeof record['by'] === 'string' && record['by'] in ENUM_VALUES) record['by'] = ENUM_VALUES[record['by']];
  }
  const parsed = rateLimitRuleSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(arguments)'}: ${issue.message}`);
    throw new Error(`Invalid rate limit: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Precomputes a rule once per config or schema, never per request. */
export function compileRule(scope: string, config: RateLimitRuleConfig): RateLimitRule {
  const windows = windowsOf(config);
  const id = createHash('sha256').update(`${scope}|${config.by}|${config.header ?? ''}`).digest('base64url').slice(0, 16);
  return { scope, by: config.by, header: config.header, cost: config.cost, windows, id };
}
