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
 * own at all (denoland/deno#3515; measured on 2.9.6): it reads the rest of a 408'd body for as long
 * as the sender sends it, and waits on unfinished headers or an idle connection without limit
 * (45 s and more seen), so `headersTimeoutMs` does nothing here. Deno's node:http would keep both
 * deadlines, but the issue asks for Deno.serve.
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
