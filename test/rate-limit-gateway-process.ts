/**
 * One gateway process for the two-gateway test: the demo gateway.yaml (upstream URLs from the
 * environment) plus the YAML in JUNCTION_EXTRA_YAML, on port 0; prints `{"port":N}`. Stops on SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { parseConfig } from '../src/config/index.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { DEMO_CONFIG } from './helpers/demo-gateway.js';
import { mergeYaml } from './rate-limit-support.js';

const text = mergeYaml(await readFile(DEMO_CONFIG, 'utf8'), process.env['JUNCTION_EXTRA_YAML'] ?? '');
const config = parseConfig(text, DEMO_CONFIG, { env: { ...(process.env as Record<string, string>), PORT: '0' } });
const gateway = await createGateway(config, { logger: createLogger({ level: 'info' }) });
const { port } = await gateway.listen();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.once('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
