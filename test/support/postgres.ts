import postgres from 'postgres';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanups, freePort } from './wait.ts';

/** Debian keeps server binaries off PATH, under /usr/lib/postgresql/<major>/bin. */
function serverBin(name: string): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const path = join(root, major, 'bin', name);
      if (existsSync(path)) return path;
    }
  }
  const onPath = Bun.which(name);
  if (!onPath) throw new Error(`PostgreSQL server binary "${name}" not found: run scripts/setup.sh (installs Debian's postgresql)`);
  return onPath;
}

async function run(cmd: string[], asUser: string | null): Promise<void> {
  const argv = asUser ? ['runuser', '-u', asUser, '--', ...cmd] : cmd;
  const proc = Bun.spawn(argv, { stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${cmd.join(' ')} failed (${code}):\n${out}\n${err}`);
}

export interface PostgresServer {
  /** URL of the maintenance database; use createDatabase for a test's own. */
  url: string;
  /** The server's port on 127.0.0.1 (for clients configured by host and port). */
  port: number;
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m fast` (sessions are cut, as in a restart); only a cluster startPostgres made. */
  stop(): Promise<void>;
  /** `pg_ctl start` again, same data and port. */
  start(): Promise<void>;
  /**
   * SIGSTOP to the postmaster and every backend: connections stay open and nothing answers, as
   * with a hung server. Only a cluster startPostgres made.
   */
  freeze(): Promise<void>;
  /** SIGCONT to what freeze stopped. */
  thaw(): Promise<void>;
}

export interface PostgresOptions {
  /**
   * `wal_level=logical` with room for replication slots, for CDC readers such as Debezium's
   * pgoutput connector. The cluster is then the caller's own, not the suite's shared one.
   */
  logicalReplication?: boolean;
}

/** Starts a private cluster (initdb on a free port) so tests never depend on a server left running. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-pg-'));
  const dataDir = join(dir, 'data');
  // initdb refuses to run as root; Debian's package provides the postgres user for that.
  const asUser = process.getuid?.() === 0 ? 'postgres' : null;
  if (asUser) {
    const { uid, gid } = await Bun.file('/etc/passwd')
      .text()
      .then((text) => {
        const fields = text.split('\n').find((l) => l.startsWith(`${asUser}:`))!.split(':');
        return { uid: Number(fields[2]), gid: Number(fields[3]) };
      });
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const port = await freePort();
  await run([serverBin('initdb'), '-D', dataDir, '-U', 'inlet', '-A', 'trust', '-E', 'UTF8', '--no-sync'], asUser);
  let settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  // initdb's pg_hba.conf already trusts replication connections from 127.0.0.1.
  if (options.logicalReplication) settings += ' -c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10';
  const start = () => run([serverBin('pg_ctl'), '-D', dataDir, '-l', join(dir, 'postgres.log'), '-o', settings, '-w', '-t', '60', 'start'], asUser);
  await start();
  cleanups.push(async () => {
    // Already stopped by a test that stopped it: nothing to do.
    await run([serverBin('pg_ctl'), '-D', dataDir, '-m', 'immediate', '-w', 'stop'], asUser).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  let frozen: number[] = [];
  return serverAt(`postgres://inlet@127.0.0.1:${port}/postgres`, {
    stop: () => run([serverBin('pg_ctl'), '-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], asUser),
    start,
    async freeze() {
      // The postmaster's pid heads postmaster.pid; its children are the backends and helpers.
      const postmaster = Number((await Bun.file(join(dataDir, 'postmaster.pid')).text()).split('\n')[0]);
      const children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      frozen = [postmaster, ...children];
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    async thaw() {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      frozen = [];
    },
  });
}

function serverAt(url: string, control?: Pick<PostgresServer, 'stop' | 'start' | 'freeze' | 'thaw'>): PostgresServer {
  const notOurs = async () => {
    throw new Error(`${url} is not a cluster this suite started: it cannot stop or start it`);
  };
  return {
    url,
    stop: control?.stop ?? notOurs,
    start: control?.start ?? notOurs,
    freeze: control?.freeze ?? notOurs,
    thaw: control?.thaw ?? notOurs,
    port: Number(new URL(url).port || 5432),
    async createDatabase(name: string) {
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.unsafe(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      const target = new URL(url);
      target.pathname = `/${name}`;
      return target.toString();
    },
  };
}

let shared: Promise<PostgresServer> | undefined;

/** The suite's PostgreSQL (INLET_TEST_PG_URL points at an existing server instead). */
export function sharedPostgres(): Promise<PostgresServer> {
  const existing = process.env.INLET_TEST_PG_URL;
  if (existing) return Promise.resolve(serverAt(existing));
  shared ??= startPostgres();
  return shared;
}
