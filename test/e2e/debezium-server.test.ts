import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { startDebeziumServer, type DebeziumServer } from '../support/debezium.ts';
import { sharedKafka } from '../support/kafka.ts';
import { startPostgres } from '../support/postgres.ts';
import { postgresRows, type Row } from '../support/tables.ts';
import { cleanups, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

// Both tables read the same way: every column as text, so bigint (the sink's integer kind) and
// integer (the source's) compare equal.
const SELECT_ALL = 'SELECT id::text AS id, name, qty::text AS qty, price::text AS price, active::text AS active FROM customers ORDER BY id';

describe('Debezium Server posting PostgreSQL changes to Inlet, applied to another database', () => {
  let source: postgres.Sql;
  let sourceUrl: string;
  let targetUrl: string;
  let worker: WorkerProcess;
  let debezium: DebeziumServer;
  const topic = `cdc-customers-${Date.now()}`;

  /** Waits until the target table holds exactly the source table's rows. */
  async function converged(what: string): Promise<Row[]> {
    let last: { want: Row[]; got: Row[] } | undefined;
    try {
      return await waitFor(
        what,
        async () => {
          const [want, got] = await Promise.all([postgresRows(sourceUrl, SELECT_ALL), postgresRows(targetUrl, SELECT_ALL)]);
          last = { want, got };
          return JSON.stringify(want) === JSON.stringify(got) ? want : null;
        },
        { timeoutMs: 60_000, intervalMs: 300 },
      );
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\nsource: ${JSON.stringify(last?.want)}\ntarget: ${JSON.stringify(last?.got)}\n` +
          `--- worker ---\n${worker.output().slice(-4000)}\n--- debezium ---\n${debezium.log().slice(-4000)}`,
      );
    }
  }

  beforeAll(async () => {
    const [kafka, cluster] = await Promise.all([sharedKafka(), startPostgres({ logicalReplication: true })]);
    sourceUrl = await cluster.createDatabase('cdc_source');
    targetUrl = await cluster.createDatabase('cdc_target');
    source = postgres(sourceUrl, { max: 2, onnotice: () => {} });
    cleanups.push(() => source.end({ timeout: 5 }));
    await source`CREATE TABLE customers (id integer PRIMARY KEY, name text, qty integer, price double precision, active boolean)`;
    // Rows before Debezium starts arrive through its snapshot (op r). Prices are never whole, so
    // the sink's auto-created column is a double from the first batch on.
    await source`INSERT INTO customers VALUES (1, 'ada', 1, 1.5, true), (2, 'bob', 2, 2.25, false), (3, 'cy', 3, 3.75, NULL)`;

    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        { name: 'cdc', config: { 'connector.class': 'debezium', topic, 'key.fields': 'id' } },
        {
          name: 'cdc-sink',
          config: {
            'connector.class': 'database-sink',
            topics: topic,
            'connection.url': targetUrl,
            'table.name.format': 'customers',
            'primary.key.fields': 'id',
            'truncate.enabled': true,
          },
        },
      ],
    });
    debezium = await startDebeziumServer({
      'debezium.sink.type': 'http',
      'debezium.sink.http.url': `${worker.url}/ingest/cdc`,
      // Plain JSON envelopes wrapped as {schema, payload}: Debezium Server's default json format.
      'debezium.format.value': 'json',
      'debezium.format.key': 'json',
      'debezium.source.connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'debezium.source.database.hostname': '127.0.0.1',
      'debezium.source.database.port': cluster.port,
      'debezium.source.database.user': 'inlet',
      'debezium.source.database.password': 'unused',
      'debezium.source.database.dbname': 'cdc_source',
      'debezium.source.topic.prefix': 'inlet',
      'debezium.source.table.include.list': 'public.customers',
      'debezium.source.plugin.name': 'pgoutput',
      'debezium.source.slot.name': 'inlet_e2e',
      'debezium.source.publication.autocreate.mode': 'filtered',
      // Truncates are skipped by default since Debezium 2.0.
      'debezium.source.skipped.operations': 'none',
    });
  }, 300_000);

  afterAll(async () => {
    await debezium?.stop();
    await worker?.stop();
  }, 60_000);

  test('the snapshot arrives: the target holds the source rows', async () => {
    expect(await converged('the snapshot in the target')).toHaveLength(3);
  }, 90_000);

  test('inserts, updates, deletes, a key change and a multi-row transaction end in equal tables', async () => {
    await source`INSERT INTO customers VALUES (4, 'dee', 4, 4.5, true)`;
    await source`UPDATE customers SET qty = 10, name = 'ada l.' WHERE id = 1`;
    await source`DELETE FROM customers WHERE id = 2`;
    await source.begin(async (tx) => {
      await tx`INSERT INTO customers VALUES (5, 'eve', 5, 5.5, false), (6, 'fay', 6, 6.5, true), (7, 'gus', 7, 7.25, NULL)`;
      await tx`UPDATE customers SET price = price * 2 WHERE id IN (3, 5)`;
      await tx`DELETE FROM customers WHERE id = 6`;
      await tx`UPDATE customers SET active = NOT active WHERE id = 4`;
    });
    // A primary-key change: Debezium sends a delete of 7 and a create of 70 at one LSN.
    await source`UPDATE customers SET id = 70 WHERE id = 7`;
    // Deleted and inserted again under the same key: the later insert must win.
    await source`DELETE FROM customers WHERE id = 4`;
    await source`INSERT INTO customers VALUES (4, 'dee again', 40, 40.5, false)`;
    const rows = await converged('the streamed changes in the target');
    expect(rows.map((r) => r.id)).toEqual(['1', '3', '4', '5', '70']);
    // Every event was new to Inlet: nothing was taken for a retry.
    expect(await worker.metric('inlet_ingest_records_total', { connector: 'cdc', result: 'duplicate' })).toBe(0);
  }, 90_000);

  test('a truncate empties the target, and rows inserted after it arrive', async () => {
    await source`TRUNCATE customers`;
    await waitFor('the truncate in the target', async () => (await postgresRows(targetUrl, SELECT_ALL)).length === 0, { timeoutMs: 60_000 });
    await source`INSERT INTO customers VALUES (8, 'hal', 8, 8.5, true), (9, 'ivy', 9, 9.5, false)`;
    expect(await converged('the rows after the truncate in the target')).toHaveLength(2);
  }, 90_000);
});
