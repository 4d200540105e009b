/** What an entry point asks of the runtime's HTTP server: the same on Node, Bun and Deno. */
export interface ServeOptions {
  fetch: (request: Request) => Response | Promise<Response>;
  port: number;
  hostname: string;
  /** Node: a request must arrive whole within this long (Bun, Deno: the app's body deadline does it). */
  requestTimeoutMs: number;
  /** Node: a request's headers must arrive within this long (Bun: an idle connection is closed; Deno.serve has no such setting, see deno.ts). */
  headersTimeoutMs: number;
}

export interface HttpServer {
  /** Which server answers: `node:http`, `Bun.serve` or `Deno.serve` (for the start-up log). */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Stops accepting connections and resolves once the requests in flight are answered. */
  close(): Promise<void>;
}
