import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sqliteRows } from '../support/tables.ts';
import { cleanups, freePort, tempDir, waitFor } from '../support/wait.ts';

// The image the Dockerfile builds (scripts/image.sh: on a debootstrap base, with podman), run as an
// operator runs it: its own Bun, its own librdkafka, the non-root user, the baked-in defaults,
// a connectors file mounted in. Host networking, as this machine has no container bridge.

const ROOT = join(import.meta.dir, '..', '..');
const IMAGE = process.env.INLET_IMAGE ?? 'localhost/inlet:dev';
const IN_CI = process.env.CI === 'true';
const HAS_PODMAN = Bun.which('podman') !== null;

/** podman with this machine's settings (scripts/image.sh podman …); throws with its output on failure. */
function podman(...args: string[]): string {
  const run = Bun.spawnSync(['bash', join(ROOT, 'scripts', 'image.sh'), 'podman', ...args], { stdout: 'pipe', stderr: 'pipe' });
  if (run.exitCode !== 0) throw new Error(`podman ${args.join(' ')} failed (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout.toString();
}

function imageExists(): boolean {
  return Bun.spawnSync(['bash', join(ROOT, 'scripts', 'image.sh'), 'podman', 'image', 'exists', IMAGE]).exitCode === 0;
}

if (!HAS_PODMAN && !IN_CI) {
  // CI installs podman and builds the image before the tests (.ci/run); without podman, say why.
  test.skip(`the container image (skipped: podman is not installed; install it and run scripts/image.sh)`, () => {});
} else {
  describe('the container image, run against the test Kafka', () => {
    let kafka: KafkaBroker;
    let url: string;
    let dataDir: string;
    const name = `inlet-e2e-${process.pid}-${Date.now()}`;
    const token = 'container-test-token-0123456789';
    const topic = `container-orders-${Date.now()}`;

    const logs = () => {
      try {
        return podman('logs', name);
      } catch (error) {
        return String(error);
      }
    };

    beforeAll(async () => {
      if (!HAS_PODMAN) throw new Error('CI=true but podman is not installed: .ci/run installs it (scripts/image.sh)');
      if (!imageExists()) throw new Error(`image ${IMAGE} is missing: build it with scripts/image.sh (CI does, before npm test)`);
      kafka = await sharedKafka();
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      // mkdtemp's folders are the owner's alone; the image's user (uid 10001) reads this one.
      const configDir = tempDir('container-config');
      chmodSync(configDir, 0o755);
      writeFileSync(
        join(configDir, 'connectors.json'),
        JSON.stringify({
          connectors: [
            { name: 'orders', config: { 'connector.class': 'webhook', topic, 'key.field': 'id' } },
            {
              name: 'orders-sink',
              config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'orders', 'primary.key.fields': 'id', 'auto.create': true },
            },
          ],
        }),
      );
      // The image's user (uid 10001) writes the SQLite file into the mounted data folder.
      dataDir = tempDir('container-data');
      chmodSync(dataDir, 0o777);
      podman(
        'run', '--detach', '--name', name, '--network', 'host',
        '--env', `INLET_PORT=${port}`,
        '--env', `KAFKA_BROKERS=${kafka.bootstrap}`,
        '--env', `INLET_GROUP_ID=container-${process.pid}-${Date.now()}`,
        '--env', `INLET_API_TOKEN=${token}`,
        '--env', 'INLET_CONFIG=/etc/inlet/connectors.json',
        '--volume', `${configDir}:/etc/inlet:ro`,
        '--volume', `${dataDir}:/app/data`,
        // As the Helm chart runs it: a read-only root, /tmp and the data folder writable.
        '--read-only', '--tmpfs', '/tmp',
        IMAGE,
      );
      cleanups.push(() => void Bun.spawnSync(['bash', join(ROOT, 'scripts', 'image.sh'), 'podman', 'rm', '--force', '--time', '5', name]));
      // A worker that stops at start (a bad setting, an unreadable file) ends the wait at once.
      const running = () => podman('inspect', '--format', '{{.State.Running}}', name).trim() === 'true';
      const up = await waitFor('the container to answer GET /health with 200, or to exit', async () => {
        if (!running()) return 'exited';
        return (await fetch(`${url}/health`)).status === 200 && 'healthy';
      }, { timeoutMs: 90_000 }).catch((error: Error) => error.message);
      if (up !== 'healthy') throw new Error(`the container is not healthy (${up}); its output:\n${logs()}`);
    }, 180_000);

    afterAll(() => {
      if (name) Bun.spawnSync(['bash', join(ROOT, 'scripts', 'image.sh'), 'podman', 'rm', '--force', '--time', '5', name]);
    });

    test('runs the worker on Bun, with librdkafka over FFI, as README\'s first command does', () => {
      const first = logs().split('\n').find((line) => line.includes('listening on'));
      expect(first && (JSON.parse(first) as Record<string, unknown>)).toMatchObject({ runtime: 'bun', backend: 'ffi' });
    });

    test('runs as a non-root user, with no compiler, and its HEALTHCHECK passes', () => {
      expect(podman('exec', name, 'id', '-u').trim()).toBe('10001');
      const compilers = podman('exec', name, 'sh', '-c', 'for c in cc gcc g++ make python3 npm; do command -v $c || true; done').trim();
      expect(compilers).toBe('');
      // The image's own HEALTHCHECK command (bun -e fetch(/health)), run once by podman.
      expect(podman('healthcheck', 'run', name).trim()).toBe('');
    });

    test('is ready, and a push to it lands a row in the sink database', async () => {
      await waitFor('GET /ready to answer 200', async () => (await fetch(`${url}/ready`)).status === 200, { timeoutMs: 90_000 });
      const pushed = await fetch(`${url}/ingest/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'container-1' },
        body: JSON.stringify([{ id: 1, amount: 12.5 }, { id: 2, amount: 3 }]),
      });
      expect(await pushed.json()).toEqual({ accepted: 2, duplicates: 0 });
      const rows = await waitFor(
        'both rows in /app/data/inlet.db (the image default INLET_DB_URL)',
        () => {
          const found = sqliteRows(join(dataDir, 'inlet.db'), 'SELECT id, amount FROM orders ORDER BY id');
          return found.length === 2 && found;
        },
        { timeoutMs: 60_000 },
      ).catch((error) => {
        throw new Error(`${(error as Error).message}\ncontainer output:\n${logs()}`);
      });
      expect(rows).toEqual([{ id: 1, amount: 12.5 }, { id: 2, amount: 3 }]);
      // The REST API behind INLET_API_TOKEN, as the image listens beyond loopback.
      expect((await fetch(`${url}/connectors`)).status).toBe(401);
      const status = await fetch(`${url}/connectors/orders-sink/status`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await status.json()) as { connector: { state: string } }).connector.state).toBe('RUNNING');
      // The CLI ships in the image: an operator's `inlet status` inside the container.
      const cli = podman('exec', '--env', `INLET_URL=${url}`, '--env', `INLET_API_TOKEN=${token}`, name, 'inlet', 'status');
      expect(cli).toMatch(/^orders-sink\s+sink\s+RUNNING\s+0\s+RUNNING/m);
    }, 180_000);
  });
}
