import { UpstreamTimeoutError } from '../errors.js';
import type { Clock } from './clock.js';
import { onBodyClosed } from './targets.js';
import type { UpstreamFetch, UpstreamRequest, UpstreamWrapper } from './types.js';

/**
 * The overall deadline of one call, across attempts and backoffs, and until its body is read
 * (`deadline: 'body'`, the default) or until its response head arrives (`deadline: 'headers'`:
 * a streamed passthrough body, then bounded by the pool's idle body timeout). Inner layers get a
 * signal that aborts when the deadline passes (reason: GATEWAY_TIMEOUT) or when the client's own
 * signal aborts (its reason, until the body closes), so no upstream request is left running.
 * When the caller hands over the controller of its signal (`request.controller`), that one is
 * aborted on the deadline: no second controller, no listener on the client's signal.
 */
export function createDeadlineWrapper(name: string, deadlineMs: number, clock: Clock): UpstreamWrapper {
  return (next) =>
    function withDeadline(request) {
      const client = request.signal;
      if (client?.aborted) return Promise.reject(client.reason);
      return request.controller === undefined ? linked(next, request, client) : owned(next, request, request.controller);
    };

  /** The caller's controller is ours to abort: one timer, cleared at the head or when the body closes. */
  async function owned(next: UpstreamFetch, request: UpstreamRequest, controller: AbortController): ReturnType<UpstreamFetch> {
    const timer = clock.setTimeout(() => controller.abort(new UpstreamTimeoutError(name, deadlineMs)), deadlineMs);
    try {
      const response = await next({ ...request, deadlineAt: clock.now() + deadlineMs });
      if (request.deadline === 'headers') clock.clearTimeout(timer);
      else onBodyClosed(response.body, () => clock.clearTimeout(timer));
      return response;
    } catch (error) {
      clock.clearTimeout(timer);
      throw error;
    }
  }

  async function linked(next: UpstreamFetch, request: UpstreamRequest, client: AbortSignal | undefined): ReturnType<UpstreamFetch> {
    const controller = new AbortController();
    const onClientAbort = (): void => controller.abort(client!.reason);
    client?.addEventListener('abort', onClientAbort, { once: true });
    const timer = clock.setTimeout(() => controller.abort(new UpstreamTimeoutError(name, deadlineMs)), deadlineMs);
    const stopClock = (): void => clock.clearTimeout(timer);
    const finish = (): void => {
      stopClock();
      client?.removeEventListener('abort', onClientAbort);
    };
    try {
      const response = await next({ ...request, signal: controller.signal, deadlineAt: clock.now() + deadlineMs });
      if (request.deadline === 'headers') stopClock();
      onBodyClosed(response.body, finish);
      return response;
    } catch (error) {
      finish();
      throw error;
    }
  }
}
