import type { HttpServer, ServeOptions } from './types.ts';

// Bun.serve's idle timeout is in whole seconds and at most 255.
const MAX_IDLE_SECONDS = 255;

/**
 * Bun.serve. Bun has only an idle deadline, where Node also has a whole-request one: a sender that
 * trickles a byte now and then is cut off by the app's own body deadline instead (src/http's
 * readBody, `requestTimeoutMs`), which holds on both runtimes. The idle timeout stands in for
 * Node's header deadline.
 */
export async function serveHttp(options: ServeOptions): Promise<HttpServer> {
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    idleTimeout: Math.min(MAX_IDLE_SECONDS, Math.max(1, Math.ceil(options.headersTimeoutMs / 1000))),
    fetch: options.fetch,
  });
  return {
    address: server.hostname ?? options.hostname,
    port: server.port ?? options.port,
    // Graceful: no new connections; requests in flight are answered first.
    close: () => server.stop(false),
  };
}
