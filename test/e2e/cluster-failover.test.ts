import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows } from '../support/tables.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

const EVENTS = 50_000;
const BATCH = 100;
const CLIENTS = 8;

describe('a 3-worker cluster losing a worker under load', () => {
  let kafka: KafkaBroker;
  let pgUrl: string;
  const group = `failover-${Date.now()}`;
  const topic = `failover-${Date.now()}`;
  const workers: (WorkerProcess | undefined)[] = [];
  const start = () => startWorker({ brokers: kafka.bootstrap, connectors: [], group });

  /**
   * Waits until the sink's three tasks are RUNNING on the workers listening on `ports` (each on
   * its own worker with `spread`), as a live worker's status API reports them; a timeout shows the
   * last status and what each worker logged about its task slots.
   */
  async function tasksOn(what: string, ports: number[], { spread = false } = {}) {
    let lastStatus = '';
    return waitFor(what, async () => {
      const live = workers.find((w) => w && ports.includes(w.port))!;
      const body = (await (await fetch(`${live.url}/connectors/events-sink/status`)).json()) as {
        tasks: { state: string; worker_id: string }[];
      };
      lastStatus = JSON.stringify(body.tasks);
      const on = body.tasks.map((t) => Number(t.worker_id.split(':').pop()));
      const placed = body.tasks.length === 3 && body.tasks.every((t) => t.state === 'RUNNING') && on.every((p) => ports.includes(p));
      return placed && (!spread || new Set(on).size === 3) && body;
    }, { timeoutMs: 90_000, intervalMs: 500 }).catch((error) => {
      const slotLogs = workers.map((w) => w && `${w.port}:\n${w.output().split('\n').filter((l) => /slots|events-sink|fail/.test(l)).join('\n')}`);
      throw new Error(`${(error as Error).message}: workers on ${ports}, tasks ${lastStatus}\n${slotLogs.filter(Boolean).join('\n')}`);
    });
  }

  beforeAll(async () => {
    [kafka, pgUrl] = await Promise.all([sharedKafka(), sharedPostgres().then((pg) => pg.createDatabase('failover'))]);
    workers.push(...(await Promise.all([start(), start(), start()])));
    const create = async (body: unknown) => {
      const response = await fetch(`${workers[0]!.url}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBe(201);
    };
    await create({ name: 'events', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'offset.field': 'event_id', 'topic.creation.default.partitions': '6' } });
    await create({
      name: 'events-sink',
      config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'events', 'primary.key.mode': 'none', 'connection.url': pgUrl, 'tasks.max': '3', 'batch.size': '500' },
    });
    // Three workers, three tasks: one each (the group's first assignment must be balanced too).
    await tasksOn('3 RUNNING tasks, one on each worker', workers.map((w) => w!.port), { spread: true });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w?.stop().catch(() => {})));
  }, 60_000);

  test('every record lands exactly once while a worker is SIGKILLed and later restarted', async () => {
    const batches = Array.from({ length: EVENTS / BATCH }, (_, b) =>
      Array.from({ length: BATCH }, (_, i) => {
        const id = b * BATCH + i;
        return { id, event_id: `e-${id}`, amount: id * 3 };
      }),
    );
    let next = 0;
    let retries = 0;
    let turn = 0;
    /** A sender with a load balancer: a refused or failed push goes to the next live worker. */
    async function push(batch: unknown[]): Promise<void> {
      for (;;) {
        const live = workers.filter((w): w is WorkerProcess => w !== undefined);
        const worker = live[turn++ % live.length]!;
        const response = await worker.post('/ingest/events', batch).catch(() => null);
        if (response?.status === 200) return;
        retries++;
        await Bun.sleep(100);
      }
    }
    const killAt = Math.floor(batches.length / 3);
    const restartAt = Math.floor((2 * batches.length) / 3);
    let killed: Promise<void> | undefined;
    let takenOver: Promise<unknown> | undefined;
    let restarted: Promise<void> | undefined;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < batches.length) {
          const index = next++;
          if (index === killAt) {
            const victim = workers[2]!;
            workers[2] = undefined;
            killed = victim.kill();
          }
          if (index === restartAt) {
            // The worker comes back only once the survivors run all its tasks, so it joins a group
            // that must hand tasks over (cooperative-sticky's second rebalance), not just fill the
            // dead member's place. Pushes wait for that, then go on under the restart.
            takenOver = tasksOn('the survivors run every task', workers.slice(0, 2).map((w) => w!.port));
            restarted = takenOver.then(start).then((w) => void (workers[2] = w));
          }
          if (index >= restartAt) await takenOver;
          await push(batches[index]!);
        }
      }),
    );
    await killed;
    await restarted;

    // The sink appends (primary.key.mode=none): a record applied twice would be two rows.
    const end = await endOffsets(kafka, topic);
    expect(end.size).toBe(6);
    const inKafka = [...end.values()].reduce((a, b) => a + b, 0);
    // A push retried on another worker after its first attempt reached Kafka is a duplicate there
    // too (the cluster shares the dedupe window): every event once.
    expect(inKafka).toBe(EVENTS);
    const totals = await waitFor('a row for every record in Kafka', async () => {
      const [row] = await postgresRows(pgUrl, 'SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, min(id) AS lo, max(id) AS hi FROM events');
      return Number(row!.n) >= inKafka && row;
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    expect({ n: Number(totals.n), ids: Number(totals.ids), lo: Number(totals.lo), hi: Number(totals.hi) }).toEqual({ n: inKafka, ids: EVENTS, lo: 0, hi: EVENTS - 1 });

    // The sink's offsets (read through the REST API) reach the end of every partition.
    const offsets = await waitFor('sink offsets at the end of the topic', async () => {
      const body = (await (await fetch(`${workers[0]!.url}/connectors/events-sink/offsets`)).json()) as {
        offsets: { partition: { kafka_partition: number }; offset: { kafka_offset: number } }[];
      };
      const byPartition = new Map(body.offsets.map((o) => [o.partition.kafka_partition, o.offset.kafka_offset]));
      return [...end].every(([p, o]) => byPartition.get(p) === o) && byPartition;
    });
    expect(offsets.size).toBe(6);
    // Everything is applied now: nothing more can arrive to hide or make a double.
    const [final] = await postgresRows(pgUrl, 'SELECT count(*)::int AS n FROM events');
    expect(Number(final!.n)).toBe(inKafka);

    // All three tasks run again, one on each live worker (as Kafka Connect balances them): the
    // restarted worker gets its share within a rebalance or two of joining.
    const status = await tasksOn('3 RUNNING tasks, one on each live worker', workers.map((w) => w!.port), { spread: true });
    console.log(`failover: tasks on ${status.tasks.map((t) => t.worker_id).join(', ')} (workers on ${workers.map((w) => w!.port).join(', ')})`);
    console.log(`failover: ${retries} pushes retried on another worker; ${inKafka} records in Kafka for ${EVENTS} events`);
  }, 300_000);
});
