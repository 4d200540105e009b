import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { DatabaseSinkConfigSchema, type DatabaseSinkConfig } from '../../src/config/index.ts';
import type { ConsumedRecord } from '../../src/records/index.ts';
import { ErrantRecordError } from '../../src/records/index.ts';
import { planBatch, type Plan } from '../../src/sink/convert.ts';
import { UNLIMITED, type TargetLimits } from '../../src/sink/table-targets.ts';
import { buildTransformChain } from '../../src/transforms/index.ts';

function sinkConfig(config: Record<string, unknown> = {}): DatabaseSinkConfig {
  return v.parse(DatabaseSinkConfigSchema, { 'connector.class': 'database-sink', topics: 'orders', 'primary.key.fields': 'id', ...config });
}

/** PostgreSQL's limit: a name of 64 bytes would be cut short. */
const POSTGRES: TargetLimits = { maxIdentifierBytes: 63 };

const utf8 = new TextEncoder();

/** A record as Kafka hands it to the sink task: raw bytes, not yet parsed. */
function consumed(offset: number, value: unknown, options: { raw?: string | null; key?: string | null; topic?: string } = {}): ConsumedRecord {
  const raw = options.raw !== undefined ? options.raw : JSON.stringify(value);
  return {
    topic: options.topic ?? 'orders',
    partition: 3,
    offset,
    timestamp: 1714560000000,
    key: options.key == null ? null : utf8.encode(options.key),
    value: raw === null ? null : utf8.encode(raw),
    headers: { trace: `t-${offset}` },
  };
}

/** Each errant record as the tolerance operator gets it: where it sits, the stage and plugin, and why. */
const errantOf = (plan: Plan) =>
  plan.errant.map(({ record, stage, className, error }) => ({ offset: record.offset, stage, className, message: error.message }));

const plannedOffsets = (plan: Plan) => plan.records.map((r) => r.consumed.offset);

