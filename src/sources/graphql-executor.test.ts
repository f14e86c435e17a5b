import { describe, expect, it } from 'vitest';
import { graphqlSourceSchema } from '../config/schema.js';
import { parseSourceResult } from './graphql-executor.js';

const source = (forwardErrorMessages: boolean) =>
  graphqlSourceSchema.parse({ name: 'users', type: 'graphql', upstream: 'users', schema: { file: 'x.graphql' }, forwardErrorMessages });
const payload = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('a GraphQL source answer', () => {
  const answer = {
    data: { user: null },
    errors: [{ message: 'Not found: user 9', path: ['user'], extensions: { code: 'NOT_FOUND', stack: 'at db.ts:1' } }],
    extensions: { http: { status: 418, headers: { 'set-cookie': 'x=1' } } },
    debug: 'internal',
  };

  it('keeps data and errors only, never the source extensions or other keys', () => {
    const result = parseSourceResult(source(false), 'users', payload(answer));
    expect(Object.keys(result).sort()).toEqual(['data', 'errors']);
  });

  it('replaces the message by default, keeping path and an upper-case code', () => {
    const [error] = parseSourceResult(source(false), 'users', payload(answer)).errors!;
    expect(error!.toJSON()).toEqual({ message: 'Source "users" returned an error', path: ['user'], extensions: { code: 'NOT_FOUND', source: 'users' } });
  });

  it('keeps the message when the source opts in, still as a GraphQLError with path and code', () => {
    const [error] = parseSourceResult(source(true), 'users', payload(answer)).errors!;
    expect(error!.toJSON()).toEqual({ message: 'Not found: user 9', path: ['user'], extensions: { code: 'NOT_FOUND', source: 'users' } });
  });

  it('malformed or shapeless answers are upstream errors', () => {
    expect(() => parseSourceResult(source(false), 'users', Buffer.from('<html>'))).toThrow(/Upstream "users"/);
    expect(() => parseSourceResult(source(false), 'users', payload([1, 2]))).toThrow(/Upstream "users"/);
  });
});
