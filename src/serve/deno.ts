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
 * cut off by the app's own body deadline (src/http's readBody, `requestTimeoutMs`), which answers
 * 408 and closes the connection (`Connection: close`: the rest of that body is never read).
 * Deno's server (hyper) gives a request's headers 30 s of its own and has no setting for it.
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
