import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoGateway, type DemoGateway } from './helpers/demo-gateway.js';

let demo: DemoGateway;
beforeAll(async () => {
  demo = await startDemoGateway();
});
afterAll(async () => {
  await demo.close();
});

describe('GraphQL over HTTP audit (graphql-http serverAudits)', () => {
  const audits = serverAudits({ url: () => `${demo.url}/graphql`, fetchFn: fetch });
  for (const audit of audits) {
    it(audit.name, async () => {
      const result = await audit.fn();
      // Every audit must pass, warnings included: a warning is a SHOULD the spec recommends.
      const reason = 'reason' in result ? result.reason : undefined;
      expect({ status: result.status, reason }).toEqual({ status: 'ok', reason: undefined });
    });
  }
});
