import { describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { committedOffsets, committedValues, consumeAsGroup, endOffsets, readRecords, sharedKafka } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresNumber, postgresRows, sqliteNumber, sqliteRows } from '../support/tables.ts';
import { tempDir } from '../support/wait.ts';
import { startWorker } from '../support/worker.ts';

// The test helpers read what the tests check. One that cannot read must fail the test, never
// answer "empty", "nothing committed" or 0, which an assertion of absence would take for a pass.
describe('test helpers fail when they cannot read what they check', () => {
  test('Kafka reads of a topic that does not exist fail', async () => {
    const kafka = await sharedKafka();
    const missing = `no-such-topic-${Date.now()}`;
    await expect(endOffsets(kafka, missing)).rejects.toThrow(missing);
    await expect(committedValues(kafka, missing)).rejects.toThrow();
    await expect(readRecords(kafka, missing, 1, { idleMs: 2000 })).rejects.toThrow();
    // A group Kafka never heard of has committed nothing: the one empty answer that is an answer.
    expect(await committedOffsets(kafka, `no-such-group-${Date.now()}`)).toEqual(new Map());
  }, 120_000);

  test('a metric the worker does not expose fails, a counter series never counted is 0, and a topic that is there reads', async () => {
    const kafka = await sharedKafka();
    const topic = `helpers-${Date.now()}`;
    const worker = await startWorker({ brokers: kafka.bootstrap, connectors: [{ name: 'm', config: { 'connector.class': 'webhook', topic } }] });
    try {
      await expect(worker.metric('inlet_no_such_metric_total', {})).rejects.toThrow('inlet_no_such_metric_total is not exposed');
      expect(await worker.metric('inlet_ingest_records_total', { connector: 'm', result: 'duplicate' })).toBe(0);
      expect((await worker.post('/ingest/m', [{ a: 1 }, { a: 2 }])).status).toBe(200);
      expect(await worker.metric('inlet_ingest_records_total', { connector: 'm', result: 'accepted' })).toBe(2);
      // The same readers on a topic that is there read what it holds.
      expect((await committedValues(kafka, topic)).map((v) => JSON.parse(v))).toEqual(expect.arrayContaining([{ a: 1 }, { a: 2 }]));
      expect((await readRecords(kafka, topic, 2)).length).toBe(2);
      // A group whose members left reads its committed offsets, and as none when it committed none
      // (Kafka answers that with a line and no table: the crash-recovery suite's SIGKILLed sink).
      const committing = `helpers-committed-${Date.now()}`;
      await consumeAsGroup(kafka, topic, committing, { commit: true });
      expect([...(await committedOffsets(kafka, committing)).values()].reduce((a, b) => a + b, 0)).toBe(2);
      const silent = `helpers-silent-${Date.now()}`;
      await consumeAsGroup(kafka, topic, silent, { commit: false });
      expect(await committedOffsets(kafka, silent)).toEqual(new Map());
    } finally {
      await worker.stop();
    }
  }, 120_000);

  test('a worker that exits at once is reported with all it printed, not before its output is read', async () => {
    const kafka = await sharedKafka();
    // 3000 refused connectors: a message of some 200 kB, several reads of the pipe, printed just before the exit.
    const connectors = Array.from({ length: 3000 }, (_, i) => ({ name: `c${i}`, config: { 'connector.class': 'webhook', topic: 'has spaces' } }));
    const last = 'connectors.2999.config.topic: is not a valid Kafka topic name';
    const refused = await startWorker({ brokers: kafka.bootstrap, connectors, waitReady: false });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain(last);
    // Waiting for /health, the harness reports the early exit with the whole output.
    const early = await startWorker({ brokers: kafka.bootstrap, connectors }).then(
      () => new Error('the worker started'),
      (error: Error) => error,
    );
    expect(early.message).toContain('worker exited with 1 before it was ready');
    expect(early.message).toContain(last);
  }, 60_000);

  test('table reads of a missing file or table fail instead of reading as no rows', async () => {
    const path = join(tempDir('helpers'), 'nothing.db');
    expect(() => sqliteRows(path, 'SELECT 1')).toThrow();
    const url = await (await sharedPostgres()).createDatabase(`helpers_${Date.now()}`);
    await expect(postgresRows(url, 'SELECT * FROM absent')).rejects.toThrow('does not exist');
    await expect(postgresNumber(url, 'SELECT count(*) AS n FROM absent')).rejects.toThrow();
    expect(await postgresNumber(url, 'SELECT 7 AS n')).toBe(7);
    await expect(postgresNumber(url, 'SELECT 1 AS a, 2 AS b')).rejects.toThrow('not one number');
    expect(() => sqliteNumber(path, 'SELECT count(*) FROM absent')).toThrow();
  }, 60_000);
});
