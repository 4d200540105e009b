import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sqliteRows } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

// Single message transforms run by a real worker between Kafka and the table: Debezium change
// events are unwrapped to their row, routed from the topic name to a table, stamped with their
// Kafka offset and a constant, and trimmed of a secret column with two fields renamed.
describe('a sink connector running a transform chain end to end', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let sqlitePath: string;
  const server = `smt${Date.now()}`;
  const topic = `${server}.public.customers`;
  let lsn = 100;

  beforeAll(async () => {
    kafka = await sharedKafka();
    sqlitePath = join(tempDir('smt'), 'target.db');
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        // One partition: the Kafka offsets the stamp writes are the order of the pushes below.
        { name: 'shop', config: { 'connector.class': 'debezium', topic, 'key.fields': 'id', 'topic.creation.default.partitions': 1 } },
        {
          name: 'customers-sink',
          config: {
            'connector.class': 'database-sink',
            topics: topic,
            'connection.url': `sqlite:${sqlitePath}`,
            'primary.key.mode': 'record_value',
            'primary.key.fields': 'id',
            transforms: 'unwrap,route,stamp,trim',
            'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
            'transforms.unwrap.add.fields': 'op,table',
            'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
            'transforms.route.regex': 'smt\\d+\\.public\\.(.*)',
            'transforms.route.replacement': 'crm_$1',
            'transforms.stamp.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
            'transforms.stamp.offset.field': 'kafka_offset',
            'transforms.stamp.static.field': 'origin',
            'transforms.stamp.static.value': 'inlet',
            'transforms.trim.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value',
            'transforms.trim.exclude': 'password_hash',
            'transforms.trim.renames': '__op:op,__table:source_table',
          },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  async function change(op: 'c' | 'u' | 'd', row: { id: number; name: string; password_hash: string }) {
    const event = {
      before: op === 'c' ? null : row,
      after: op === 'd' ? null : row,
      source: { db: 'shop', schema: 'public', table: 'customers', lsn: lsn++ },
      op,
      ts_ms: Date.now(),
    };
    expect((await worker.post('/ingest/shop', event)).status).toBe(200);
  }

  test('the rows in the routed table are the transformed records', async () => {
    await change('c', { id: 1, name: 'Ada', password_hash: 'h1' }); // offset 0
    await change('c', { id: 2, name: 'Bob', password_hash: 'h2' }); // 1
    await change('u', { id: 1, name: 'Ada L.', password_hash: 'h1' }); // 2
    await change('d', { id: 2, name: 'Bob', password_hash: 'h2' }); // 3, and its tombstone at 4
    await change('c', { id: 3, name: 'Cy', password_hash: 'h3' }); // 5
    expect((await endOffsets(kafka, topic)).get(0)).toBe(6);

    await waitFor('the sink to apply the whole topic', () =>
      Number(sqliteRows(sqlitePath, "SELECT next_offset FROM inlet_sink_offsets WHERE connector = 'customers-sink'")[0]?.next_offset) === 6,
    ).catch(async (error) => {
      const status = await (await fetch(`${worker.url}/connectors/customers-sink/status`)).text();
      throw new Error(`${(error as Error).message}\nstatus: ${status}\n--- worker ---\n${worker.output().slice(-4000)}`);
    });
    // Routed: a table named by the RegexRouter, none named after the topic.
    const tables = sqliteRows(sqlitePath, "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%customers%'");
    expect(tables).toEqual([{ name: 'crm_customers' }]);
    // Unwrapped (the row, not the envelope; the delete removed id 2), stamped, trimmed and renamed.
    const columns = sqliteRows(sqlitePath, "SELECT name FROM pragma_table_info('crm_customers') ORDER BY name").map((c) => c.name);
    expect(columns).toEqual(['id', 'kafka_offset', 'name', 'op', 'origin', 'source_table']);
    expect(sqliteRows(sqlitePath, 'SELECT id, name, op, source_table, kafka_offset, origin FROM crm_customers ORDER BY id')).toEqual([
      { id: 1, name: 'Ada L.', op: 'u', source_table: 'customers', kafka_offset: 2, origin: 'inlet' },
      { id: 3, name: 'Cy', op: 'c', source_table: 'customers', kafka_offset: 5, origin: 'inlet' },
    ]);
  }, 180_000);
});