describe('planBatch', () => {
  test('good records all become changes, in offset order, and none is errant', () => {
    const batch = [consumed(0, { id: 1, n: 'a' }), consumed(1, { id: 2, n: 'b' }), consumed(2, { id: 1, n: 'c' })];
    const plan = planBatch(batch, sinkConfig(), UNLIMITED);
    expect(plan.errant).toEqual([]);
    expect(plannedOffsets(plan)).toEqual([0, 1, 2]);
    // The last change per key wins; the planned record still carries the consumed one for the DLQ.
    expect(plan.changes).toEqual([{ table: 'orders', keyColumns: ['id'], rows: [{ id: 2, n: 'b' }, { id: 1, n: 'c' }] }]);
    expect(plan.records[0]!.consumed).toBe(batch[0]!);
  });

  test('a value that is not JSON is errant at the converter', () => {
    const bad = consumed(7, null, { raw: '{not json' });
    const plan = planBatch([bad], sinkConfig(), UNLIMITED);
    expect(plan.changes).toEqual([]);
    expect(plan.records).toEqual([]);
    expect(plan.errant).toHaveLength(1);
    expect(plan.errant[0]!.record).toBe(bad);
    expect(plan.errant[0]!.error).toBeInstanceOf(ErrantRecordError);
    expect(errantOf(plan)[0]).toMatchObject({ offset: 7, stage: 'VALUE_CONVERTER', className: 'json' });
    expect(errantOf(plan)[0]!.message).toStartWith('orders/3@7: value is not JSON (');
  });

  test('a record without a key under primary.key.mode=record_key is errant at the sink, naming why', () => {
    const plan = planBatch([consumed(4, { n: 'a' })], sinkConfig({ 'primary.key.mode': 'record_key' }), UNLIMITED);
    expect(plan.changes).toEqual([]);
    expect(errantOf(plan)).toEqual([{ offset: 4, stage: 'TASK_PUT', className: 'database-sink', message: 'orders/3@4: record has no key (primary.key.mode=record_key)' }]);
  });

  test('a value that is not a JSON object, or lacks its key field, is errant at the sink', () => {
    const plan = planBatch([consumed(0, [1, 2]), consumed(1, 'text'), consumed(2, { n: 'no id' })], sinkConfig(), UNLIMITED);
    expect(plan.changes).toEqual([]);
    expect(errantOf(plan)).toEqual([
      { offset: 0, stage: 'TASK_PUT', className: 'database-sink', message: 'orders/3@0: value is not a JSON object' },
      { offset: 1, stage: 'TASK_PUT', className: 'database-sink', message: 'orders/3@1: value is not a JSON object' },
      { offset: 2, stage: 'TASK_PUT', className: 'database-sink', message: 'orders/3@2: primary key field "id" is missing or not a scalar' },
    ]);
  });

  test('a table name the sink may not write is errant: Inlet\'s own, unlisted, or longer than the database keeps', () => {
    const own = planBatch([consumed(0, { id: 1 }, { topic: 'inlet_sink_offsets' })], sinkConfig(), UNLIMITED);
    expect(errantOf(own)[0]!.message).toBe('inlet_sink_offsets/3@0: table "inlet_sink_offsets" belongs to Inlet and is never a sink\'s target');
    const unlisted = planBatch([consumed(1, { id: 1 }, { topic: 'refunds' })], sinkConfig({ 'table.include.list': 'orders' }), UNLIMITED);
    expect(errantOf(unlisted)[0]!.message).toBe('refunds/3@1: table "refunds" is not in table.include.list');
    const topic = 't'.repeat(64);
    const long = planBatch([consumed(2, { id: 1 }, { topic })], sinkConfig(), POSTGRES);
    expect(errantOf(long)[0]!.message).toBe(`${topic}/3@2: table name "${topic}" is 64 bytes, longer than the 63 the database keeps`);
    for (const plan of [own, unlisted, long]) {
      expect(plan.changes).toEqual([]);
      expect(plan.errant.map((e) => e.stage)).toEqual(['TASK_PUT']);
    }
  });

  test('a record a transform drops is neither a change nor errant', () => {
    const dropTombstones = buildTransformChain({
      transforms: 'drop',
      'transforms.drop.type': 'Filter',
      'transforms.drop.predicate': 'tombstone',
      predicates: 'tombstone',
      'predicates.tombstone.type': 'RecordIsTombstone',
    });
    const plan = planBatch([consumed(0, { id: 1 }), consumed(1, null, { raw: null, key: '{"id":1}' })], sinkConfig(), UNLIMITED, dropTombstones);
    expect(plan.errant).toEqual([]);
    expect(plannedOffsets(plan)).toEqual([0]);
    // Without the Filter, the tombstone would have deleted the row.
    expect(plan.changes).toEqual([{ table: 'orders', keyColumns: ['id'], rows: [{ id: 1 }] }]);
  });

  test('a record a transform routes goes to the routed table; routed into a table the sink may not write, it is errant as consumed', () => {
    const route = (replacement: string) =>
      buildTransformChain({ transforms: 'route', 'transforms.route.type': 'RegexRouter', 'transforms.route.regex': 'orders', 'transforms.route.replacement': replacement });
    const routed = planBatch([consumed(0, { id: 1 })], sinkConfig(), UNLIMITED, route('orders_eu'));
    expect(routed.errant).toEqual([]);
    expect(routed.changes.map((c) => c.table)).toEqual(['orders_eu']);

    const original = consumed(5, { id: 1 });
    const refused = planBatch([original], sinkConfig(), UNLIMITED, route('inlet_sink_offsets'));
    expect(refused.changes).toEqual([]);
    // The DLQ gets the record as it was consumed, while the reason names where the transform sent it.
    expect(refused.errant[0]!.record).toBe(original);
    expect(errantOf(refused)).toEqual([
      { offset: 5, stage: 'TASK_PUT', className: 'database-sink', message: 'inlet_sink_offsets/3@5: table "inlet_sink_offsets" belongs to Inlet and is never a sink\'s target' },
    ]);
  });

  test('a transform that fails makes the record errant at the transformation stage', () => {
    const replace = buildTransformChain({ transforms: 'replace', 'transforms.replace.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value', 'transforms.replace.exclude': 'secret' });
    const plan = planBatch([consumed(0, 'not an object'), consumed(1, { id: 1, secret: 'x' })], sinkConfig(), UNLIMITED, replace);
    expect(errantOf(plan).map(({ offset, stage, className }) => ({ offset, stage, className }))).toEqual([{ offset: 0, stage: 'TRANSFORMATION', className: 'transforms' }]);
    expect(errantOf(plan)[0]!.message).toStartWith('orders/3@0: transform "replace" (org.apache.kafka.connect.transforms.ReplaceField$Value) failed:');
    expect(plan.changes).toEqual([{ table: 'orders', keyColumns: ['id'], rows: [{ id: 1 }] }]);
  });

  test('a mixed batch: the good records become changes as if the errant ones were not there, each errant one named once', () => {
    const config = sinkConfig({ 'primary.key.mode': 'record_key', 'primary.key.fields': '' });
    const batch = [
      consumed(10, { n: 'a' }, { key: '{"id":1}' }),
      consumed(11, { n: 'x' }, { raw: 'oops', key: '{"id":2}' }),
      consumed(12, { n: 'b' }, { key: null }),
      // Another key shape than the table's first record set: it cannot join the table's upsert.
      consumed(13, { n: 'c' }, { key: '{"code":"c"}' }),
      consumed(14, { n: 'd' }, { key: '{"id":2}' }),
      consumed(15, 42, { key: '{"id":3}' }),
      consumed(16, null, { raw: null, key: '{"id":1}' }),
    ];
    const plan = planBatch(batch, config, UNLIMITED);
    expect(plannedOffsets(plan)).toEqual([10, 14, 16]);
    expect(plan.changes).toEqual([{ table: 'orders', keyColumns: ['id'], rows: [{ n: 'd', id: 2 }], deletes: [{ id: 1 }] }]);
    // Converter refusals come first, then the sink's, each in offset order.
    expect(errantOf(plan)).toEqual([
      { offset: 11, stage: 'VALUE_CONVERTER', className: 'json', message: expect.stringMatching(/^orders\/3@11: value is not JSON \(/) },
      { offset: 12, stage: 'TASK_PUT', className: 'database-sink', message: 'orders/3@12: record has no key (primary.key.mode=record_key)' },
      { offset: 13, stage: 'TASK_PUT', className: 'database-sink', message: "orders/3@13: key columns code differ from the table's (id)" },
      { offset: 15, stage: 'TASK_PUT', className: 'database-sink', message: 'orders/3@15: value is not a JSON object' },
    ]);
    // Every consumed record is accounted for exactly once: planned or errant.
    expect([...plannedOffsets(plan), ...plan.errant.map((e) => e.record.offset)].sort((a, b) => a - b)).toEqual(batch.map((r) => r.offset));
  });
});
