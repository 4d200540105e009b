import { serve } from '@hono/node-server';
import type { HttpServer, ServeOptions } from './types.ts';

/** node:http through @hono/node-server, with Node's own request and header deadlines. */
export async function serveHttp(options: ServeOptions): Promise<HttpServer> {
  type Listening = { address: string; port: number };
  let listening!: (info: Listening) => void;
  const ready = new Promise<Listening>((resolve) => (listening = resolve));
  const server = serve(
    {
      fetch: options.fetch,
      port: options.port,
      hostname: options.hostname,
      serverOptions: {
        requestTimeout: options.requestTimeoutMs,
        headersTimeout: options.headersTimeoutMs,
        // Node looks for timed-out requests only this often (30 s by default).
        connectionsCheckingInterval: 1000,
      },
    },
    listening,
  );
  const info = await ready;
  return {
    name: 'node:http',
    address: info.address,
    port: info.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
