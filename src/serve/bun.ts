import type { HttpServer, ServeOptions } from './types.ts';

// Bun.serve's idle timeout is in whole seconds and at most 255.
const MAX_IDLE_SECONDS = 255;

/**
 * Bun.serve. Bun has only an idle deadline, where Node also has a whole-request one: a sender that
 * trickles a byte now and then is cut off by the app's own body deadline instead (src/http's
 * readBody, `requestTimeoutMs`), which holds on both runtimes. Bun's idle timer also runs while a
 * handler reads a slow body, so it is set a second past the request deadline: the app answers 408
 * first, and a connection that sends nothing at all is still closed.
 */
export async function serveHttp(options: ServeOptions): Promise<HttpServer> {
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    idleTimeout: Math.min(MAX_IDLE_SECONDS, Math.ceil(Math.max(options.headersTimeoutMs, options.requestTimeoutMs) / 1000) + 1),
    fetch: options.fetch,
  });
  return {
    address: server.hostname ?? options.hostname,
    port: server.port ?? options.port,
    // Graceful: no new connections; requests in flight are answered first.
    close: () => server.stop(false),
  };
}
