import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { endOffsets, kafkaCommand, readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { startReplyDropper, type ReplyDropper } from '../support/pg-reply-dropper.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresNumber } from '../support/tables.ts';
import { waitFor } from '../support/wait.ts';
import { restCall, startWorker, taskStatus, type WorkerProcess } from '../support/worker.ts';

/** One sample of Prometheus' text exposition. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses a scrape; a line it cannot read fails the test rather than being skipped. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`cannot read the scrape line ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

class Scrape {
  constructor(
    private readonly types: Map<string, string>,
    private readonly samples: Sample[],
  ) {}

  static async of(worker: WorkerProcess): Promise<Scrape> {
    const response = await fetch(`${worker.url}/metrics`);
    const text = await response.text();
    if (!response.ok) throw new Error(`GET /metrics answered ${response.status}: ${text}`);
    expect(response.headers.get('content-type')).toStartWith('text/plain; version=0.0.4');
    const { types, samples } = parseExposition(text);
    return new Scrape(types, samples);
  }

  /** The metric's type; a metric the worker does not expose fails. */
  type(metric: string): string {
    const type = this.types.get(metric);
    if (!type) throw new Error(`metric ${metric} is not exposed; exposed: ${[...this.types.keys()].join(', ')}`);
    return type;
  }

  /** The one series of `name` whose labels are exactly `labels`; a missing one fails. */
  value(name: string, labels: Record<string, string> = {}): number {
    const wanted = JSON.stringify(Object.entries(labels).sort());
    const found = this.samples.filter((s) => JSON.stringify(Object.entries(s.labels).sort()) === wanted && s.name === name);
    if (found.length !== 1) throw new Error(`expected one series ${name}${JSON.stringify(labels)}, found ${found.length}`);
    return found[0]!.value;
  }

  /** Every series of `name` that carries `labels` (and maybe others). */
  series(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }
}

const encoder = new TextEncoder();

/** Every state a task reports, each 0: a task's series show 1 for its own state only. */
const NO_STATE = { UNASSIGNED: 0, RUNNING: 0, PAUSED: 0, STOPPED: 0, RESTARTING: 0, RETRYING: 0, FAILED: 0 };

/** Task 0 of `connector` in the scrape, as state → value. */
function taskStates(scrape: Scrape, connector: string, type: 'source' | 'sink'): Record<string, number> {
  return Object.fromEntries(scrape.series('inlet_task_state', { connector, task: '0', type }).map((s) => [s.labels.state, s.value]));
}

