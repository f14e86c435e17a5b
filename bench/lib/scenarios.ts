import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Probe } from './process.js';
import {
  apolloGateway, fastifyProxy, hiveGateway, junction, nginxProxy, subgraphDirect, undiciProxy,
  type BenchContext, type Target,
} from './targets.js';
import type { RequestSpec } from './wrk.js';
import { FANOUT_QUERY, FLAT_MARKER, FLAT_QUERY, graphqlSpec } from './request-specs.js';
import { policiesScenario } from './scenarios-policies.js';
import { resilienceScenario } from './scenarios-resilience.js';

/** Where upstream calls are counted (mock servers with `calls.total`). */
export interface CallSource {
  calls: { total: number };
  resetCalls(): void;
}

export interface Scenario {
  name: string;
  title: string;
  /** Target id every ratio is taken against. */
  reference: string;
  connections: number;
  spec: RequestSpec;
  targets: Target[];
  /** Mocks whose calls are counted; none when the upstream cannot count (nginx). */
  callSources: CallSource[];
  /** Reason the whole scenario cannot run yet. */
  unavailable?: string;
  /** Turns a first answer of Junction into "not available yet" (feature not built). */
  notAvailable?(answer: Probe): string | undefined;
  /** Runs once before the rounds when the scenario is chosen (keys, tokens). */
  prepare?(): Promise<void>;
  /** Figures taken per round between two of its targets (printed under the table). */
  derived?: DerivedSpec[];
}

/** A per-round figure from two targets of one scenario: median (min–max) over rounds. */
export interface DerivedSpec {
  label: string;
  /** `ratio`: a / b in req/CPU-s. `cpu-overhead`: CPU per request of a over b, minus 1. */
  kind: 'ratio' | 'cpu-overhead';
  a: string;
  b: string;
  /** The target, and whether a median meets it. */
  goal?: { text: string; met(value: number): boolean };
  /**
   * For `cpu-overhead`: CPU µs per request of work that cannot be avoided (measured in the run);
   * shown as the overhead it alone would add to b, round by round.
   */
  floorCpuUs?: () => number | undefined;
  floorLabel?: string;
}

export interface Supergraphs {
  products?: string;
  productsError?: string;
  mesh?: string;
  meshError?: string;
}

export { FLAT_QUERY, FANOUT_QUERY } from './request-specs.js';

/** A 1 KB JSON order (the POST passthrough body). */
function postBody(dir: string): string {
  const file = join(dir, 'order-1k.json');
  const items = Array.from({ length: 40 }, (_, i) => ({ productId: `p${(i % 20) + 1}`, quantity: (i % 4) + 1 }));
  let body = JSON.stringify({ userId: '1', items, note: '' });
  body = JSON.stringify({ userId: '1', items, note: 'x'.repeat(Math.max(0, 1024 - body.length)) });
  writeFileSync(file, body);
  return file;
}

const routesMissing = (answer: Probe): string | undefined =>
  answer.status === 404 ? 'not available yet: Junction answered 404 (REST passthrough `routes:` not served)' : undefined;

export interface ScenarioMocks {
  products: CallSource;
  fanout: CallSource[];
  /** The REST mock, when it counts calls (the Node one); nginx does not. */
  rest?: CallSource;
  /** The products subgraph failing the first attempt of every 10th request. */
  productsFlaky: CallSource;
}

