/** What an entry point asks of the runtime's HTTP server: the same on Node and on Bun. */
export interface ServeOptions {
  fetch: (request: Request) => Response | Promise<Response>;
  port: number;
  hostname: string;
  /** Node: a request must arrive whole within this long (Bun: the app's body deadline does it). */
  requestTimeoutMs: number;
  /** Node: a request's headers must arrive within this long (Bun: an idle connection is closed). */
  headersTimeoutMs: number;
}

export interface HttpServer {
  readonly address: string;
  readonly port: number;
  /** Stops accepting connections and resolves once the requests in flight are answered. */
  close(): Promise<void>;
}
