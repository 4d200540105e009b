import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Webhook } from 'standardwebhooks';
import { committedValues, endOffsets, readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { startWorker, type ConnectorSpec, type WorkerProcess } from '../support/worker.ts';

const EVENTS = 40;
/** Senders at once: their pushes arrive together, so the read barriers of a worker are shared. */
const SENDERS = 4;
const SECRET = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;

const total = (offsets: Map<number, number>) => [...offsets.values()].reduce((a, b) => a + b, 0);

/** How often each key occurs; fails loudly when the read saw fewer records than expected. */
function countsByKey(keys: readonly string[], expected: number): Map<string, number> {
  if (keys.length < expected) throw new Error(`read ${keys.length} records, expected at least ${expected}: the topic could not be read whole`);
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

describe('the dedupe window is shared by the workers of a cluster', () => {
  let kafka: KafkaBroker;
  let a: WorkerProcess;
  let b: WorkerProcess;
  const run = Date.now();
  const topics = { orders: `cd-orders-${run}`, messages: `cd-messages-${run}`, ledger: `cd-ledger-${run}` };

  beforeAll(async () => {
    kafka = await sharedKafka();
    const connectors: ConnectorSpec[] = [
      { name: 'orders', config: { 'connector.class': 'webhook', topic: topics.orders, 'key.field': 'id', 'topic.creation.default.partitions': 3 } },
      {
        name: 'messages',
        config: { 'connector.class': 'standard-webhooks', topic: topics.messages, secrets: '${env:INLET_E2E_SW_SECRET}', 'key.field': 'data.id', 'topic.creation.default.partitions': 2 },
      },
      {
        name: 'ledger',
        config: { 'connector.class': 'webhook', topic: topics.ledger, 'key.field': 'id', 'offset.field': 'id', 'exactly.once.support': 'required', 'topic.creation.default.partitions': 2 },
      },
    ];
    const start = () => startWorker({ brokers: kafka.bootstrap, connectors, group: `cluster-dedupe-${run}`, env: { INLET_E2E_SW_SECRET: SECRET } });
    [a, b] = await Promise.all([start(), start()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  }, 60_000);

  /**
   * Sends every event to one worker and, as soon as that worker acknowledged it, the same push to
   * the other one (a load balancer's retry), alternating which worker goes first. Returns what the
   * retries were answered that is not `duplicate`.
   */
  async function pushTwice(push: (worker: WorkerProcess, i: number) => Promise<Response>): Promise<string[]> {
    const wrong: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < EVENTS) {
          const i = next++;
          const [first, retry] = i % 2 === 0 ? [a, b] : [b, a];
          const accepted = await push(first, i);
          expect(accepted.status).toBe(200);
          expect(await accepted.json()).toEqual({ accepted: 1, duplicates: 0 });
          const again = await push(retry, i);
          const body = await again.text();
          if (again.status !== 200 || JSON.stringify(JSON.parse(body)) !== JSON.stringify({ accepted: 0, duplicates: 1, duplicate: true })) {
            wrong.push(`event ${i} retried at ${retry === a ? 'A' : 'B'}: ${again.status} ${body}`);
          }
        }
      }),
    );
    return wrong;
  }

  test('a push retried at the other worker right after its 2xx is a duplicate, and Kafka holds it once (Idempotency-Key)', async () => {
    const wrong = await pushTwice((worker, i) => worker.post('/ingest/orders', { id: `order-${i}`, cents: i }, { 'Idempotency-Key': `order-key-${i}` }));
    expect(wrong).toEqual([]);

    expect(total(await endOffsets(kafka, topics.orders))).toBe(EVENTS);
    const counts = countsByKey((await readRecords(kafka, topics.orders, EVENTS * 2, { idleMs: 5000 })).map((r) => r.key), EVENTS);
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
    expect(counts.size).toBe(EVENTS);
  }, 120_000);

  test('a signed Standard Webhooks delivery redelivered to the other worker is a duplicate, and Kafka holds it once (webhook-id)', async () => {
    const wrong = await pushTwice((worker, i) => {
      const body = JSON.stringify({ type: 'message.sent', data: { id: `msg-${i}` } });
      const at = new Date();
      return worker.post('/ingest/messages', body, {
        'webhook-id': `msg_${run}_${i}`,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(SECRET).sign(`msg_${run}_${i}`, at, body),
      });
    });
    expect(wrong).toEqual([]);

    expect(total(await endOffsets(kafka, topics.messages))).toBe(EVENTS);
    const counts = countsByKey((await readRecords(kafka, topics.messages, EVENTS * 2, { idleMs: 5000 })).map((r) => r.key), EVENTS);
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
    expect(counts.size).toBe(EVENTS);
  }, 120_000);

  test('an exactly-once source: a retry at the other worker right after the commit is a duplicate, and Kafka holds it once', async () => {
    const wrong = await pushTwice((worker, i) => worker.post('/ingest/ledger', { id: `entry-${i}`, cents: i }));
    expect(wrong).toEqual([]);

    const ids = (await committedValues(kafka, topics.ledger)).map((v) => (JSON.parse(v) as { id: string }).id);
    const counts = countsByKey(ids, EVENTS);
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
    expect(counts.size).toBe(EVENTS);
  }, 120_000);
});
