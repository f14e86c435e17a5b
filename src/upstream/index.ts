export type * from './types.js';
export { createUpstream, type UpstreamDeps } from './create-upstream.js';
export { readBody, readJson } from './read-body.js';
export { createUpstreams, closeUpstreams } from './registry.js';
export type { Clock } from './clock.js';
