import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { JunctionConfig } from '../src/config/index.js';
import type { JunctionError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import type { SchemaBuild } from './coordinates.js';

/**
 * The shape every policy (auth, rate limit, cache) takes, so that one rule written once holds on
 * GraphQL fields and REST routes alike. Policies run in one declared order: auth → rate limit →
 * cache. An unauthenticated request never spends rate-limit budget and is never served from cache.
 */

/** Who is calling, once auth has run. Absent for anonymous requests. */
export interface Principal {
  /**
   * Stable id within its `method`: JWT `sub` (prefixed by issuer), API key consumer, or introspected
   * subject. Two methods may yield the same id: keys use `principalKey` (principal-key.ts).
   */
  id: string;
  /** Granted scopes (OAuth2 `scope`/`scp`, or an API key's consumer scopes). */
  scopes: readonly string[];
  /** Usage plan of an API-key consumer, for per-tenant limits. */
  plan?: string;
  /** Verified claims (JWT payload or introspection response); never logged. */
  claims: Readonly<Record<string, unknown>>;
  /** How the caller proved who they are. */
  method: 'jwt' | 'introspection' | 'api-key';
}

/** Per-request policy state, stored on the GraphQL context and on REST route requests. */
export interface PolicyState {
  principal: Principal | undefined;
  /** Client IP after trusted-proxy resolution. */
  clientIp: string;
  /** Headers a policy wants on the response (RateLimit-*, Retry-After, Cache-Control, ETag). */
  responseHeaders: Record<string, string>;
  /**
   * Identity for upstream requests, set by auth: `headers` are added to every upstream request of
   * this request; client-sent headers named in `strip` are never forwarded (no spoofed identity).
   */
  identity?: { headers: Readonly<Record<string, string>>; strip: ReadonlySet<string> };
  /**
   * Set by auth before execution when the caller is denied a field the operation selects and
   * denied fields answer null (`onFieldDenied: null`): whether the caller is denied the field of an
   * object type at `Type.field`. Rate limiting does not charge such a field selected at the
   * operation's root (the guard answers it without an upstream call), nor what it selects; a
   * denied nested field is charged, its source still resolves it. Undefined when the caller is
   * denied nothing.
   */
  deniedField?: (coordinate: string) => boolean;
}

export interface PolicyDeps {
  logger: Logger;
  now: () => number;
}

/** What a REST route policy sees. It may throw a JunctionError to refuse the request. */
export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** The normalised path the route matched on and forwards. */
  path: string;
  routeName: string;
  state: PolicyState;
}

/**
 * A REST route guard: runs before the upstream call; may answer itself (a cache hit) by returning
 * true, and then writes `state.responseHeaders` (what earlier policies asked for) with its head.
 */
export type RouteGuard = (request: RouteRequest) => Promise<boolean | void>;

/**
 * The GraphQL operation an aggregation route runs (a REST route answered by an operation against
 * the composed schema): its policies are the route's own and those of the fields it selects.
 */
export interface RouteOperation {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
}

/** The upstream's answer to a proxied route request, as an after-proxy step sees it (before the head is sent). */
export interface RouteResponse {
  status: number;
  /** Headers as the upstream sent them: what HTTP caching decides on. */
  upstreamHeaders: IncomingHttpHeaders;
  /** Headers about to be sent to the client (route rewrites applied); a step may add to them. */
  headers: OutgoingHttpHeaders;
}

/** A copy of a response body a policy asked for. */
export interface BodyTap {
  /** Largest body wanted: past it the copy is dropped and `onBody` is never called. */
  maxBytes: number;
  /** The whole body, once the upstream finished it; not called when it failed or the client left. Must not reject. */
  onBody(body: Buffer): Promise<void>;
}

/**
 * Runs once the upstream answered a route request every guard let through, before the response
 * head is written. Returns a tap to receive a copy of the body: the proxy tees it while it
 * streams to the client (the client is never delayed).
 */
export type AfterProxy = (request: RouteRequest, response: RouteResponse) => BodyTap | undefined;

/**
 * Runs when a proxied route request's upstream failed before anything of its answer reached the
 * client: unreachable, timed out, breaker open, or a 5xx the gateway would answer with 502.
 * Returns true when it answered the client itself (the cache, with a stale copy).
 */
export type OnUpstreamFailure = (request: RouteRequest) => boolean;

/** A REST route policy with steps after the upstream call (a cache that stores misses, and answers stale when the upstream fails). */
export interface RoutePolicy {
  guard: RouteGuard;
  afterProxy?: AfterProxy | undefined;
  onUpstreamFailure?: OnUpstreamFailure | undefined;
}

/**
 * How much a route's policies need to know who the caller is, weakest first: `none`; `apiKey`, the
 * consumer of a verified API key (usage plans, `by: apiKey`), other credentials left to the
 * upstream; `any`, every credential the gateway handles, verified (a budget per consumer, a
 * private cache).
 */
export const CALLER_NEEDS = ['none', 'apiKey', 'any'] as const;
export type CallerNeed = (typeof CALLER_NEEDS)[number];

