import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows } from '../support/tables.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

const LETTERS = 25;
const BATCH = 10;

describe('dead letter replay reads its letters in bounded batches', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let pgUrl: string;
  const topic = `replayed-${Date.now()}`;
  const dlq = `${topic}.dlq`;

  beforeAll(async () => {
    [kafka, pgUrl] = await Promise.all([sharedKafka(), sharedPostgres().then((pg) => pg.createDatabase('dead_letter_batches'))]);
    worker = await startWorker({
      brokers: kafka.bootstrap,
      env: { INLET_DLQ_REPLAY_BATCH_RECORDS: String(BATCH) },
      connectors: [
        { name: 'payouts', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'topic.creation.default.partitions': 1 } },
        {
          name: 'payouts-sink',
          config: {
            'connector.class': 'database-sink',
            topics: topic,
            'primary.key.fields': 'id',
            'connection.url': pgUrl,
            'table.name.format': 'payouts',
            'errors.tolerance': 'all',
            'errors.deadletterqueue.topic.name': dlq,
          },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  const count = async () => Number((await postgresRows(pgUrl, 'SELECT count(*)::int AS n FROM payouts'))?.[0]?.n ?? 0);
  const replay = async () => {
    const response = await fetch(`${worker.url}/connectors/payouts-sink/dlq/replay`, { method: 'POST' });
    expect(response.status).toBe(200);
    return response.json();
  };
  /** The sizes of the batches replays have read so far, from the worker's log. */
  const batches = () => [...worker.output().matchAll(/payouts-sink: dead letter replay read a batch of (\d+)/g)].map((m) => Number(m[1]));

  test(`${LETTERS} letters replay whole, read at most ${BATCH} at a time`, async () => {
    // The first record makes cents a bigint column; the text ones after it become dead letters.
    expect((await worker.post('/ingest/payouts', [{ id: 0, cents: 1 }])).status).toBe(200);
    await waitFor('the table created', async () => (await count()) === 1, { timeoutMs: 30_000 });
    const poison = Array.from({ length: LETTERS }, (_, i) => ({ id: i + 1, cents: `lots-${i}` }));
    expect((await worker.post('/ingest/payouts', poison)).status).toBe(200);
    await waitFor(`${LETTERS} dead letters`, async () => [...(await endOffsets(kafka, dlq)).values()].reduce((a, b) => a + b, 0) === LETTERS, {
      timeoutMs: 60_000,
    });

    // Still broken: the first letter blocks its partition and nothing after it is applied.
    expect(await replay()).toMatchObject({ replayed: 0, more: false, blocked: { partition: 0, offset: 0 } });
    const blockedRead = batches();
    expect(blockedRead.length).toBeGreaterThan(0);
    expect(Math.max(...blockedRead)).toBeLessThanOrEqual(BATCH);

    await postgresRows(pgUrl, 'ALTER TABLE payouts ALTER COLUMN cents TYPE text USING cents::text');
    expect(await replay()).toEqual({ replayed: LETTERS, blocked: null, more: false });
    expect(await count()).toBe(LETTERS + 1);
    const read = batches().slice(blockedRead.length);
    expect(read.reduce((a, b) => a + b, 0)).toBe(LETTERS);
    expect(read.length).toBeGreaterThanOrEqual(Math.ceil(LETTERS / BATCH));
    expect(Math.max(...read)).toBeLessThanOrEqual(BATCH);
    // Each letter committed with the replay's position: a second replay applies nothing.
    expect(await replay()).toEqual({ replayed: 0, blocked: null, more: false });
  }, 120_000);
});
