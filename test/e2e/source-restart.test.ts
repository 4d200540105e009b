import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, type ConnectorSpec, type WorkerProcess } from '../support/worker.ts';

const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('retried deliveries after the gateway restarts', () => {
  let kafka: KafkaBroker;
  const topic = `deliveries-${Date.now()}`;
  const source: ConnectorSpec = {
    name: 'deliveries',
    config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'offset.field': 'delivery_id' },
  };
  const running: WorkerProcess[] = [];
  const start = async () => {
    // One cluster across the restarts: the same config, status and offsets topics.
    const worker = await startWorker({ brokers: kafka.bootstrap, connectors: [source], group: `restart-${topic}` });
    running.push(worker);
    return worker;
  };
  const events = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => ({ id: `order-${from + i}`, delivery_id: `dlv-${from + i}` }));
  const post = async (worker: WorkerProcess, body: unknown) => (await worker.post('/ingest/deliveries', body)).json();

  beforeAll(async () => {
    kafka = await sharedKafka();
  }, 120_000);

  afterAll(async () => {
    for (const worker of running) if (worker.proc.exitCode === null && worker.proc.signalCode === null) await worker.stop();
  }, 30_000);

  test('are answered as duplicates and not written again, after a clean stop and after SIGKILL', async () => {
    const first = await start();
    for (let i = 0; i < 50; i += 10) expect(await post(first, events(i, i + 10))).toEqual({ accepted: 10, duplicates: 0 });
    expect(await first.stop()).toBe(0);

    const second = await start();
    expect(await (await fetch(`${second.url}/connectors/deliveries/offsets`)).json()).toEqual({
      offsets: [{ partition: { partition: 'deliveries' }, offset: { offset: 'dlv-49' } }],
    });
    const afterFirst = await endOffsets(kafka, topic);
    expect(sum(afterFirst)).toBe(50);
    expect(await post(second, events(0, 50))).toEqual({ accepted: 0, duplicates: 50, duplicate: true });
    expect(await endOffsets(kafka, topic)).toEqual(afterFirst);

    // No drain, no offset flush: the records themselves in Kafka still tell what was written.
    expect(await post(second, events(50, 60))).toEqual({ accepted: 10, duplicates: 0 });
    await second.kill();
    const third = await start();
    expect(await post(third, events(40, 65))).toEqual({ accepted: 5, duplicates: 20 });
    expect(sum(await endOffsets(kafka, topic))).toBe(65);
  }, 180_000);

  test('restore the newest dedupe.max.entries source offsets and no more', async () => {
    const capped = `capped-${topic}`;
    const spec: ConnectorSpec = { name: 'capped', config: { ...source.config, topic: capped, 'dedupe.max.entries': 20 } };
    const launch = () => startWorker({ brokers: kafka.bootstrap, connectors: [spec], group: `restart-${capped}` }).then((w) => (running.push(w), w));
    const first = await launch();
    for (let i = 0; i < 60; i += 10) expect(await (await first.post('/ingest/capped', events(i, i + 10))).json()).toEqual({ accepted: 10, duplicates: 0 });
    expect(await first.stop()).toBe(0);

    const second = await launch();
    // 40-59 are the newest 20 and are known again; 30-39 fell out of the window and are written again.
    expect(await (await second.post('/ingest/capped', events(30, 60))).json()).toEqual({ accepted: 10, duplicates: 20 });
    // The log line is read from the worker's pipe as it comes.
    await waitFor('the restore logged', () => second.output().includes('connector capped: 20 recent source offsets restored from Kafka in '));
    expect(sum(await endOffsets(kafka, capped))).toBe(70);
  }, 180_000);
});
