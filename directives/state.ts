import type { Plugin } from 'graphql-yoga';
import type { PolicyState } from './policy.js';

/** A fresh per-request policy state. */
export function createPolicyState(clientIp: string): PolicyState {
  return { principal: undefined, clientIp, responseHeaders: {}, deniedField: undefined };
}

interface ServerContextLike {
  request: Request;
  req?: { socket?: { remoteAddress?: string } };
  policy?: PolicyState;
}

/**
 * First of the policy plugins: puts a fresh PolicyState on the GraphQL context (`context.policy`)
 * and writes the headers policies asked for (`responseHeaders`) on the response.
 */
export function usePolicyState(): Plugin<ServerContextLike> {
  const states = new WeakMap<Request, PolicyState>();
  return {
    onContextBuilding({ context, extendContext }) {
      if (context.policy !== undefined) return;
      const state = createPolicyState(context.req?.socket?.remoteAddress ?? '');
      states.set(context.request, state);
      extendContext({ policy: state });
    },
    onResponse({ request, response }) {
      const state = states.get(request);
      if (state === undefined) return;
      for (const [name, value] of Object.entries(state.responseHeaders)) response.headers.set(name, value);
    },
  };
}
