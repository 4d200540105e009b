import { describe, expect, test } from 'bun:test';
import {
  ConfigRecordSchema,
  readStoredRecord,
  SourceOffsetRecordSchema,
  TaskStatusRecordSchema,
} from '../../src/runtime/stored-records.ts';
import { memoryLog } from '../support/log.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const record = (key: string | null, value: string | null) => ({ key: key === null ? null : bytes(key), value: value === null ? null : bytes(value), partition: 0, offset: 7 });

function read<V>(schema: Parameters<typeof readStoredRecord<V>>[1], key: string | null, value: string | null) {
  const log = memoryLog();
  const result = readStoredRecord('inlet-configs', schema, record(key, value), log);
  return { result, logs: log.messages() };
}

describe('records read back from the config, status and offsets topics', () => {
  test('well-formed records of each topic parse to their values; a null value is a tombstone', () => {
    expect(read(ConfigRecordSchema, 'connector-a', '{"properties":{"connector.class":"webhook","topic":"t"}}').result).toEqual({
      key: 'connector-a',
      value: { properties: { 'connector.class': 'webhook', topic: 't' } },
    });
    expect(read(ConfigRecordSchema, 'target-state-a', '{"state":"PAUSED"}').result?.value).toEqual({ state: 'PAUSED' });
    expect(read(ConfigRecordSchema, 'restart-a', '{"restart":{"id":"r1","includeTasks":true,"onlyFailed":false,"task":2}}').result?.value).toEqual({
      restart: { id: 'r1', includeTasks: true, onlyFailed: false, task: 2 },
    });
    expect(read(TaskStatusRecordSchema, 'status-task-a-0', '{"state":"FAILED","worker_id":"w:8083","trace":"boom"}').result?.value).toEqual({
      state: 'FAILED',
      worker_id: 'w:8083',
      trace: 'boom',
    });
    expect(read(SourceOffsetRecordSchema, '["a",{"partition":"a"}]', '{"offset":"evt-1"}').result?.value).toEqual({ offset: 'evt-1' });
    expect(read(ConfigRecordSchema, 'connector-a', null)).toEqual({ result: { key: 'connector-a', value: undefined }, logs: [] });
  });

  test('a malformed record is logged, naming the topic, key, position and why, and skipped', () => {
    const cases: [Parameters<typeof readStoredRecord>[1], string, string][] = [
      [ConfigRecordSchema, 'connector-a', '{"properties": '],
      [ConfigRecordSchema, 'target-state-a', '{"state":"SLEEPING"}'],
      [ConfigRecordSchema, 'restart-a', '{"restart":{"id":"r1"}}'],
      [ConfigRecordSchema, 'connector-a', '"just a string"'],
      [TaskStatusRecordSchema, 'status-task-a-0', '{"state":"RUNNING"}'],
      [SourceOffsetRecordSchema, '["a",{"partition":"a"}]', '{"offset":42}'],
    ];
    for (const [schema, key, value] of cases) {
      const { result, logs } = read(schema, key, value);
      expect(result).toBeUndefined();
      expect(logs).toHaveLength(1);
      expect(logs[0]).toContain(`inlet-configs: skipping the malformed record ${JSON.stringify(key)} at 0@7: `);
    }
    expect(read(TaskStatusRecordSchema, 'status-task-a-0', '{"state":"RUNNING"}').logs[0]).toContain('worker_id');
    expect(read(ConfigRecordSchema, 'connector-a', '{"properties": ').logs[0]).toContain('not JSON');
  });

  test('a record without a key is skipped without a word (compaction never keeps one)', () => {
    expect(read(ConfigRecordSchema, null, '{"state":"PAUSED"}')).toEqual({ result: undefined, logs: [] });
  });
});
