export { createPassthrough, type BeforeProxy, type BeforeProxyDetails, type Passthrough, type PassthroughDeps, type PassthroughOptions, type ProxyHooks, type RouteInfo } from './passthrough.js';
export { routeOperations } from './aggregation.js';
export type { AfterProxy, ProxiedResponse, ResponseTap } from './proxy.js';
