import type { Plugin } from 'graphql-yoga';
import { GraphQLError } from 'graphql';

/** Content types a browser may send cross-site without a preflight. */
const SIMPLE_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'];
/** Any of these headers forces a CORS preflight, so a request carrying one is not a CSRF. */
const PREFLIGHT_HEADERS = ['x-graphql-csrf', 'apollo-require-preflight', 'x-apollo-operation-name'];

/**
 * CSRF prevention, as Apollo Server does it: a POST a browser could send cross-site without a
 * preflight (no or a "simple" content type) is refused unless it carries a preflight header.
 * GET is left alone: it can only run queries, which have no side effects.
 */
export function useCsrfPrevention(): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'POST') return;
      const contentType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const simple = contentType === '' || SIMPLE_TYPES.includes(contentType);
      if (!simple || PREFLIGHT_HEADERS.some((name) => request.headers.has(name))) return;
      const error = new GraphQLError('This request requires a non-simple Content-Type (e.g. application/json) or an x-graphql-csrf header', {
        extensions: { code: 'BAD_REQUEST' },
      });
      endResponse(new fetchAPI.Response(JSON.stringify({ errors: [error.toJSON()] }), {
        status: 400,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      }));
    },
  };
}
