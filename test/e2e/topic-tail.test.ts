import { beforeAll, describe, expect, test } from 'bun:test';
import { TopicTail } from '../../src/kafka/index.ts';
import { connectionsTo } from '../support/connections.ts';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { memoryLog } from '../support/log.ts';
import { waitFor } from '../support/wait.ts';

describe('TopicTail', () => {
  let kafka: KafkaBroker;

  beforeAll(async () => {
    kafka = await sharedKafka();
  }, 120_000);

  test('a tail that cannot start (its topic never appears) closes its consumer: no connection to the broker is left', async () => {
    const log = memoryLog();
    expect(connectionsTo(kafka.port)).toBe(0);
    const starting = TopicTail.start(kafka.bootstrap, `never-created-${Date.now()}`, () => {}, { log });
    const outcome = starting.then(
      () => 'started',
      (error: Error) => error.message,
    );
    // The counter sees the consumer while it waits for the topic's partitions.
    await waitFor('the starting tail connected to the broker', () => connectionsTo(kafka.port) > 0, { timeoutMs: 30_000, intervalMs: 50 });
    expect(await outcome).toContain('no partitions');
    await waitFor('no connection to the broker left', () => connectionsTo(kafka.port) === 0, { timeoutMs: 15_000 }).catch((error: Error) => {
      throw new Error(`${error.message}: ${connectionsTo(kafka.port)} still open`);
    });
  }, 90_000);
});