export interface PolicyModule<Args = unknown> {
  /** `auth`, `rateLimit`, `cache`: also the key of its block in a route's `policies`. */
  name: string;
  /** Directive definitions this policy adds to the composed schema. */
  typeDefs: string;
  /** Validates a directive's or route block's arguments; throws with a clear message. */
  parseArgs(raw: unknown): Args;
  /**
   * Applies the directives found in the schema (wrapping resolvers, precomputing per field), and
   * checks the config's coordinates against it (checkCoordinates): a typo throws, failing the build.
   */
  transform?(schema: GraphQLSchema, build?: SchemaBuild): GraphQLSchema;
  /** Yoga plugins for the GraphQL surface, in this policy's position of the order. */
  plugins?(): Plugin[];
  /** The same policy on a REST route, from the route's `policies.<name>` block. */
  route?(args: Args): RouteGuard | RoutePolicy;
  /**
   * What this policy's part of a route needs to know of the caller, given its block's arguments
   * (`undefined`: the route's block does not name this policy). Default `none`.
   */
  routeCaller?(args: Args | undefined): CallerNeed;
  /**
   * This policy's part on a route whose block does not name it, given what the route's parts need
   * of the caller (auth then finds out who the caller is; rate limiting spends usage plans).
   */
  routeDefault?(need: CallerNeed): RouteGuard | RoutePolicy | undefined;
  /**
   * This policy's part on an aggregation route, in place of `route`/`routeDefault`: the route's
   * block (`undefined` when it does not name this policy) and the rules of the fields the operation
   * selects as one step, so the order holds across both: the caller is authenticated and every
   * field checked before any budget is spent, and route and field budgets are spent all or nothing.
   */
  routeOperation?(args: Args | undefined, operation: RouteOperation): RouteGuard | RoutePolicy | undefined;
  /** Client request headers never forwarded upstream on any route (e.g. identity headers auth sets). */
  stripRequestHeaders?: readonly string[];
  /**
   * This policy's work for GraphQL requests on the fast path (no plugins run there). A policy
   * without it keeps every GraphQL request on the full pipeline.
   */
  fastPath?: FastPathPolicy;
  /** Counters of this policy since it was built (its store's failovers), read when metrics are scraped. */
  stats?(): PolicyCounters;
  /** Operator HTTP routes this policy serves, by exact path (e.g. `POST /admin/cache/purge`). */
  adminRoutes?: ReadonlyMap<string, (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>>;
  close?(): Promise<void>;
}

/** Named counters, each only ever growing. */
export type PolicyCounters = Readonly<Record<string, number>>;

/** Request headers as both surfaces can read them. */
export interface HeaderLookup {
  get(name: string): string | null;
}

/**
 * A policy's part on the GraphQL fast path (documents one source answers alone, served without
 * the plugin pipeline). Asked once per document; per request only the step it returned runs.
 */
export interface FastPathPolicy {
  /**
   * The step this operation of this document needs on every request (`NO_STEP` when none), or
   * undefined when the document must always take the full pipeline.
   */
  document(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): FastPathStep | typeof NO_STEP | undefined;
}

/** A document a policy has no work for. */
export const NO_STEP = null;

/** A GraphQL request on the fast path, as a policy step sees it. */
export interface FastPathRequest {
  readonly req: IncomingMessage;
  readonly headers: HeaderLookup;
  /** Filled in policy order (auth sets principal and identity); its `responseHeaders` are sent. */
  readonly state: PolicyState;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
  /** The context the operation runs with (sources read it; a step may add to it, e.g. cache hints). */
  readonly context: Record<string, unknown>;
}

/** A response a step gives instead of the upstream's (a cache hit, a 304, a stale entry). */
export interface FastPathReply {
  status: number;
  body: string | Buffer;
}

/** What the upstream answered, as an after-step sees it. */
export interface FastPathAnswer {
  /** The bytes about to be sent. */
  body: Buffer;
  /** The result they carry; its errors are not yet masked. */
  result: ExecutionResult;
}

/**
 * Runs once the operation was answered (`undefined` when it failed before an answer: client gone,
 * an internal error). May replace the reply. Must not reject.
 */
export type FastPathAfter = (answer: FastPathAnswer | undefined) => Promise<FastPathReply | undefined>;

/**
 * A step's decision: `undefined` to go on; `'pipeline'` to hand the request to the full pipeline
 * (allowed only while no step has spent anything: auth may, rate limiting and caching never do);
 * `refuse` to answer with a whole-request error; `reply` to answer without calling upstream;
 * `after` to go on and see the upstream's answer.
 */
export type FastPathVerdict = undefined | 'pipeline' | { refuse: JunctionError } | { reply: FastPathReply } | { after: FastPathAfter };

export type FastPathStep = (request: FastPathRequest) => FastPathVerdict | Promise<FastPathVerdict>;

/**
 * Builds a policy from the whole config; `undefined` when the config does not use it. Registered
 * in directives/index.ts under the policy's name.
 */
export type PolicyFactory = (config: JunctionConfig, deps: PolicyDeps) => PolicyModule | undefined;

/** The declared order, in one place. */
export const POLICY_ORDER = ['auth', 'rateLimit', 'cache'] as const;
