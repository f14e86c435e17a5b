/**
 * `@rateLimit` as it appears in SDL. Same argument names and meanings as a `rateLimit.fields`
 * entry in config and a route's `policies.rateLimit` block (src/config/rate-limit.ts).
 */
export const rateLimitTypeDefs = /* GraphQL */ `
  "Whose budget a rate limit spends."
  enum RateLimitBy {
    CONSUMER
    SUBJECT
    API_KEY
    IP
    HEADER
    ROUTE
    FIELD
  }

  "Limits how often a field may be asked for: at most N per window, each occurrence (alias) costing cost."
  directive @rateLimit(
    second: Int
    minute: Int
    hour: Int
    day: Int
    month: Int
    by: RateLimitBy = IP
    header: String
    cost: Int = 1
  ) on FIELD_DEFINITION
`;
