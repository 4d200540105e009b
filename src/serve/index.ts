// The HTTP server of the runtime this process runs on: Bun.serve on Bun, Deno.serve on Deno,
// node:http on Node. The one place that asks which runtime it is for HTTP; the Hono app is the
// same on all three.
import type { HttpServer, ServeOptions } from './types.ts';

export type { HttpServer, ServeOptions } from './types.ts';

export async function serveHttp(options: ServeOptions): Promise<HttpServer> {
  const adapter = 'Bun' in globalThis ? await import('./bun.ts') : 'Deno' in globalThis ? await import('./deno.ts') : await import('./node.ts');
  return adapter.serveHttp(options);
}
