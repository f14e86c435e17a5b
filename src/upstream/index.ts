export type * from './types.js';
export { createUpstream, type UpstreamDeps } from './create-upstream.js';
export { callBuffered } from './buffered-call.js';
export { parseJsonBody } from './parse-json-body.js';
export { createUpstreams, closeUpstreams } from './registry.js';
export type { Clock } from './clock.js';
