import type { HttpServer, ServeOptions } from './types.ts';

// Bun.serve's idle timeout is in whole seconds and at most 255.
const MAX_IDLE_SECONDS = 255;
// uSockets, under Bun.serve, sweeps its timers every 4 s: an idle timeout of N seconds fires at
// the sweep ceil(N/4) ticks after it was armed, so anywhere from N-4 to N+3 seconds later.
const SWEEP_SECONDS = 4;

/**
 * Bun.serve. Bun has only an idle deadline, where Node also has a whole-request one: a sender that
 * trickles a byte now and then is cut off by the app's own body deadline instead (src/http's
 * readBody, `requestTimeoutMs`), which holds on both runtimes. Bun's idle timer is armed when a
 * request's handler starts and the body's bytes do not re-arm it, so while a handler reads a slow
 * body it is a whole-request deadline: it is set a second and one sweep past the app's, so the
 * app answers 408 first (at 3 s, the sweep closed trickling senders 0-4 s in, unanswered), and a
 * connection that sends nothing at all is still closed.
 */
export async function serveHttp(options: ServeOptions): Promise<HttpServer> {
  const deadlineSeconds = Math.ceil(Math.max(options.headersTimeoutMs, options.requestTimeoutMs) / 1000);
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    idleTimeout: Math.min(MAX_IDLE_SECONDS, deadlineSeconds + 1 + SWEEP_SECONDS),
    fetch: options.fetch,
  });
  return {
    name: 'Bun.serve',
    address: server.hostname ?? options.hostname,
    port: server.port ?? options.port,
    // Graceful: no new connections; requests in flight are answered first.
    close: () => server.stop(false),
  };
}
