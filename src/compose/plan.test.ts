import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../config/index.js';
import { loadSources, type LoadedSource } from '../sources/index.js';
import { closeUpstreams, createUpstreams } from '../upstream/index.js';
import { composeSchema } from './compose.js';
import { createOperationPlanner, type OperationPlanner } from './plan.js';
import { forwardableSources, gatewayResolvedFields } from './plan-inputs.js';

let planner: OperationPlanner;
let sources: LoadedSource[];

beforeAll(async () => {
  const config = await loadConfigFile(new URL('../../gateway.yaml', import.meta.url).pathname, { env: {} });
  const upstreams = createUpstreams(config.upstreams);
  sources = await loadSources(config.sources, upstreams);
  await closeUpstreams(upstreams);
  const composed = await composeSchema({ sources, links: config.links, typeDefFiles: [] });
  planner = createOperationPlanner({
    schema: composed.schema,
    subschemas: forwardableSources(sources),
    gatewayFields: gatewayResolvedFields(composed.schema, composed.schema, config.links, sources),
  });
});

const planOf = (query: string, operationName?: string) => planner(parse(query), operationName)?.source;

describe('operation planner', () => {
  it('forwards an operation that one source answers alone', () => {
    expect(planOf('{ users { id name } }')).toBe('users');
    expect(planOf('{ products { id name price stock } }')).toBe('catalog');
    expect(planOf('mutation { createOrder(input: { userId: "1", items: [] }) { id total } }')).toBe('orders');
    expect(planOf('query Q($id: ID!) { user(id: $id) { ...U } } fragment U on User { id __typename }')).toBe('users');
  });

  it('delegates when a link, a second source or introspection is involved', () => {
    expect(planOf('{ products { id reviews { id } } }')).toBeUndefined();
    expect(planOf('{ reviews { author { name } } }')).toBeUndefined();
    expect(planOf('{ users { id } products { id } }')).toBeUndefined();
    expect(planOf('{ __schema { queryType { name } } }')).toBeUndefined();
    expect(planOf('{ users { ...U } } fragment U on User { orders { id } }')).toBeUndefined();
  });

  it('keeps only the chosen operation and the fragments it uses', () => {
    const plan = planner(parse('query A { users { ...U } } query B { products { id } } fragment U on User { id } fragment P on Product { id }'), 'A');
    expect(plan?.source).toBe('users');
    expect(plan?.document.definitions.map((definition) => ('name' in definition ? definition.name?.value : undefined))).toEqual(['A', 'U']);
    expect(planner(parse('query A { users { id } } query B { products { id } }'), undefined)).toBeUndefined();
  });

  it('computes a plan once per document and operation', () => {
    const document = parse('{ users { id } }');
    expect(planner(document, undefined)).toBe(planner(document, undefined));
  });

  it('never forwards a field a policy wrapped', async () => {
    const config = await loadConfigFile(new URL('../../gateway.yaml', import.meta.url).pathname, { env: {} });
    const composed = await composeSchema({ sources, links: config.links, typeDefFiles: [] });
    const { mapSchema, MapperKind } = await import('@graphql-tools/utils');
    const wrapped = mapSchema(composed.schema, {
      [MapperKind.OBJECT_FIELD]: (field, name, type) => (type === 'User' && name === 'email' ? { ...field, resolve: () => 'hidden' } : field),
    });
    const guarded = createOperationPlanner({
      schema: wrapped,
      subschemas: forwardableSources(sources),
      gatewayFields: gatewayResolvedFields(composed.schema, wrapped, config.links, sources),
    });
    expect(guarded(parse('{ users { id name } }'), undefined)?.source).toBe('users');
    expect(guarded(parse('{ users { id email } }'), undefined)).toBeUndefined();
  });
});

describe('gateway-resolved fields', () => {
  it('an interface field is the gateway\'s when any implementation wraps it, so it is never forwarded', async () => {
    const { buildSchema } = await import('graphql');
    const { mapSchema, MapperKind } = await import('@graphql-tools/utils');
    const sdl = 'interface Node { id: ID! email: String } type User implements Node { id: ID! email: String } type Query { node(id: ID!): Node }';
    const composed = buildSchema(sdl);
    const served = mapSchema(composed, {
      [MapperKind.OBJECT_FIELD]: (field, name, type) => (type === 'User' && name === 'email' ? { ...field, resolve: () => null } : field),
    });
    const fields = gatewayResolvedFields(composed, served, [], []);
    expect(fields.has('User.email')).toBe(true);
    expect(fields.has('Node.email')).toBe(true);
    expect(fields.has('Node.id')).toBe(false);
  });
});