/** Every scenario of BENCHMARK.md, in order. */
export function scenarios(ctx: BenchContext, sg: Supergraphs, mocks: ScenarioMocks): Scenario[] {
  const dir = join(ctx.tmp, 'bodies');
  mkdirSync(dir, { recursive: true });
  const hiveStitching = (supergraph: () => string | undefined, why?: () => string | undefined) =>
    hiveGateway(ctx, { id: 'hive-stitching-jit', label: 'Hive Gateway (stitching, --jit)', supergraph, configFile: 'hive-stitching.config.mjs', jit: true, why });
  const productsSupergraph = () => sg.products;
  const productsWhy = () => sg.productsError;
  const post = postBody(dir);
  const passthroughTargets: DerivedSpec[] = [
    atLeast('Junction / the bare undici Pool proxy', 'junction', 'undici-proxy', 1.0),
    atLeast('Junction / fastify + reply-from', 'junction', 'fastify-reply-from', 1.2),
  ];
  return [
    {
      name: 'flat',
      title: '1. flat query: one subgraph, 20 products (~1 KB)',
      reference: 'hive-stitching-jit',
      connections: 32,
      spec: graphqlSpec(dir, 'flat', FLAT_QUERY, FLAT_MARKER),
      callSources: [mocks.products],
      derived: [
        atLeast('Junction / Hive Gateway stitching --jit', 'junction', 'hive-stitching-jit', 3),
        atLeast('Junction / Hive Gateway with its Rust planner', 'junction', 'hive-router', 1.5),
      ],
      targets: [
        junction(ctx, 'flat.yaml'),
        hiveStitching(productsSupergraph, productsWhy),
        hiveGateway(ctx, { id: 'hive-router', label: 'Hive Gateway (router-runtime)', supergraph: productsSupergraph, configFile: 'hive-router.config.mjs', jit: false, why: productsWhy }),
        apolloGateway(ctx, productsSupergraph),
        subgraphDirect(ctx),
      ],
    },
    {
      name: 'fanout',
      title: '2. nested fan-out to REST: 10 users (GraphQL) × their orders (REST, 5 ms, no batch endpoint)',
      reference: 'hive-mesh',
      connections: 16,
      spec: graphqlSpec(dir, 'fanout', FANOUT_QUERY, '"o27"'),
      callSources: mocks.fanout,
      derived: [atLeast('Junction / Hive Gateway + Mesh', 'junction', 'hive-mesh', 2)],
      targets: [
        junction(ctx, 'fanout.yaml'),
        { ...hiveStitching(() => sg.mesh, () => sg.meshError), id: 'hive-mesh', label: 'Hive Gateway + Mesh-composed supergraph' },
      ],
    },
    {
      name: 'passthrough-get',
      title: '3a. REST passthrough: GET small JSON',
      reference: 'undici-proxy',
      connections: 32,
      spec: { method: 'GET', path: '/api/catalog/products/p1', marker: '"name":"Mechanical Keyboard"' },
      callSources: mocks.rest ? [mocks.rest] : [],
      notAvailable: routesMissing,
      derived: passthroughTargets,
      targets: [junction(ctx, 'passthrough.yaml'), undiciProxy(ctx), fastifyProxy(ctx), nginxProxy(ctx)],
    },
    {
      name: 'passthrough-post',
      title: '3b. REST passthrough: POST 1 KB JSON',
      reference: 'undici-proxy',
      connections: 32,
      spec: { method: 'POST', path: '/api/catalog/orders', bodyFile: post, contentType: 'application/json', marker: '"received":"order"' },
      callSources: mocks.rest ? [mocks.rest] : [],
      notAvailable: routesMissing,
      derived: passthroughTargets,
      targets: [junction(ctx, 'passthrough.yaml'), undiciProxy(ctx), fastifyProxy(ctx), nginxProxy(ctx)],
    },
    policiesScenario(ctx, dir, mocks, (row) => hiveGateway(ctx, {
      ...row,
      id: `hive-stitching-jit+${row.variant}`,
      label: `Hive Gateway (stitching, --jit): ${row.label}`,
      supergraph: productsSupergraph,
      jit: true,
      why: productsWhy,
    })),
    resilienceScenario(ctx, dir, mocks),
  ];
}

/** The throughput target of Junction over a peer: `a / b ≥ min` in req/CPU-s. */
function atLeast(label: string, a: string, b: string, min: number): DerivedSpec {
  return { label, kind: 'ratio', a, b, goal: { text: `≥ ${min.toFixed(1)}×`, met: (value) => value >= min } };
}
