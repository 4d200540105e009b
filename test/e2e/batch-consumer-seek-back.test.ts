import { beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { harnessCommand, type Runtime } from '../support/harness.ts';

const ROOT = join(import.meta.dir, '..', '..');

interface HandedBatch {
  first: number;
  last: number;
  values: string[];
  failed: boolean;
}

const HARNESS = join(ROOT, 'test', 'support', 'batch-consumer-run.ts');

/**
 * Runs BatchConsumer in a process of `runtime` through test/support/batch-consumer-run.ts, and
 * returns the batches it handed out in order.
 */
async function runConsumer(runtime: Runtime, kafka: KafkaBroker, settings: { records: number; maxBatch: number; failOffset: number }): Promise<HandedBatch[]> {
  const proc = Bun.spawn(await harnessCommand(runtime, HARNESS), {
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: kafka.bootstrap,
      TOPIC: `seek-back-${crypto.randomUUID()}`,
      RECORDS: String(settings.records),
      MAX_BATCH: String(settings.maxBatch),
      FAIL_OFFSET: String(settings.failOffset),
    },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const killer = setTimeout(() => proc.kill(), 90_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(killer);
  if (code !== 0) throw new Error(`the consumer harness exited with ${code}:\n${out}\n${err}`);
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as HandedBatch);
}

describe('BatchConsumer seek-back', () => {
  let kafka: KafkaBroker;

  beforeAll(async () => {
    kafka = await sharedKafka();
  }, 120_000);

  test.each(['node', 'bun'] as const)('a failed batch is handed out again from its first record, and every record is handled once, in order (%s)', async (runtime) => {
    const records = 200;
    const batches = await runConsumer(runtime, kafka, { records, maxBatch: 5, failOffset: 12 });

    const failedAt = batches.findIndex((b) => b.failed);
    expect(failedAt).toBeGreaterThanOrEqual(0);
    const failed = batches[failedAt]!;
    expect(failed.first).toBeLessThanOrEqual(12);
    expect(failed.last).toBeGreaterThanOrEqual(12);
    // The next batch starts where the failed one did: records fetched past it were dropped.
    expect(batches[failedAt + 1]?.first).toBe(failed.first);

    // The batches that went through hold each offset exactly once, in order, and the values
    // produced at those offsets.
    const handled = batches.filter((b) => !b.failed);
    const offsets = handled.flatMap((b) => Array.from({ length: b.last - b.first + 1 }, (_, i) => b.first + i));
    expect(offsets).toEqual(Array.from({ length: records }, (_, i) => i));
    expect(handled.flatMap((b) => b.values)).toEqual(Array.from({ length: records }, (_, i) => String(i)));
  }, 120_000);
});
