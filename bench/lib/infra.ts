// The bench's own Kafka broker and PostgreSQL cluster, on free ports, torn down at the end.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { freePort, ROOT, run } from './proc.ts';

export interface Broker {
  bootstrap: string;
  stop(): Promise<void>;
}

/** A single-node KRaft broker started by scripts/kafka.sh in `dir`. */
export async function startKafka(dir: string): Promise<Broker> {
  const port = await freePort();
  const env = { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_DATA_DIR: join(dir, 'kafka') };
  const script = join(ROOT, 'scripts', 'kafka.sh');
  await run(['bash', script, 'start'], { env });
  return {
    bootstrap: `127.0.0.1:${port}`,
    stop: async () => {
      await run(['bash', script, 'stop'], { env }).catch(() => '');
      // The topics can be gigabytes; kafka.log stays with the run's other logs.
      rmSync(join(env.KAFKA_DATA_DIR, 'logs'), { recursive: true, force: true });
    },
  };
}

/** Debian keeps server binaries off PATH, under /usr/lib/postgresql/<major>/bin. */
export function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) if (existsSync(join(root, major, 'bin', name))) return join(root, major, 'bin', name);
  }
  const onPath = Bun.which(name);
  if (!onPath) throw new Error(`PostgreSQL binary "${name}" not found: run scripts/setup.sh`);
  return onPath;
}

export interface Database {
  /** Maintenance database URL. */
  url: string;
  /** The postmaster's pid: its children are the cluster's backends. */
  pid: number;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A private cluster as test/support/postgres.ts starts one (initdb as the postgres user when root),
 * with fsync off: both sinks commit once per batch, and the benchmark measures them, not the disk.
 */
export async function startPostgres(dir: string): Promise<Database> {
  const home = join(dir, 'pg');
  mkdirSync(home, { recursive: true });
  const asUser = process.getuid?.() === 0 ? 'postgres' : null;
  if (asUser) {
    const fields = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${asUser}:`))!
      .split(':');
    chownSync(home, Number(fields[2]), Number(fields[3]));
  }
  chmodSync(home, 0o700);
  const as = (cmd: string[]) => (asUser ? ['runuser', '-u', asUser, '--', ...cmd] : cmd);
  const dataDir = join(home, 'data');
  const port = await freePort();
  await run(as([pgBin('initdb'), '-D', dataDir, '-U', 'inlet', '-A', 'trust', '-E', 'UTF8', '--no-sync']));
  const options = `-p ${port} -k ${home} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_buffers=256MB`;
  await run(as([pgBin('pg_ctl'), '-D', dataDir, '-l', join(home, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start']));
  const url = `postgres://inlet@127.0.0.1:${port}/postgres`;
  return {
    url,
    pid: Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]),
    async createDatabase(name: string) {
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.unsafe(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      return `postgres://inlet@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await run(as([pgBin('pg_ctl'), '-D', dataDir, '-m', 'immediate', '-w', 'stop'])).catch(() => '');
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Creates topics with the librdkafka admin client (a Node process: the addon loads only there). */
export async function createTopics(bootstrap: string, partitions: number, topics: string[]): Promise<void> {
  await run(['node', join(ROOT, 'bench', 'tools', 'kafka.mjs'), 'create', bootstrap, String(partitions), ...topics]);
}
