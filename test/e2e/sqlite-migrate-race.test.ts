import { describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { harnessCommand, type Runtime } from '../support/harness.ts';
import { tempDir } from '../support/wait.ts';

const HARNESS = join(import.meta.dir, '..', 'support', 'open-store-run.ts');
const ROUNDS = 8;
const WORKERS = 6;

// A sink connector's tasks start on every worker of a cluster at once, each opening (and
// migrating) the connector's database: with SQLite, one file. connect-rest's 2-worker cluster
// failed its sink now and then with "table `inlet_sink_offsets` already exists".
describe('workers opening one fresh SQLite file at the same moment', () => {
  test.each(['bun', 'node'] as const)('all open it, migrated once (%s)', async (runtime: Runtime) => {
    const command = await harnessCommand(runtime, HARNESS);
    for (let round = 0; round < ROUNDS; round++) {
      const dir = tempDir('migrate-race');
      const at = Date.now() + 3000;
      const answers = await Promise.all(
        Array.from({ length: WORKERS }, async (_, i) => {
          const args = [`sqlite:${join(dir, 'rows.db')}`, `sqlite:${join(dir, `warm-${i}.db`)}`, String(at)];
          const proc = Bun.spawn([...command, ...args], { stdout: 'pipe', stderr: 'pipe' });
          const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
          return out.trim() || err.trim();
        }),
      );
      expect(answers).toEqual(answers.map(() => 'ok'));
    }
  }, 240_000);
});
