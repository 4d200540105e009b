import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanups, freePort, tempDir } from './wait.ts';

const SCRIPT = join(import.meta.dir, '..', '..', 'scripts', 'debezium.sh');

export interface DebeziumServer {
  dir: string;
  /** Everything the server logged so far. */
  log(): string;
  stop(): Promise<void>;
}

async function run(args: string[]): Promise<string> {
  const proc = Bun.spawn(['bash', SCRIPT, ...args], { stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`scripts/debezium.sh ${args.join(' ')} failed (${code}):\n${out}\n${err}`);
  return out;
}

/**
 * A real Debezium Server, started by the project script with `properties` as its
 * application.properties (the `debezium.` keys), in its own folder. Its Quarkus HTTP port is
 * picked free so it never collides with another server.
 */
export async function startDebeziumServer(properties: Record<string, string | number>): Promise<DebeziumServer> {
  const dir = tempDir('debezium');
  mkdirSync(join(dir, 'config'), { recursive: true });
  const all = {
    'debezium.source.offset.storage.file.filename': join(dir, 'offsets.dat'),
    'debezium.source.offset.flush.interval.ms': 0,
    'quarkus.http.port': await freePort(),
    'quarkus.log.console.json': 'false',
    ...properties,
  };
  writeFileSync(join(dir, 'config', 'application.properties'), Object.entries(all).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const server: DebeziumServer = {
    dir,
    log: () => {
      try {
        return readFileSync(join(dir, 'debezium.log'), 'utf8');
      } catch {
        return '';
      }
    },
    stop: async () => void (await run(['stop', dir])),
  };
  // Registered after tempDir's removal of the folder, so it runs before it.
  cleanups.push(() => server.stop().catch(() => {}));
  await run(['start', dir]);
  return server;
}
