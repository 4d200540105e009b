import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import { runInlet, startInlet, type CliRuntime } from '../support/cli.ts';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows } from '../support/tables.ts';
import { freePort, tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

const TOKEN = 'cli-test-token-of-some-length';
/** A Standard Webhooks secret: whsec_ and base64 key bytes. */
const SECRET = `whsec_${btoa('inlet cli test signing key 32 b!')}`;
const WRONG_SECRET = `whsec_${btoa('some other key of 32 bytes long!')}`;

/**
 * `inlet` against a live worker (real Kafka, PostgreSQL sink, the REST API behind a token), run
 * both as users of the npm package run it (node dist/cli.js) and under Bun (src/cli/main.ts).
 */
describe('the inlet CLI drives a live worker', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let pgUrl: string;
  let dir: string;

  beforeAll(async () => {
    [kafka, pgUrl] = await Promise.all([sharedKafka(), sharedPostgres().then((pg) => pg.createDatabase('cli'))]);
    dir = tempDir('cli');
    worker = await startWorker({ brokers: kafka.bootstrap, connectors: [], env: { INLET_API_TOKEN: TOKEN } });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  test('the records and dead-letter routes refuse bad queries naming the parameter', async () => {
    const get = async (path: string) => {
      const response = await fetch(`${worker.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: response.status, body: (await response.json()) as { error_code: number; message: string } };
    };
    expect(await get('/connectors/nobody/records')).toEqual({ status: 404, body: { error_code: 404, message: 'Connector nobody not found' } });
    const created = await fetch(`${worker.url}/connectors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'routes-sink', config: { 'connector.class': 'database-sink', topics: `never-written-${Date.now()}`, 'connection.url': pgUrl, 'table.name.format': 'never', 'primary.key.fields': 'id' } }),
    });
    expect({ status: created.status, body: await created.text() }).toMatchObject({ status: 201 });
    const from = await get('/connectors/routes-sink/records?from=middle');
    expect(from.status).toBe(400);
    expect(from.body.message).toContain('from must be beginning or end');
    const limit = await get('/connectors/routes-sink/dlq?limit=0');
    expect(limit.status).toBe(400);
    expect(limit.body.message).toContain('limit must be a whole number');
    const noTopic = await get('/connectors/routes-sink/records?from=beginning');
    expect(noTopic.status).toBe(404);
    expect(noTopic.body.message).toMatch(/topic never-written-\d+ does not exist/);
    const noDlq = await get('/connectors/routes-sink/dlq');
    expect(noDlq.status).toBe(400);
    expect(noDlq.body.message).toContain('errors.deadletterqueue.topic.name');
    expect((await fetch(`${worker.url}/connectors/routes-sink`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(204);
  }, 60_000);

  for (const runtime of ['node', 'bun'] as const satisfies CliRuntime[]) {
    describe(`under ${runtime}`, () => {
      const source = `hooks-${runtime}`;
      const sink = `hooks-sink-${runtime}`;
      const topic = `cli-hooks-${runtime}-${Date.now()}`;
      const table = `cli_hooks_${runtime}`;
      const env = () => ({ INLET_URL: worker.url, INLET_API_TOKEN: TOKEN });
      const inlet = (...args: string[]) => runInlet(runtime, args, env());
      const file = (name: string, content: unknown) => {
        const path = join(dir, `${runtime}-${name}`);
        writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
        return path;
      };
      const rows = async () => postgresRows(pgUrl, `SELECT id::text AS id, amount::text AS amount FROM ${table} ORDER BY id`).catch(() => []);
      const taskState = async (name: string) => {
        const { code, stdout } = await inlet('status', '--json');
        expect(code).toBe(0);
        return (JSON.parse(stdout) as Record<string, { status: { tasks: { state: string }[] } }>)[name]?.status.tasks[0]?.state;
      };
      const ok = (run: { code: number; stdout: string; stderr: string }) => {
        if (run.code !== 0) throw new Error(`inlet exited ${run.code}: ${run.stderr}${run.stdout}`);
        return run.stdout;
      };

      test('a worker that is not there exits 3, and a missing token exits 4', async () => {
        const down = await runInlet(runtime, ['connectors', 'ls', '--url', `http://127.0.0.1:${await freePort()}`]);
        expect(down.code).toBe(3);
        expect(down.stderr).toContain('cannot reach the worker');
        const unauthorized = await runInlet(runtime, ['connectors', 'ls'], { INLET_URL: worker.url });
        expect(unauthorized.code).toBe(4);
        expect(unauthorized.stderr).toContain('INLET_API_TOKEN');
        // The records and dead-letter routes sit behind the token too.
        expect((await runInlet(runtime, ['tail', 'any', '--from-beginning'], { INLET_URL: worker.url })).code).toBe(4);
        expect((await runInlet(runtime, ['dlq', 'ls', 'any'], { INLET_URL: worker.url })).code).toBe(4);
        const usage = await inlet('connectors', 'get');
        expect(usage.code).toBe(2);
        expect(ok(await runInlet(runtime, ['--version']))).toBe(`${packageJson.version}\n`);
      }, 60_000);

      test('validate prints the bad field and exits 5; a good file validates', async () => {
        const bad = await inlet('validate', '-f', file('bad.json', { name: 'x', config: { 'connector.class': 'standard-webhooks', topic: 'has spaces', secrets: SECRET } }));
        expect(bad.code).toBe(5);
        expect(bad.stdout).toMatch(/^topic: /m);
        expect(bad.stderr).toContain('1 error');
        const good = await inlet('validate', '-f', file('good.json', { name: 'x', config: { 'connector.class': 'standard-webhooks', topic: 'fine', secrets: SECRET } }));
        expect(ok(good)).toContain('valid standard-webhooks config');
      }, 60_000);

      test('create from files, then ls, get and status show them (tables and --json)', async () => {
        const sourceFile = file('source.json', {
          name: source,
          config: { 'connector.class': 'standard-webhooks', topic, secrets: SECRET, 'key.field': 'id', 'topic.creation.default.partitions': 1 },
        });
        expect(ok(await inlet('connectors', 'create', '-f', sourceFile))).toContain(`created connector ${source}`);
        // The flat form (as GET …/config shows a connector) is a connector file too.
        const sinkFile = file('sink.json', {
          name: sink,
          'connector.class': 'database-sink',
          topics: topic,
          'primary.key.fields': 'id',
          'connection.url': pgUrl,
          'table.name.format': table,
          'errors.tolerance': 'all',
          'errors.deadletterqueue.topic.name': `${topic}.dlq`,
        });
        expect(ok(await inlet('connectors', 'create', '-f', sinkFile))).toContain(`created connector ${sink}`);
        const again = await inlet('connectors', 'create', '-f', sinkFile);
        expect(again.code).toBe(1);
        expect(again.stderr).toContain('already exists');

        const listing = ok(await inlet('connectors', 'ls'));
        expect(listing.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+CLASS\s+STATE\s+TASKS$/);
        expect(listing).toMatch(new RegExp(`^${source}\\s+source\\s+standard-webhooks\\s+RUNNING\\s+1$`, 'm'));
        expect(listing).toMatch(new RegExp(`^${sink}\\s+sink\\s+database-sink\\s+RUNNING\\s+1$`, 'm'));
        const listed = JSON.parse(ok(await inlet('connectors', 'ls', '--json')));
        expect(listed[sink].info.config['connector.class']).toBe('database-sink');

        expect(ok(await inlet('connectors', 'get', sink))).toMatch(/^table\.name\.format\s+cli_hooks_/m);
        const info = JSON.parse(ok(await inlet('--json', 'connectors', 'get', source)));
        expect(info.config.secrets).toBe('[hidden]');

        await waitFor(`${sink} task 0 RUNNING`, async () => (await taskState(sink)) === 'RUNNING', { timeoutMs: 60_000 });
        const status = ok(await inlet('status'));
        expect(status.split('\n')[0]).toMatch(/^CONNECTOR\s+TYPE\s+STATE\s+TASK\s+TASK STATE\s+WORKER/);
        expect(status).toMatch(new RegExp(`^${sink}\\s+sink\\s+RUNNING\\s+0\\s+RUNNING\\s+\\S+:${worker.port}`, 'm'));
      }, 120_000);

      test('pause pauses the task and resume runs it again', async () => {
        expect(ok(await inlet('connectors', 'pause', sink))).toContain(`paused connector ${sink}`);
        await waitFor(`${sink} task 0 PAUSED`, async () => (await taskState(sink)) === 'PAUSED', { timeoutMs: 60_000 });
        expect(ok(await inlet('connectors', 'resume', sink))).toContain(`resumed connector ${sink}`);
        await waitFor(`${sink} task 0 RUNNING`, async () => (await taskState(sink)) === 'RUNNING', { timeoutMs: 60_000 });
      }, 120_000);

      test('put creates a connector, then replaces its config; restart --include-tasks restarts the task', async () => {
        const name = `put-${runtime}`;
        const config = (target: string) => ({ 'connector.class': 'standard-webhooks', topic: target, secrets: SECRET, 'topic.creation.default.partitions': 1 });
        expect(ok(await inlet('connectors', 'put', name, '-f', file('put.json', config(`${topic}-put-a`))))).toBe(`created connector ${name}\n`);
        expect(ok(await inlet('connectors', 'put', name, '-f', file('put.json', { name, config: config(`${topic}-put-b`) })))).toBe(`updated connector ${name}\n`);
        const stored = JSON.parse(ok(await inlet('--json', 'connectors', 'get', name)));
        expect(stored.config).toMatchObject({ topic: `${topic}-put-b`, secrets: '[hidden]' });
        // A file naming another connector is a usage error, and nothing is sent.
        const misnamed = await inlet('connectors', 'put', name, '-f', file('put-other.json', { name: 'other', config: config('x') }));
        expect(misnamed.code).toBe(2);
        expect(misnamed.stderr).toContain('names connector other');
        ok(await inlet('connectors', 'delete', name));

        // Connect's restart with includeTasks answers 202 with the tasks it restarts (KIP-745).
        const restarted = JSON.parse(ok(await inlet('--json', 'connectors', 'restart', sink, '--include-tasks')));
        expect(restarted).toMatchObject({ name: sink, tasks: [{ id: 0, state: 'RESTARTING' }] });
        await waitFor(`${sink} task 0 RUNNING after the restart`, async () => (await taskState(sink)) === 'RUNNING', { timeoutMs: 60_000 });
        expect(ok(await inlet('connectors', 'restart', sink, '--include-tasks', '--only-failed'))).toBe(`restarting connector ${sink} and its tasks\n`);
        const unknown = await inlet('connectors', 'restart', 'nobody');
        expect(unknown.code).toBe(1);
        expect(unknown.stderr).toContain('HTTP 404');
      }, 120_000);

      test('send signs a Standard Webhooks push that lands as a row; a wrongly signed one is refused', async () => {
        const event = file('event.json', { id: 1, amount: 100 });
        const sent = await runInlet(runtime, ['send', source, '--file', event, '--id', `msg_${runtime}_1`], { ...env(), INLET_SEND_SECRET: SECRET });
        expect(ok(sent)).toMatch(/^200 /);
        await waitFor('the pushed row', async () => (await rows()).length === 1, { timeoutMs: 60_000 });
        expect(await rows()).toEqual([{ id: '1', amount: '100' }]);

        const forged = await inlet('send', source, '--file', file('forged.json', { id: 2, amount: 5 }), '--secret', WRONG_SECRET);
        expect(forged.code).toBe(1);
        expect(forged.stderr).toContain('HTTP 401');
        const unsigned = await inlet('send', source, '--file', event);
        expect(unsigned.code).toBe(2);
        expect(unsigned.stderr).toContain('INLET_SEND_SECRET');
      }, 120_000);

      test('tail shows the pushed record with its source offset, from the beginning and as it arrives', async () => {
        const old = await inlet('tail', source, '--from-beginning', '--grep', `^msg_${runtime}_1$`, '--limit', '1');
        expect(ok(old)).toContain(`source=${source}/msg_${runtime}_1`);
        expect(old.stdout).toContain(`${topic}/0@0`);

        // From the end: only what is pushed after the tail started, so push until it shows one.
        const following = startInlet(runtime, ['tail', source, '--json', '--limit', '1'], env());
        const traceId = crypto.randomUUID().replaceAll('-', '');
        let pushes = 0;
        await waitFor(
          'tail to print a record pushed while it runs',
          async () => {
            if (following.done()) return true;
            const sent = await inlet(
              'send', source, '--file', file('live.json', { id: 100 + pushes, amount: 7 }), '--secret', SECRET, '--id', `live_${runtime}_${pushes++}`,
              '--header', `traceparent: 00-${traceId}-00f067aa0ba902b7-01`,
            );
            ok(sent);
            return following.done();
          },
          { timeoutMs: 60_000, intervalMs: 1000 },
        );
        const run = await following.exited();
        expect(run.code).toBe(0);
        const line = JSON.parse(run.stdout.trim());
        expect(line).toMatchObject({ topic, partition: 0, encoding: 'utf8', source_partition: source, trace_id: traceId });
        expect(line.source_offset).toMatch(new RegExp(`^live_${runtime}_\\d+$`));
        expect(line.headers['inlet.source.offset']).toBe(line.source_offset);
        expect(JSON.parse(line.value)).toMatchObject({ amount: 7 });
      }, 120_000);

      test('records the sink cannot apply show in dlq ls, and dlq replay applies them once fixed, up to --offset first', async () => {
        // amount became a bigint column with the first row: text there cannot be applied.
        ok(await inlet('send', source, '--file', file('poison.json', { id: 2, amount: 'lots' }), '--secret', SECRET));
        ok(await inlet('send', source, '--file', file('poison2.json', { id: 3, amount: 'more' }), '--secret', SECRET));
        const listed = await waitFor(
          'two dead letters',
          async () => {
            const run = await inlet('dlq', 'ls', sink, '--json');
            return run.code === 0 && (JSON.parse(run.stdout) as unknown[]).length === 2 ? JSON.parse(run.stdout) : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        expect(listed[0].headers).toMatchObject({ '__connect.errors.topic': topic, '__connect.errors.connector.name': sink });
        expect(listed.map((letter: { value: string }) => JSON.parse(letter.value))).toEqual([
          { id: 2, amount: 'lots' },
          { id: 3, amount: 'more' },
        ]);
        const letters = ok(await inlet('dlq', 'ls', sink));
        expect(letters.split('\n')[0]).toMatch(/^PARTITION\s+OFFSET\s+TIME\s+FROM\s+STAGE\s+ERROR$/);
        expect(letters).toContain(`${topic}/0@`);

        // Still broken: the replay stops at the first letter and says so.
        const blocked = await inlet('dlq', 'replay', sink);
        expect(blocked.code).toBe(1);
        expect(blocked.stderr).toContain('still fails');

        await postgresRows(pgUrl, `ALTER TABLE ${table} ALTER COLUMN amount TYPE text USING amount::text`);
        const first = await inlet('dlq', 'replay', sink, '--offset', String(listed[0].offset));
        expect(ok(first)).toContain('replayed 1 dead letter\n');
        expect(first.stdout).toContain('more remain');
        expect(await rows()).toContainEqual({ id: '2', amount: 'lots' });
        expect((await rows()).map((row) => row.id)).not.toContain('3');
        expect(ok(await inlet('dlq', 'replay', sink))).toBe('replayed 1 dead letter\n');
        expect(await rows()).toContainEqual({ id: '3', amount: 'more' });
      }, 120_000);

      test('offsets get shows the sink positions; reset is refused while it runs, and works once stopped', async () => {
        expect(ok(await inlet('offsets', 'get', sink))).toMatch(new RegExp(`kafka_topic=${topic} kafka_partition=0\\s+kafka_offset=\\d+`));
        const running = await inlet('offsets', 'reset', sink);
        expect(running.code).toBe(1);
        expect(running.stderr).toContain('STOPPED');
        ok(await inlet('connectors', 'stop', sink));
        expect(ok(await inlet('offsets', 'reset', sink))).toContain(`reset the offsets of connector ${sink}`);
        expect(ok(await inlet('connectors', 'delete', sink))).toContain(`deleted connector ${sink}`);
        const gone = await inlet('connectors', 'get', sink);
        expect(gone.code).toBe(1);
        expect(gone.stderr).toContain('HTTP 404');
      }, 120_000);
    });
  }
});
