import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { offsetsByPartition, postgresRows, sqliteRows, type Row } from '../support/tables.ts';
import { freePort, tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type ConnectorSpec, type WorkerProcess } from '../support/worker.ts';

// Exactly once, shown where a double apply would show: the sinks append (primary.key.mode=none),
// so a record applied twice is two rows. Senders retry the same Idempotency-Key until they get a
// 2xx while the worker is SIGKILLed under load, and once dies by its own hand right after a
// database commit and before Kafka hears of it (INLET_FAULT_CRASH_AFTER_DB_COMMITS). The senders
// keep sending until the last worker has taken its share, so every death lands mid-load.
const SENDERS = 8;
const BATCH = 20;
/** Batches a worker acknowledges before it is killed. */
const QUOTA = 40;

interface Outcomes {
  acknowledged: number;
  /** Attempts that got no 2xx (no answer, 503, 429) and were sent again with the same key. */
  retried: number;
  /** Retries answered as (partly) duplicate: the first attempt had reached Kafka. */
  duplicates: number;
}

describe('worker SIGKILLed under load, senders retrying the same Idempotency-Key', () => {
  let kafka: KafkaBroker;
  let pgUrl: string;
  let sqlitePath: string;
  let port: number;
  let worker: WorkerProcess | undefined;
  const topic = `eo-kill-${Date.now()}`;
  const group = `eo-kill-${Date.now()}`;
  let connectors: ConnectorSpec[];

  beforeAll(async () => {
    [kafka, pgUrl, port] = await Promise.all([sharedKafka(), sharedPostgres().then((pg) => pg.createDatabase('eo_sigkill')), freePort()]);
    sqlitePath = join(tempDir('eo-kill'), 'sink.db');
    const append = { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'applied', 'primary.key.mode': 'none', 'batch.size': 50 };
    connectors = [
      // No offset.field: each record's source offset is the request's Idempotency-Key and its index.
      { name: 'orders', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'topic.creation.default.partitions': 3 } },
      { name: 'append-pg', config: { ...append, 'connection.url': pgUrl } },
      { name: 'append-sqlite', config: { ...append, 'connection.url': `sqlite:${sqlitePath}` } },
    ];
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.proc.exitCode === null && worker.proc.signalCode === null) await worker.stop();
  }, 60_000);

  /** The same worker each time (same port, so the same worker id, and the same cluster). */
  const launch = (env: Record<string, string> = {}, waitReady = true) =>
    startWorker({ brokers: kafka.bootstrap, connectors, group, port, env, waitReady });

  test('every id lands exactly once in PostgreSQL and in SQLite', async () => {
    const outcomes: Outcomes = { acknowledged: 0, retried: 0, duplicates: 0 };
    let sending = true;
    let aborted = false;
    worker = await launch();

    /** One sender: its own ids, each batch sent with one key until a 2xx answers it. */
    async function sender(s: number): Promise<number> {
      let b = 0;
      for (; sending; b++) {
        const first = (s * 1_000_000) + b * BATCH;
        const batch = Array.from({ length: BATCH }, (_, i) => ({ id: first + i, sender: s, batch: b }));
        const key = `sender-${s}-batch-${b}`;
        for (let attempt = 0; ; attempt++) {
          const response = await fetch(`http://127.0.0.1:${port}/ingest/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify(batch),
          }).catch(() => null);
          if (response?.ok) {
            const body = (await response.json()) as { accepted: number; duplicates: number };
            expect(body.accepted + body.duplicates).toBe(BATCH);
            if (attempt > 0 && body.duplicates > 0) outcomes.duplicates++;
            outcomes.acknowledged++;
            break;
          }
          // Anything but a 2xx (the worker gone, 503 while it starts, 429): the same request again.
          if (response) expect([429, 503]).toContain(response.status);
          outcomes.retried++;
          if (aborted) throw new Error(`sender ${s} gave up on ${key}: the supervisor failed`);
          await Bun.sleep(100);
        }
      }
      return b;
    }

    /** Batches acknowledged when each worker died. */
    const kills: number[] = [];
    const quotaMet = () => {
      const from = outcomes.acknowledged;
      return waitFor(`${QUOTA} more batches acknowledged`, () => outcomes.acknowledged >= from + QUOTA, { timeoutMs: 300_000, intervalMs: 20 });
    };
    const senders = Promise.all(Array.from({ length: SENDERS }, (_, s) => sender(s)));
    const supervisor = (async () => {
      await quotaMet();
      await worker!.kill();
      kills.push(outcomes.acknowledged);
      // Dies right after its 5th database commit (the sinks catching up), before Kafka hears of it.
      worker = await launch({ INLET_FAULT_CRASH_AFTER_DB_COMMITS: '5' }, false);
      await waitFor('the faulty worker to kill itself', () => worker!.proc.signalCode !== null || worker!.proc.exitCode !== null, { timeoutMs: 180_000 });
      expect(worker.proc.signalCode).toBe('SIGKILL');
      kills.push(outcomes.acknowledged);
      for (let i = 0; i < 2; i++) {
        worker = await launch();
        await quotaMet();
        await worker.kill();
        kills.push(outcomes.acknowledged);
      }
      worker = await launch();
      await quotaMet();
    })();
    await supervisor.catch((error) => {
      aborted = true;
      throw error;
    }).finally(() => (sending = false));
    const sent = await senders;
    const batches = sent.reduce((a, b) => a + b, 0);
    const IDS = batches * BATCH;
    console.log(`exactly-once-sigkill: workers died at ${kills.join(', ')} of ${batches} batches; ${outcomes.retried} attempts retried, ${outcomes.duplicates} retries answered duplicate`);
    expect(kills.length).toBe(4);
    expect(outcomes.acknowledged).toBe(batches);
    expect(outcomes.retried).toBeGreaterThan(0);
    // The ids the senders had acknowledged: sender s sent s*1e6 + 0 .. s*1e6 + sent[s]*BATCH - 1.
    const idSum = sent.reduce((sum, n, s) => sum + n * BATCH * s * 1_000_000 + ((n * BATCH) * (n * BATCH - 1)) / 2, 0);

    // Nothing acknowledged was lost on the way in, and nothing was written to Kafka twice.
    const end = await endOffsets(kafka, topic);
    const inKafka = [...end.values()].reduce((a, b) => a + b, 0);
    expect(inKafka).toBe(IDS);

    const select = {
      offsets: (connector: string) => `SELECT topic, kafka_partition, next_offset FROM inlet_sink_offsets WHERE connector = '${connector}'`,
      doubles: 'SELECT id, count(*) AS n FROM applied GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 10',
      totals: 'SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(id) AS sum FROM applied',
    };
    const atEnd = (rows: Row[]) => {
      const offsets = offsetsByPartition(rows);
      return [...end].every(([p, o]) => offsets.get(`${topic}/${p}`) === o);
    };
    await waitFor('both sinks at the end of the topic', async () =>
      atEnd(await postgresRows(pgUrl, select.offsets('append-pg'))) && atEnd(sqliteRows(sqlitePath, select.offsets('append-sqlite'))),
    { timeoutMs: 180_000, intervalMs: 500 });

    for (const [where, rows] of [
      ['PostgreSQL', async (query: string) => postgresRows(pgUrl, query)],
      ['SQLite', async (query: string) => sqliteRows(sqlitePath, query)],
    ] as const) {
      expect({ where, doubles: await rows(select.doubles) }).toEqual({ where, doubles: [] });
      const [totals] = await rows(select.totals);
      const numbers: Record<string, unknown> = { where, ...Object.fromEntries(Object.entries(totals!).map(([k, v]) => [k, Number(v)])) };
      expect(numbers).toEqual({ where, n: IDS, ids: IDS, sum: idSum });
    }
  }, 600_000);
});
