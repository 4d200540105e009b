import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { endOffsets, kafkaCommand, readRecords, startKafka, type KafkaBroker } from '../support/kafka.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

// Small enough that a burst of pushes outruns a slow broker; records per push above 1, so a push
// can be partly queued when the queue fills.
const QUEUE_MAX_MESSAGES = 8;
const RECORDS_PER_PUSH = 3;
const PUSHES_PER_BURST = 30;

describe('a full producer queue (INLET_PRODUCER_QUEUE_MAX_MESSAGES)', () => {
  // A broker of its own: its producer quota must not slow the other suites.
  let kafka: KafkaBroker;
  let worker: WorkerProcess;

  /**
   * Kafka's producer quota on the worker's producer (client id inlet-producer): the broker delays
   * its answers, so delivery reports come slowly and records wait in the producer's queue.
   */
  const throttle = (bytesPerSecond: number | null) =>
    kafkaCommand(kafka, 'kafka.admin.ConfigCommand', [
      '--alter', '--entity-type', 'clients', '--entity-name', 'inlet-producer',
      ...(bytesPerSecond === null ? ['--delete-config', 'producer_byte_rate'] : ['--add-config', `producer_byte_rate=${bytesPerSecond}`]),
    ]);

  const push = async (ids: string[]) => {
    const response = await worker.post('/ingest/burst', ids.map((id) => ({ id, note: `event ${id}` })));
    return { ids, status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
  };

  beforeAll(async () => {
    kafka = await startKafka();
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [{ name: 'burst', config: { 'connector.class': 'webhook', topic: 'burst', 'key.field': 'id', 'offset.field': 'id' } }],
      // Records queued behind the quota must not time out meanwhile: only the full queue refuses.
      env: { INLET_PRODUCER_QUEUE_MAX_MESSAGES: String(QUEUE_MAX_MESSAGES), INLET_DELIVERY_TIMEOUT_MS: '120000' },
    });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  test('answers 503 with Retry-After saying the queue is full; every accepted record, and every retried refusal, is in Kafka once', async () => {
    expect((await push(['warm-up'])).status).toBe(200);
    await throttle(100);

    // Bursts of concurrent pushes until one meets a full queue (the quota takes effect within moments).
    const accepted: string[] = ['warm-up'];
    const refused: Awaited<ReturnType<typeof push>>[] = [];
    const unexpected: unknown[] = [];
    let burst = 0;
    await waitFor('a burst to meet the full producer queue', async () => {
      const batches = Array.from({ length: PUSHES_PER_BURST }, (_, p) => Array.from({ length: RECORDS_PER_PUSH }, (_, r) => `b${burst}-p${p}-r${r}`));
      burst++;
      for (const answer of await Promise.all(batches.map(push))) {
        if (answer.status === 200 && answer.body.accepted === RECORDS_PER_PUSH && answer.body.duplicates === 0) accepted.push(...answer.ids);
        else if (answer.status === 503) refused.push(answer);
        else unexpected.push(answer);
      }
      return refused.length > 0 || unexpected.length > 0;
    }, { timeoutMs: 90_000, intervalMs: 0 });
    expect(unexpected).toEqual([]);
    for (const answer of refused) {
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(answer.body).toEqual({ error_code: 503, message: expect.stringContaining('Queue full') });
    }
    expect(accepted.length).toBeGreaterThan(1);

    // The broker keeps up again; each refused push is sent again, as a sender honouring 503 does.
    await throttle(null);
    for (const answer of refused) {
      const retried = await waitFor(`the retry of ${answer.ids[0]}'s push to be accepted`, async () => {
        const again = await push(answer.ids);
        return again.status === 200 && again;
      }, { timeoutMs: 60_000, intervalMs: 200 });
      // What the refused push had queued before the queue filled was written then: a duplicate now.
      expect(retried.body.accepted + retried.body.duplicates).toBe(RECORDS_PER_PUSH);
      accepted.push(...answer.ids);
    }

    // Every record in the log is one that was accepted, once.
    const inLog = [...(await endOffsets(kafka, 'burst')).values()].reduce((sum, end) => sum + end, 0);
    expect(inLog).toBe(accepted.length);
    const keys = (await readRecords(kafka, 'burst', accepted.length, { idleMs: 10_000 })).map((record) => record.key);
    expect(keys.sort()).toEqual([...accepted].sort());
  }, 240_000);
});
