import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UNIQUE_PLACEHOLDER, type RequestSpec } from './wrk.js';

export const FLAT_QUERY = '{ products { id name price } }';
export const FANOUT_QUERY = '{ users { id name orders { id total status } } }';
/** Every good answer to the flat query holds it. */
export const FLAT_MARKER = '"name":"Notebook"';

/** `POST /graphql` with `{ query }` (and `variables`) written to `<dir>/<name>.json`. */
export function graphqlSpec(dir: string, name: string, query: string, marker: string, variables?: Record<string, unknown>): RequestSpec {
  const bodyFile = join(dir, `${name}.json`);
  writeFileSync(bodyFile, JSON.stringify(variables === undefined ? { query } : { query, variables }));
  return { method: 'POST', path: '/graphql', bodyFile, contentType: 'application/json', marker };
}

/** The flat query with a unique, unused variable per request: no two bodies are the same. */
export function uniqueFlatSpec(dir: string, name: string): RequestSpec {
  return graphqlSpec(dir, name, FLAT_QUERY, FLAT_MARKER, { nonce: UNIQUE_PLACEHOLDER });
}
