import type { StreamRequest, UpstreamCall, UpstreamFetch, UpstreamSink } from './types.js';

/**
 * `Upstream.stream` over the promise path, for an upstream built with extra `wrappers` (they
 * wrap `request`, so a streamed call must pass through them too).
 */
export function streamViaRequest(request: UpstreamFetch, call: StreamRequest, sink: UpstreamSink): UpstreamCall {
  const controller = new AbortController();
  // The deadline layer aborts the same controller: only the caller's own abort silences the sink.
  let gone = false;
  let body: { pause(): unknown; resume(): unknown } | undefined;
  request({ ...call, signal: controller.signal, controller, deadline: call.deadline ?? 'headers' }).then(
    (response) => {
      if (gone) {
        response.body.destroy();
        return;
      }
      if (!sink.onHead(response.statusCode, response.headers)) {
        response.body.dump().catch(() => undefined);
        return;
      }
      body = response.body;
      response.body.on('data', (chunk: Buffer) => {
        if (!sink.onData(chunk)) response.body.pause();
      });
      response.body.once('end', () => sink.onEnd());
      response.body.once('error', (error) => {
        if (!gone) sink.onError(error);
      });
    },
    (error: unknown) => {
      if (!gone) sink.onError(error);
    },
  );
  return {
    abort: (reason) => {
      gone = true;
      controller.abort(reason);
    },
    resume: () => body?.resume(),
  };
}
