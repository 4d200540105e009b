import { expect, test } from 'bun:test';
import type { LibrdKafkaError } from '@confluentinc/kafka-javascript';
import { clientEventHandlers } from '../../src/kafka/client-log.ts';
import { memoryLog } from '../support/log.ts';
import { waitFor } from '../support/wait.ts';

const refused = (n: number): LibrdKafkaError => ({
  code: -195,
  errno: -195,
  origin: 'kafka',
  message: `127.0.0.1:9092/1: Connect to ipv4#127.0.0.1:9092 failed: Connection refused (after ${n}ms in state CONNECT)`,
});

test("repeated librdkafka errors reach the log as the first one, then a count per interval", async () => {
  const log = memoryLog();
  const handlers = clientEventHandlers(log, 300);
  for (let i = 0; i < 1500; i++) handlers['event.error'](refused(i));
  // A fatal error is never held back.
  handlers['event.error']({ ...refused(0), code: -150, message: 'fenced', isFatal: true });
  expect(log.lines.map((line) => [line.level, line.message])).toEqual([
    ['warn', 'kafka client error: 127.0.0.1:9092/1: Connect to ipv4#127.0.0.1:9092 failed: Connection refused (after 0ms in state CONNECT)'],
    ['error', 'kafka client error: fenced'],
  ]);
  const summary = await waitFor('the count of the repeats', () => log.lines.find((line) => line.fields.repeats !== undefined), { timeoutMs: 10_000, intervalMs: 50 });
  expect(summary.fields).toMatchObject({ code: -195, repeats: 1499 });
  expect(summary.message).toContain('Connection refused (after 1499ms in state CONNECT) (and 1499 more like it in the last 0.3 s)');
  // Another code is not held back by the first one's window.
  handlers['event.error']({ ...refused(0), code: -187, message: 'all brokers down' });
  expect(log.lines.at(-1)?.message).toBe('kafka client error: all brokers down');
});

test('repeated librdkafka error logs are rate-limited per facility; info and debug lines are not', async () => {
  const log = memoryLog();
  const handlers = clientEventHandlers(log, 300);
  for (let i = 0; i < 100; i++) handlers['event.log']({ severity: 3, fac: 'FAIL', message: `refused ${i}`, name: 'p' });
  for (let i = 0; i < 5; i++) handlers['event.log']({ severity: 7, fac: 'BROKER', message: `debug ${i}`, name: 'p' });
  expect(log.messages()).toEqual(['refused 0', 'debug 0', 'debug 1', 'debug 2', 'debug 3', 'debug 4']);
  const summary = await waitFor('the count of the repeats', () => log.lines.find((line) => line.fields.repeats !== undefined), { timeoutMs: 10_000, intervalMs: 50 });
  expect(summary).toMatchObject({ level: 'error', fields: { librdkafka: 'FAIL', repeats: 99 } });
});
