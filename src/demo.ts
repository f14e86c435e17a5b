import { resolve } from 'node:path';
import { startAll } from '../subgraphs/index.js';
import { loadVersionedConfig } from './reload.js';
import { createGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { reloadOnTriggers, stopOnSignals } from './start.js';
import { tuneV8ForServing } from './v8-tuning.js';

/**
 * `npm start`: the four example upstreams on ports 4001-4004 and the demo gateway in front of
 * them, in one process, with in-memory defaults and nothing else to install.
 */
async function demo(): Promise<void> {
  tuneV8ForServing();
  const logger = createLogger();
  const services = await startAll({ ports: { users: 4001, reviews: 4002, catalog: 4003, orders: 4004 } });
  const configFile = resolve(process.env['JUNCTION_CONFIG'] ?? 'gateway.yaml');
  const { config, version } = await loadVersionedConfig(configFile);
  const gateway = await createGateway(config, { logger, configFile, version });
  const { port } = await gateway.listen();
  const triggers = reloadOnTriggers(gateway, configFile, logger);
  stopOnSignals(gateway, logger, async () => {
    triggers.close();
    await services.close();
  });
  const base = `http://localhost:${port}`;
  console.log(`
Junction demo
  GraphQL   ${base}${config.graphql.path}   (GraphiQL in a browser)
  REST      ${base}/api/catalog/products   ${base}/api/v1/users/1/summary   (routes in gateway.yaml)
  API docs  ${base}/docs   ${base}/openapi.json
  health    ${base}/healthz   ${base}/readyz
  upstreams ${[services.users, services.reviews, services.catalog, services.orders].map((s) => `${s.name} ${s.url}`).join(', ')}

Try:
  curl -s ${base}${config.graphql.path} -H 'content-type: application/json' \\
    -d '{"query":"{ products { id name price reviews { body rating author { name } } } }"}'
`);
}

demo().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
