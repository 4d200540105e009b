import type { HttpServer, ServeOptions } from './types.ts';

/** The part of Deno.serve this module uses (Deno's own types are not in this project's build). */
interface DenoServe {
  serve(options: {
    port: number;
    hostname: string;
    onListen?: (address: { hostname: string; port: number }) => void;
    handler: (request: Request) => Response | Promise<Response>;
  }): DenoHttpServer;
}
interface DenoHttpServer {
  readonly addr: { hostname: string; port: number };
  /** Stops accepting connections; resolves once the requests in flight are answered. */
  shutdown(): Promise<void>;
}

/**
 * Deno.serve. Like Bun.serve it has no whole-request deadline, so a sender that trickles a body is
 * answered 408 by the app's own body deadline (src/http's readBody, `requestTimeoutMs`), which
 * frees the handler and what it reserved. Unlike Bun.serve and node:http it has no deadline of its
 * own at all, and nothing here can give it one (measured on 2.9.6):
 * - after answering a request that has a body, it reads the rest of the body before it closes
 *   the connection, for as long as the sender sends: with `Connection: close` on the 408 or
 *   without, whether the app read the body or not, and when the response's body errors after
 *   it is sent (each still open 12 s after the 408, the sender sending a byte every 200 ms).
 *   Deno 2.9 serves HTTP/1.1 with its own parser (libs/http_h1, denoland/deno#34446), which
 *   discards the rest of a body after the response and has no timer;
 * - unfinished headers, a connection idle after its response, and one that sends nothing are
 *   all still open after 90 s: `headersTimeoutMs` does nothing here (denoland/deno#3515);
 * - Deno.serve's options have no timeout (a `keepAliveTimeout`, denoland/deno#34172, is not in
 *   2.9), and its only environment settings are DENO_SERVE_ADDRESS and
 *   DENO_SERVE_AUTOMATIC_COMPRESSION.
 * A front of our own (Deno.listen relaying to Deno.serve) would have to frame HTTP/1.1 itself to
 * tell a slow head from an idle or a waiting connection, and would copy every byte through JS.
 * Deno's node:http would keep both deadlines, but the issue asks for Deno.serve.
 */
export async function serveHttp(options: ServeOptions): Promise<HttpServer> {
  const deno = (globalThis as unknown as { Deno: DenoServe }).Deno;
  const server = deno.serve({
    port: options.port,
    hostname: options.hostname,
    // Deno prints "Listening on …" by default; the entry point logs its own line.
    onListen: () => {},
    handler: options.fetch,
  });
  return {
    name: 'Deno.serve',
    address: server.addr.hostname,
    port: server.addr.port,
    close: () => server.shutdown(),
  };
}
