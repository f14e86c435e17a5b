import { createHash } from 'node:crypto';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger, type Logger } from '../src/logger.js';
import { startAll, type RunningServices } from '../subgraphs/index.js';
import { demoConfig, postGraphql, type GraphqlAnswer } from './helpers/demo-gateway.js';

/** The demo gateway with extra YAML appended and an injected clock, over fresh example upstreams. */
export interface LimitedGateway {
  gateway: Gateway;
  services: RunningServices;
  url: string;
  query(query: string, headers?: Record<string, string>): Promise<GraphqlAnswer>;
  close(): Promise<void>;
}

export async function startLimitedGateway(extraYaml: string, deps: { now?: () => number; logger?: Logger } = {}): Promise<LimitedGateway> {
  const services = await startAll();
  try {
    const config = await demoConfig(services, { editYaml: (text) => `${text}\n${extraYaml}\n` });
    const gateway = await createGateway(config, { logger: deps.logger ?? silentLogger(), now: deps.now });
    const { port } = await gateway.listen();
    const url = `http://127.0.0.1:${port}`;
    return {
      gateway,
      services,
      url,
      query: (query, headers) => postGraphql(`${url}/graphql`, query, undefined, headers),
      async close() {
        await gateway.close();
        await services.close();
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
