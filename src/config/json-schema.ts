import { z } from 'zod';
import { configSchema } from './schema.js';

/** The JSON Schema editors use to complete and check `gateway.yaml` (written to gateway.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'Junction gateway config' };
}
