import { afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { loadFfiBackend, type ClientConfig, type ConsumedMessage, type FfiBackend, type FfiConsumer, type FfiProducer, type KafkaError } from '../../src/kafka/ffi/index.ts';
import { committedOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { waitFor } from '../support/wait.ts';

const ADDON_OFFSETS = join(import.meta.dir, '..', 'support', 'addon-offsets.mjs');
const utf8 = new TextDecoder();

let broker: KafkaBroker;
let backend: FfiBackend;
const open: FfiConsumer[] = [];

beforeAll(async () => {
  broker = await sharedKafka();
  backend = await loadFfiBackend();
}, 120_000);

afterEach(async () => {
  await Promise.all(open.splice(0).map(disconnect));
});

const call = <T>(fn: (cb: (error: KafkaError | null, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));

const disconnect = (client: FfiConsumer | FfiProducer) => call<unknown>((cb) => client.disconnect(cb));

async function topicWith(name: string, partitions: number): Promise<string> {
  const topic = `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const admin = backend.AdminClient.create({ 'bootstrap.servers': broker.bootstrap, log_level: 0 });
  await call((cb) => admin.createTopic({ topic, num_partitions: partitions, replication_factor: 1 }, 10_000, cb));
  admin.disconnect();
  return topic;
}

interface Produced {
  partition: number;
  key: string;
  value: string;
  headers?: { [name: string]: string }[];
  timestamp?: number;
}

/** Produces through the FFI producer (its own tests compare it with the addon) and waits for every report. */
async function produce(topic: string, records: readonly Produced[]): Promise<void> {
  const producer = new backend.Producer({ 'bootstrap.servers': broker.bootstrap, 'enable.idempotence': true, 'linger.ms': 1, dr_cb: true, log_level: 0 });
  await call((cb) => producer.connect({ timeout: 30_000 }, cb));
  let pending = records.length;
  const done = new Promise<void>((resolve, reject) =>
    producer.on('delivery-report', (error: KafkaError | null) => {
      if (error) reject(error);
      else if (--pending === 0) resolve();
    }),
  );
  for (const r of records) producer.produce(topic, r.partition, new TextEncoder().encode(r.value), r.key, r.timestamp ?? Date.now(), undefined, r.headers);
  await done;
  await disconnect(producer);
}

async function consumer(config: ClientConfig, topicConfig: ClientConfig = { 'auto.offset.reset': 'earliest' }): Promise<FfiConsumer> {
  const c = new backend.KafkaConsumer({ 'bootstrap.servers': broker.bootstrap, 'enable.auto.commit': false, log_level: 0, ...config }, topicConfig);
  await call((cb) => c.connect({ timeout: 30_000 }, cb));
  open.push(c);
  return c;
}

/** Consumes until `count` messages came (or the deadline passes, failing the test). */
async function consumeN(c: FfiConsumer, count: number, timeoutMs = 30_000): Promise<ConsumedMessage[]> {
  const got: ConsumedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count) {
    if (Date.now() > deadline) throw new Error(`consumed ${got.length} of ${count}`);
    got.push(...(await call<ConsumedMessage[]>((cb) => c.consume(count - got.length, cb))));
  }
  return got;
}

const text = (m: ConsumedMessage) => ({ partition: m.partition, offset: m.offset, key: m.key ? utf8.decode(m.key) : null, value: m.value ? utf8.decode(m.value) : null });

describe('FFI consumer against a real broker', () => {
  test('reads what was produced: key, value, headers, offsets, timestamps; seeks back and reads again', async () => {
    const topic = await topicWith('ffi-consume', 1);
    const at = Date.now() - 60_000;
    await produce(topic, [
      { partition: 0, key: 'k0', value: '{"n":0,"note":"é✓"}', headers: [{ trace: 'abc' }, { trace: 'def' }, { empty: '' }], timestamp: at },
      { partition: 0, key: 'k1', value: 'one', timestamp: at + 1 },
      { partition: 0, key: 'k2', value: 'two', timestamp: at + 2 },
    ]);
    const c = await consumer({ 'group.id': `g-${topic}` });
    c.assign([{ topic, partition: 0, offset: 0 }]);
    const messages = await consumeN(c, 3);
    expect(messages.map(text)).toEqual([
      { partition: 0, offset: 0, key: 'k0', value: '{"n":0,"note":"é✓"}' },
      { partition: 0, offset: 1, key: 'k1', value: 'one' },
      { partition: 0, offset: 2, key: 'k2', value: 'two' },
    ]);
    expect(messages.map((m) => m.timestamp)).toEqual([at, at + 1, at + 2]);
    expect(messages.every((m) => m.topic === topic && m.size === m.value!.length)).toBe(true);
    expect(messages[0]!.headers!.map((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, utf8.decode(v)])))).toEqual([
      { trace: 'abc' },
      { trace: 'def' },
      { empty: '' },
    ]);
    expect(messages[1]!.headers).toBeUndefined();
    expect(c.position()).toMatchObject([{ topic, partition: 0, offset: 3 }]);

    await call((cb) => c.seek({ topic, partition: 0, offset: 1 }, 5000, cb));
    const again = await consumeN(c, 2);
    expect(again.map((m) => m.offset)).toEqual([1, 2]);
  });

  test('a paused partition hands out nothing until resumed', async () => {
    const topic = await topicWith('ffi-pause', 2);
    const c = await consumer({ 'group.id': `g-${topic}`, 'fetch.wait.max.ms': 10 });
    c.setDefaultConsumeTimeout(0);
    c.assign([{ topic, partition: 0, offset: 0 }, { topic, partition: 1, offset: 0 }]);
    c.pause([{ topic, partition: 0 }]);
    await produce(topic, [
      { partition: 0, key: 'a', value: 'p0' },
      { partition: 1, key: 'b', value: 'p1' },
    ]);
    const first = await consumeN(c, 1);
    expect(first.map((m) => m.partition)).toEqual([1]);
    // Partition 1's record came, so partition 0's (produced first) would have come by now unpaused.
    const meanwhile: ConsumedMessage[] = [];
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      meanwhile.push(...(await call<ConsumedMessage[]>((cb) => c.consume(10, cb))));
      await Bun.sleep(50);
    }
    expect(meanwhile).toEqual([]);
    c.resume([{ topic, partition: 0 }]);
    const resumed = await consumeN(c, 1);
    expect(resumed.map(text)).toEqual([{ partition: 0, offset: 0, key: 'a', value: 'p0' }]);
  });

  test('partition ends are partition.eof events, and queue_non_empty_cb fires as records arrive', async () => {
    const topic = await topicWith('ffi-eof', 1);
    await produce(topic, [{ partition: 0, key: 'k', value: 'v' }]);
    let signals = 0;
    const c = await consumer({ 'group.id': `g-${topic}`, 'enable.partition.eof': true, queue_non_empty_cb: () => signals++ });
    const eofs: { topic: string; partition: number; offset: number }[] = [];
    c.on('partition.eof', (eof: { topic: string; partition: number; offset: number }) => eofs.push(eof));
    c.assign([{ topic, partition: 0, offset: 0 }]);
    await consumeN(c, 1);
    await waitFor(
      'a partition.eof event',
      async () => {
        await call((cb) => c.consume(10, cb));
        return eofs.length > 0;
      },
      { timeoutMs: 30_000 },
    );
    expect(eofs[0]).toEqual({ topic, partition: 0, offset: 1 });
    expect(signals).toBeGreaterThan(0);
  });

  test('watermarks and offsets by time equal what the addon gives, an open transaction and an unknown topic included', async () => {
    const topic = await topicWith('ffi-offsets', 2);
    const base = Date.now() - 100_000;
    await produce(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `v${i}`, timestamp: base + i * 1000 })),
    );
    // Two records of a transaction left open on partition 0: read_committed ends before them.
    const txn = new backend.Producer({ 'bootstrap.servers': broker.bootstrap, 'transactional.id': `txn-${topic}`, log_level: 0, dr_cb: true });
    await call((cb) => txn.connect({ timeout: 30_000 }, cb));
    await call((cb) => txn.initTransactions(30_000, cb));
    await call((cb) => txn.beginTransaction(cb));
    let delivered = 0;
    txn.on('delivery-report', () => delivered++);
    for (const value of ['open-1', 'open-2']) txn.produce(topic, 0, new TextEncoder().encode(value), 'k', base + 20_000);
    await waitFor('the open transaction\'s records delivered', () => delivered === 2, { timeoutMs: 30_000 });

    const timeout = 5000;
    const watermarkQueries = [0, 1].map((partition) => ({ topic, partition }));
    watermarkQueries.push({ topic: `no-such-topic-${topic}`, partition: 0 });
    const byTimeQueries = [base - 1, base + 4500, base + 9000, Date.now() + 60_000, -1, -2].map((timestamp) =>
      [0, 1].map((partition) => ({ topic, partition, offset: timestamp })),
    );
    byTimeQueries.push([{ topic: `no-such-topic-${topic}`, partition: 0, offset: -1 }]);
    const c = await consumer({ 'group.id': `g-${topic}`, 'isolation.level': 'read_committed' });
    const answer = <T>(fn: (cb: (error: KafkaError | null, value?: T) => void) => void) =>
      new Promise<unknown>((resolve) => fn((error, value) => resolve(error ? { error: error.code } : value)));
    const ffi = { watermarks: [] as unknown[], byTime: [] as unknown[] };
    for (const q of watermarkQueries) ffi.watermarks.push(await answer((cb) => c.queryWatermarkOffsets(q.topic, q.partition, timeout, cb)));
    for (const asked of byTimeQueries) ffi.byTime.push(await answer((cb) => c.offsetsForTimes(asked, timeout, cb)));
    expect(ffi.watermarks.slice(0, 2)).toEqual([
      { lowOffset: 0, highOffset: 5 },
      { lowOffset: 0, highOffset: 5 },
    ]);
    expect(ffi.byTime.at(-1)).toEqual({ error: backend.CODES.ERRORS.ERR__UNKNOWN_PARTITION });

    const args = JSON.stringify({ brokers: broker.bootstrap, watermarks: watermarkQueries, byTime: byTimeQueries, timeout });
    const proc = Bun.spawn(['node', ADDON_OFFSETS, args], { stdout: 'pipe', stderr: 'pipe' });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    await call((cb) => txn.abortTransaction(30_000, cb));
    await disconnect(txn);
    if (code !== 0) throw new Error(`addon-offsets.mjs failed (exit ${code}):\n${out}\n${err}`);
    expect(JSON.parse(JSON.stringify(ffi))).toEqual(JSON.parse(out));
  });

  test('a new member starts at the offset committed before', async () => {
    const topic = await topicWith('ffi-commit', 1);
    await produce(topic, Array.from({ length: 5 }, (_, i) => ({ partition: 0, key: `k${i}`, value: `v${i}` })));
    const group = `g-${topic}`;
    const first = await consumer({ 'group.id': group, rebalance_cb: true });
    first.subscribe([topic]);
    const read = await consumeN(first, 2);
    expect(read.map((m) => m.offset)).toEqual([0, 1]);
    first.commitSync([{ topic, partition: 0, offset: 2 }]);
    await disconnect(first);
    open.splice(open.indexOf(first), 1);

    const second = await consumer({ 'group.id': group });
    second.subscribe([topic]);
    const rest = await consumeN(second, 3);
    expect(rest.map((m) => m.offset)).toEqual([2, 3, 4]);
    // Asynchronous commits of the current position, too.
    second.commit();
    await waitFor('the asynchronous commit', async () => (await committedOffsets(broker, group)).get(0) === 5, { timeoutMs: 30_000 });
  });

  for (const strategy of ['range', 'cooperative-sticky'] as const) {
    test(`two members split the partitions, and the survivor takes them all when one leaves (${strategy})`, async () => {
      const topic = await topicWith(`ffi-group-${strategy}`, 4);
      const group = `g-${topic}`;
      const owned = [new Set<number>(), new Set<number>()];
      const events: string[] = [];
      const member = (i: number) =>
        consumer({
          'group.id': group,
          'partition.assignment.strategy': strategy,
          'session.timeout.ms': 6000,
          'heartbeat.interval.ms': 500,
          // src/kafka's handlers take this shape: assign on ASSIGN, give up on REVOKE.
          rebalance_cb(this: FfiConsumer, error: KafkaError, assignment: { topic: string; partition: number }[]) {
            events.push(`${i}:${error.code}:${assignment.map((p) => p.partition).join(',')}`);
            const cooperative = this.rebalanceProtocol() === 'COOPERATIVE';
            if (error.code === backend.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
              if (cooperative) this.incrementalAssign(assignment);
              else this.assign(assignment);
              if (!cooperative) owned[i]!.clear();
              for (const p of assignment) owned[i]!.add(p.partition);
            } else {
              if (cooperative) this.incrementalUnassign(assignment);
              else this.unassign();
              for (const p of assignment) owned[i]!.delete(p.partition);
            }
          },
        });
      const [a, b] = [await member(0), await member(1)];
      a.setDefaultConsumeTimeout(0);
      b.setDefaultConsumeTimeout(0);
      a.subscribe([topic]);
      b.subscribe([topic]);
      const polling = { on: true };
      const poll = async (c: FfiConsumer) => {
        while (polling.on && c.isConnected()) {
          await call((cb) => c.consume(10, cb)).catch(() => {});
          await Bun.sleep(20);
        }
      };
      const loops = [poll(a), poll(b)];
      await waitFor('two partitions each', () => owned[0]!.size === 2 && owned[1]!.size === 2);
      expect(new Set([...owned[0]!, ...owned[1]!])).toEqual(new Set([0, 1, 2, 3]));
      expect(a.rebalanceProtocol()).toBe(strategy === 'range' ? 'EAGER' : 'COOPERATIVE');

      await disconnect(b);
      open.splice(open.indexOf(b), 1);
      await waitFor('all four partitions on the survivor', () => owned[0]!.size === 4);
      expect(a.assignments().map((p) => p.partition).sort()).toEqual([0, 1, 2, 3]);
      expect(owned[1]!.size).toBe(0);
      polling.on = false;
      await Promise.all(loops);
    }, 120_000);
  }
});
