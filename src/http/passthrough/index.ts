export { createPassthrough, type BeforeProxy, type BeforeProxyDetails, type Passthrough, type PassthroughDeps, type PassthroughOptions, type RouteInfo } from './passthrough.js';
