// Runs under Deno (test/e2e/ffi-deno.test.ts starts it): joins a consumer group through the FFI
// backend opened with Deno.dlopen, consumes `count` records of `topic`, commits the next offset of
// each partition and leaves; prints the records as one JSON line.
// Standard input: { bootstrap, topic, group, count }.
import process from 'node:process';
import { loadFfiBackend, type ConsumedMessage, type KafkaError } from '../../src/kafka/ffi/index.ts';

const decoder = new TextDecoder();
let input = '';
for await (const chunk of process.stdin) input += decoder.decode(chunk as Uint8Array, { stream: true });
const { bootstrap, topic, group, count } = JSON.parse(input + decoder.decode()) as { bootstrap: string; topic: string; group: string; count: number };

const call = <T>(fn: (cb: (error: KafkaError | null, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));

const backend = await loadFfiBackend();
const consumer = new backend.KafkaConsumer(
  { 'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': false, rebalance_cb: true, log_level: 0 },
  { 'auto.offset.reset': 'earliest' },
);
await call((cb) => consumer.connect({ timeout: 30_000 }, cb));
consumer.subscribe([topic]);
const got: ConsumedMessage[] = [];
const deadline = Date.now() + 60_000;
while (got.length < count) {
  if (Date.now() > deadline) throw new Error(`consumed ${got.length} of ${count}`);
  got.push(...(await call<ConsumedMessage[]>((cb) => consumer.consume(count - got.length, cb))));
}
const next = new Map<number, number>();
for (const m of got) next.set(m.partition, Math.max(next.get(m.partition) ?? 0, m.offset + 1));
consumer.commitSync([...next].map(([partition, offset]) => ({ topic, partition, offset })));
await call((cb) => consumer.disconnect(cb));

const text = (bytes: Uint8Array | null) => (bytes ? decoder.decode(bytes) : null);
const records = got.map((m) => ({
  partition: m.partition,
  offset: m.offset,
  key: text(m.key),
  value: text(m.value),
  headers: (m.headers ?? []).map((h) => Object.fromEntries(Object.entries(h).map(([name, value]) => [name, text(value)]))),
}));
console.log(JSON.stringify({ records }));