describe('metrics of a running pipeline', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let pgUrl: string;
  let proxy: ReplyDropper;
  const topic = `metered-${Date.now()}`;
  const dlq = `${topic}.dlq`;
  const source = 'metered';
  const sink = 'metered-sink';
  // An exactly-once source: its writes go through the worker's transactional producer.
  const eosSource = 'metered-eos';
  const eosTopic = `${topic}-eos`;
  const bounds = { INLET_MAX_INFLIGHT_RECORDS: '7000', INLET_MAX_INFLIGHT_BYTES: '9000000', INLET_PRODUCER_QUEUE_MAX_MESSAGES: '60000' };

  beforeAll(async () => {
    [kafka, pgUrl] = await Promise.all([sharedKafka(), sharedPostgres().then((pg) => pg.createDatabase('metrics_pipeline'))]);
    // The sink reaches its database through a proxy that can lose a commit's reply: a transient error it retries.
    proxy = await startReplyDropper(pgUrl);
    worker = await startWorker({
      brokers: kafka.bootstrap,
      env: bounds,
      connectors: [
        { name: source, config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'topic.creation.default.partitions': 2 } },
        { name: eosSource, config: { 'connector.class': 'webhook', topic: eosTopic, 'key.field': 'id', 'exactly.once.support': 'required' } },
        {
          name: sink,
          config: {
            'connector.class': 'database-sink',
            topics: topic,
            'table.name.format': 'metered',
            'primary.key.fields': 'id',
            'connection.url': proxy.url,
            'batch.size': 50,
            'errors.tolerance': 'all',
            'errors.deadletterqueue.topic.name': dlq,
          },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  test('a scrape shows what ingest, the producer and the sink did, with their counts', async () => {
    let bytesSent = 0;
    const statuses = new Map<number, number>();
    const push = async (records: unknown[], key: string) => {
      const body = JSON.stringify(records);
      bytesSent += encoder.encode(body).length;
      const response = await worker.post(`/ingest/${source}`, body, { 'Idempotency-Key': key });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      return response;
    };
    const rows = () => postgresNumber(pgUrl, 'SELECT count(*)::int AS n FROM metered');

    // 120 records in three pushes; the first types the table's columns (amount: bigint).
    const orders = Array.from({ length: 120 }, (_, id) => ({ id, amount: id * 10 }));
    expect((await push(orders.slice(0, 40), 'first')).status).toBe(200);
    await waitFor('the table created', async () => (await rows()) === 40);
    // The retried push: all 40 are duplicates, nothing is written again.
    expect(await (await push(orders.slice(0, 40), 'first')).json()).toEqual({ accepted: 0, duplicates: 40, duplicate: true });
    // A push refused for its records: the third lacks the key field.
    expect((await push([{ id: 500, amount: 1 }, { id: 501, amount: 2 }, { amount: 3 }], 'rejected')).status).toBe(400);
    // The next write of the sink's positions commits, and its reply is lost: the sink retries.
    proxy.arm(/insert into "inlet_sink_offsets"/i);
    expect((await push(orders.slice(40, 80), 'second')).status).toBe(200);
    await waitFor('the reply dropped', () => proxy.drops() === 1);
    // A record the database refuses (text in the bigint column) goes to the dead-letter topic.
    expect((await push([...orders.slice(80, 120), { id: 999, amount: 'a lot' }], 'third')).status).toBe(200);
    // One push through the transactional producer (one write, one transaction).
    expect(await (await worker.post(`/ingest/${eosSource}`, [{ id: 'e1' }, { id: 'e2' }])).json()).toEqual({ accepted: 2, duplicates: 0 });
    // A push to a connector that does not exist is counted under one label, whatever its name.
    expect((await worker.post('/ingest/no-such-connector', [{ id: 1 }])).status).toBe(404);

    await waitFor('every good record in the table', async () => (await rows()) === 120, { timeoutMs: 60_000 });
    const [dead] = await readRecords(kafka, dlq, 1);
    expect(JSON.parse(dead!.value)).toEqual({ id: 999, amount: 'a lot' });
    const partitions = [...(await endOffsets(kafka, topic)).keys()].sort();
    expect(partitions).toEqual([0, 1]);

    // The sink's lag is the log end minus the position in the database: 0 once all is applied.
    const scrape = await waitFor('the sink lag at 0 on both partitions', async () => {
      const now = await Scrape.of(worker);
      const lags = partitions.map((p) => now.series('inlet_sink_lag_records', { connector: sink, topic, partition: String(p) }));
      return lags.every((l) => l.length === 1 && l[0]!.value === 0) && now.value('inlet_sink_records_total', { connector: sink }) === 120 && now;
    }, { timeoutMs: 60_000 });

    // Ingest: requests by connector and status, a counter and a latency histogram.
    expect(scrape.type('inlet_ingest_requests_total')).toBe('counter');
    expect(scrape.type('inlet_ingest_request_duration_seconds')).toBe('histogram');
    expect([...statuses]).toEqual([[200, 4], [400, 1]]);
    for (const [status, count] of statuses) {
      const labels = { connector: source, status: String(status) };
      expect(scrape.value('inlet_ingest_requests_total', labels)).toBe(count);
      expect(scrape.value('inlet_ingest_request_duration_seconds_count', labels)).toBe(count);
      expect(scrape.value('inlet_ingest_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(count);
      const seconds = scrape.value('inlet_ingest_request_duration_seconds_sum', labels);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(60 * count);
    }
    expect(scrape.value('inlet_ingest_requests_total', { connector: '(unknown)', status: '404' })).toBe(1);
    expect(scrape.series('inlet_ingest_requests_total', { connector: 'no-such-connector' })).toEqual([]);

    // Records accepted, duplicate and rejected, and bytes.
    expect(scrape.value('inlet_ingest_records_total', { connector: source, result: 'accepted' })).toBe(121);
    expect(scrape.value('inlet_ingest_records_total', { connector: source, result: 'duplicate' })).toBe(40);
    expect(scrape.value('inlet_ingest_records_total', { connector: source, result: 'rejected' })).toBe(3);
    expect(scrape.value('inlet_ingest_received_bytes_total', { connector: source })).toBe(bytesSent);

    // In flight now (nothing), beside the bounds.
    expect(scrape.value('inlet_ingest_inflight_records')).toBe(0);
    expect(scrape.value('inlet_ingest_inflight_bytes')).toBe(0);
    expect(scrape.value('inlet_ingest_inflight_max_records')).toBe(Number(bounds.INLET_MAX_INFLIGHT_RECORDS));
    expect(scrape.value('inlet_ingest_inflight_max_bytes')).toBe(Number(bounds.INLET_MAX_INFLIGHT_BYTES));

    // The producers: their queues, the bound, and how long deliveries took: ingest's four writes at
    // least on the idempotent producer (the worker's status and offset writes share it), the
    // exactly-once push's one write on the transactional one.
    expect(scrape.type('inlet_kafka_producer_queue_records')).toBe('gauge');
    expect(scrape.value('inlet_kafka_producer_queue_records', { producer: 'idempotent' })).toBeGreaterThanOrEqual(0);
    expect(scrape.value('inlet_kafka_producer_queue_records', { producer: 'transactional' })).toBe(0);
    expect(scrape.value('inlet_kafka_producer_queue_max_records')).toBe(Number(bounds.INLET_PRODUCER_QUEUE_MAX_MESSAGES));
    expect(scrape.type('inlet_kafka_delivery_duration_seconds')).toBe('histogram');
    expect(scrape.value('inlet_kafka_delivery_duration_seconds_count', { producer: 'idempotent' })).toBeGreaterThanOrEqual(4);
    expect(scrape.value('inlet_kafka_delivery_duration_seconds_sum', { producer: 'idempotent' })).toBeGreaterThan(0);
    expect(scrape.value('inlet_kafka_delivery_duration_seconds_count', { producer: 'transactional' })).toBe(1);
    expect(scrape.value('inlet_kafka_delivery_duration_seconds_bucket', { producer: 'transactional', le: '+Inf' })).toBe(1);
    const transaction = scrape.value('inlet_kafka_delivery_duration_seconds_sum', { producer: 'transactional' });
    expect(transaction).toBeGreaterThan(0);
    expect(transaction).toBeLessThan(60);

    // The dedupe window holds every source offset written: 121 records, each with key#index.
    expect(scrape.value('inlet_source_dedupe_window_entries', { connector: source })).toBe(121);

    // The sink: rows applied (the dead letter is not one), batch durations, the dead letter,
    // the retry after the lost reply, the rebalance that gave the task its partitions.
    expect(scrape.value('inlet_sink_records_total', { connector: sink })).toBe(120);
    const batches = scrape.value('inlet_sink_batch_duration_seconds_count', { connector: sink });
    expect(batches).toBeGreaterThanOrEqual(3);
    expect(scrape.value('inlet_sink_batch_duration_seconds_bucket', { connector: sink, le: '+Inf' })).toBe(batches);
    expect(scrape.value('inlet_sink_dead_letter_records_total', { connector: sink })).toBe(1);
    expect(scrape.value('inlet_sink_retries_total', { connector: sink })).toBeGreaterThanOrEqual(1);
    expect(scrape.value('inlet_sink_rebalances_total', { connector: sink })).toBeGreaterThanOrEqual(1);

    // Task states as gauges, sink and source tasks alike: each task RUNNING here, every other state 0.
    expect(taskStates(scrape, sink, 'sink')).toEqual({ ...NO_STATE, RUNNING: 1 });
    expect(taskStates(scrape, source, 'source')).toEqual({ ...NO_STATE, RUNNING: 1 });
    expect(taskStates(scrape, eosSource, 'source')).toEqual({ ...NO_STATE, RUNNING: 1 });

    // Process metrics: event loop lag (a worker this idle never stalls a second), heap, RSS.
    expect(scrape.type('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(scrape.value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(scrape.value('nodejs_eventloop_lag_seconds')).toBeLessThan(1);
    expect(scrape.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(1_000_000);
    expect(scrape.value('process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  }, 180_000);

  test("a paused sink's lag counts the records pushed meanwhile and falls back once resumed; task states follow pause and resume", async () => {
    const lag = (scrape: Scrape) => {
      const series = scrape.series('inlet_sink_lag_records', { connector: sink, topic });
      return series.length === 2 ? series.reduce((sum, s) => sum + s.value, 0) : undefined;
    };
    const rows = () => postgresNumber(pgUrl, 'SELECT count(*)::int AS n FROM metered');
    const applied = await rows();
    expect(lag(await Scrape.of(worker))).toBe(0);

    expect((await restCall(worker, 'PUT', `/connectors/${sink}/pause`)).status).toBe(202);
    await waitFor('the sink task PAUSED', async () => (await taskStatus(worker, sink))?.state === 'PAUSED');
    await waitFor('the sink task PAUSED in the scrape', async () => taskStates(await Scrape.of(worker), sink, 'sink').PAUSED === 1);
    expect(taskStates(await Scrape.of(worker), sink, 'sink')).toEqual({ ...NO_STATE, PAUSED: 1 });

    // The webhook source writes with the idempotent producer, no transaction: no commit markers
    // sit in the log, so the lag is the records pushed, exactly.
    const pushed = 37;
    const late = Array.from({ length: pushed }, (_, i) => ({ id: 2000 + i, amount: i }));
    expect(await (await worker.post(`/ingest/${source}`, late, { 'Idempotency-Key': 'while-paused' })).json()).toEqual({ accepted: pushed, duplicates: 0 });
    await waitFor(`the lag at ${pushed} over both partitions`, async () => lag(await Scrape.of(worker)) === pushed, { timeoutMs: 30_000 });
    // Nothing was applied meanwhile (the gauge is not ahead of the database).
    expect(await rows()).toBe(applied);

    expect((await restCall(worker, 'PUT', `/connectors/${sink}/resume`)).status).toBe(202);
    await waitFor('the lag back at 0', async () => lag(await Scrape.of(worker)) === 0, { timeoutMs: 60_000 });
    expect(await rows()).toBe(applied + pushed);
    await waitFor('the sink task RUNNING in the scrape', async () => taskStates(await Scrape.of(worker), sink, 'sink').RUNNING === 1);

    // A source connector's task: PAUSED with it, RUNNING again once resumed.
    expect((await restCall(worker, 'PUT', `/connectors/${source}/pause`)).status).toBe(202);
    await waitFor('the source task PAUSED in the scrape', async () => taskStates(await Scrape.of(worker), source, 'source').PAUSED === 1);
    expect(taskStates(await Scrape.of(worker), source, 'source')).toEqual({ ...NO_STATE, PAUSED: 1 });
    expect((await restCall(worker, 'PUT', `/connectors/${source}/resume`)).status).toBe(202);
    await waitFor('the source task RUNNING in the scrape', async () => taskStates(await Scrape.of(worker), source, 'source').RUNNING === 1);
    expect(taskStates(await Scrape.of(worker), source, 'source')).toEqual({ ...NO_STATE, RUNNING: 1 });
  }, 180_000);

  test('while Kafka holds writes back, the in-flight and producer queue gauges show them, and fall back to 0 after', async () => {
    // Kafka's producer quota on both producers (client ids inlet-producer and inlet-eos-producer):
    // the broker delays its answers, so writes wait for their delivery reports.
    const throttle = (bytesPerSecond: number | null) =>
      Promise.all(
        ['inlet-producer', 'inlet-eos-producer'].map((client) =>
          kafkaCommand(kafka, 'kafka.admin.ConfigCommand', [
            '--alter', '--entity-type', 'clients', '--entity-name', client,
            ...(bytesPerSecond === null ? ['--delete-config', 'producer_byte_rate'] : ['--add-config', `producer_byte_rate=${bytesPerSecond}`]),
          ]),
        ),
      );
    const answers: Promise<number>[] = [];
    let held = 0;
    const hold = (connector: string) => {
      held++;
      const records = Array.from({ length: 20 }, (_, i) => ({ id: `held-${held}-${i}`, amount: i }));
      const answer = worker.post(`/ingest/${connector}`, records).then((response) => response.status);
      answers.push(answer);
      return answer;
    };
    await throttle(100);
    let seen: Scrape;
    try {
      // Pushes to both sources, a few at a time, until one scrape finds writes held in every gauge
      // (the quota takes effect within moments, once the broker has seen a producer's rate).
      const pending = new Map<string, Promise<number> | undefined>();
      seen = await waitFor('a scrape with records in flight and in both producer queues', async () => {
        for (const connector of [source, eosSource]) {
          if (pending.get(connector) === undefined) pending.set(connector, hold(connector).finally(() => pending.set(connector, undefined)));
        }
        const now = await Scrape.of(worker);
        const gauges = {
          inflightRecords: now.value('inlet_ingest_inflight_records'),
          inflightBytes: now.value('inlet_ingest_inflight_bytes'),
          idempotentQueue: now.value('inlet_kafka_producer_queue_records', { producer: 'idempotent' }),
          transactionalQueue: now.value('inlet_kafka_producer_queue_records', { producer: 'transactional' }),
        };
        // Thrown, so that a timeout names the gauges as last seen.
        if (Object.values(gauges).some((value) => value <= 0)) throw new Error(`not all held: ${JSON.stringify(gauges)}`);
        return now;
      }, { timeoutMs: 60_000, intervalMs: 100 });
    } finally {
      await throttle(null);
    }
    // What is held is within the bounds.
    expect(seen.value('inlet_ingest_inflight_records')).toBeLessThanOrEqual(Number(bounds.INLET_MAX_INFLIGHT_RECORDS));
    expect(seen.value('inlet_ingest_inflight_bytes')).toBeLessThanOrEqual(Number(bounds.INLET_MAX_INFLIGHT_BYTES));

    // Every held push is answered: written (200), or refused as Kafka did not acknowledge it in time (503).
    for (const status of await Promise.all(answers)) expect([200, 503]).toContain(status);
    const idle = await waitFor('the gauges back at 0', async () => {
      const now = await Scrape.of(worker);
      const zero =
        now.value('inlet_ingest_inflight_records') === 0 &&
        now.value('inlet_ingest_inflight_bytes') === 0 &&
        now.value('inlet_kafka_producer_queue_records', { producer: 'transactional' }) === 0;
      return zero && now;
    }, { timeoutMs: 60_000 });
    // Every write to the transactional producer was timed, the first push's and the held ones.
    expect(idle.value('inlet_kafka_delivery_duration_seconds_count', { producer: 'transactional' })).toBeGreaterThan(1);
  }, 180_000);
});
