// Mesh composition for the fan-out scenario: the users GraphQL service and the orders REST
// service (from its OpenAPI document), with User.orders resolved from the orders endpoint per
// user, as Junction's bench/configs/fanout.yaml link does. USERS_URL, ORDERS_URL, ROOT come from bench/run.ts.
import { defineConfig, loadGraphQLHTTPSubgraph } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const root = process.env.ROOT;

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadGraphQLHTTPSubgraph('users', {
        endpoint: `${process.env.USERS_URL}/graphql`,
        source: `${root}/subgraphs/users/schema.graphql`,
      }),
    },
    {
      sourceHandler: loadOpenAPISubgraph('orders', {
        source: `${root}/subgraphs/orders/openapi.yaml`,
        endpoint: process.env.ORDERS_URL,
      }),
    },
  ],
  additionalTypeDefs: /* GraphQL */ `
    extend type User {
      orders: [Order]
        @resolveTo(
          sourceName: "orders"
          sourceTypeName: "Query"
          sourceFieldName: "orders"
          requiredSelectionSet: "{ id }"
          sourceArgs: { userId: "{root.id}" }
        )
    }
  `,
});
