// Kafka chores for bench/run, on the librdkafka client (Node only):
//   node bench/tools/kafka.mjs create BROKERS PARTITIONS TOPIC...
//   node bench/tools/kafka.mjs fill-sink BROKERS EVENTS KEYS PLAIN_TOPIC SCHEMA_TOPIC [ROWS_CSV]
// fill-sink writes the same upsert events twice: as plain JSON objects (what Inlet's sink reads)
// and wrapped in Kafka Connect's JsonConverter envelope {schema, payload} (what Kafka Connect with
// schemas.enable=true reads; the Debezium JDBC sink needs a schema). Both topics get the same keys
// in the same order, so both sinks must end with the same table. Prints the expected final table:
// {events, rows, sumVersion}. ROWS_CSV, when given, receives every plain-topic record as
// `partition,offset,id,version,customer,amount,active,note` (from its delivery report), for the
// PostgreSQL bound, which applies the same records in the same batches as a sink reads them.
import Kafka from '@confluentinc/kafka-javascript';
import { createWriteStream } from 'node:fs';

const [command, brokers, ...args] = process.argv.slice(2);

async function create(partitions, topics) {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': brokers, 'client.id': 'bench-admin' });
  for (const topic of topics) {
    await new Promise((resolve, reject) =>
      admin.createTopic({ topic, num_partitions: Number(partitions), replication_factor: 1 }, 30000, (error) =>
        !error || /already exists/i.test(error.message) ? resolve() : reject(error),
      ),
    );
  }
  admin.disconnect();
}

const SCHEMA = {
  type: 'struct',
  name: 'bench.Row',
  optional: false,
  fields: [
    { field: 'id', type: 'int64', optional: false },
    { field: 'version', type: 'int64', optional: false },
    { field: 'customer', type: 'string', optional: false },
    { field: 'amount', type: 'double', optional: false },
    { field: 'active', type: 'boolean', optional: false },
    { field: 'note', type: 'string', optional: false },
  ],
};

async function fillSink(events, keys, plainTopic, schemaTopic, csvPath) {
  const csv = csvPath ? createWriteStream(csvPath) : null;
  
  const producer = new Kafka.Producer({
    'bootstrap.servers': brokers,
    'client.id': 'bench-fill',
    'enable.idempotence': true,
    acks: -1,
    'linger.ms': 20,
    'batch.num.messages': 10000,
    'compression.type': 'lz4',
    'queue.buffering.max.messages': 500000,
    dr_cb: true,
  });
  await new Promise((resolve, reject) => producer.connect({ timeout: 30000 }, (e) => (e ? reject(e) : resolve())));
  producer.setPollInBackground(true);
  let pending = 0;
  let failed = null;
  let drained = () => {};
  producer.on('delivery-report', (error, report) => {
    if (error) failed = error;
    else if (csv && report.opaque) {
      const r = report.opaque;
      // No field holds a comma or a quote (see the row below), so no CSV quoting is needed.
      csv.write(`${report.partition},${report.offset},${r.id},${r.version},${r.customer},${r.amount},${r.active},${r.note}\n`);
    }
    if (--pending < 100000) drained();
  });
  // mulberry32 with a fixed seed: the same data on every run and machine.
  let seed = 42;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const last = new Map();
  for (let version = 1; version <= events; version++) {
    const id = Math.floor(random() * keys);
    const row = {
      id,
      version,
      customer: `customer-${id % 997}`,
      amount: Math.round(random() * 1e6) / 100,
      active: version % 3 !== 0,
      note: `upsert ${version} of key ${id}: `.padEnd(120, 'x'),
    };
    last.set(id, version);
    const key = Buffer.from(String(id));
    while (pending >= 200000) await new Promise((r) => (drained = r));
    pending += 2;
    producer.produce(plainTopic, null, Buffer.from(JSON.stringify(row)), key, Date.now(), csv ? row : undefined);
    producer.produce(schemaTopic, null, Buffer.from(JSON.stringify({ schema: SCHEMA, payload: row })), key, Date.now());
  }
  await new Promise((resolve) => producer.flush(60000, resolve));
  if (failed) throw failed;
  // flush returns once librdkafka has the reports; the JS listener may not have seen them all yet.
  while (pending > 0 && !failed) await new Promise((r) => setTimeout(r, 10));
  if (failed) throw failed;
  if (csv) await new Promise((resolve, reject) => csv.end((e) => (e ? reject(e) : resolve())));
  let sumVersion = 0;
  for (const v of last.values()) sumVersion += v;
  await new Promise((resolve) => producer.disconnect(resolve));
  console.log(JSON.stringify({ events, rows: last.size, sumVersion }));
}

if (command === 'create') await create(args[0], args.slice(1));
else if (command === 'fill-sink') await fillSink(Number(args[0]), Number(args[1]), args[2], args[3], args[4]);
else {
  console.error('usage: kafka.mjs create|fill-sink …');
  process.exit(2);
}
process.exit(0);
