import { describe, expect, test } from 'bun:test';
import { createLogger } from '../../src/runtime/logger.ts';
import { AppliedLog } from '../../src/runtime/applied-log.ts';
import { waitFor } from '../support/wait.ts';

async function captured() {
  const lines: Record<string, unknown>[] = [];
  const log = await createLogger({ level: 'info', pretty: false, destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { log, lines };
}

describe("a sink task's info line about what it applied (AppliedLog)", () => {
  test('the first batch after a quiet interval is told at once, with its trace ids', async () => {
    const { log, lines } = await captured();
    const applied = new AppliedLog(log, 'orders-sink', 60_000);
    applied.add(3, ['a'.repeat(32)]);
    expect(lines).toMatchObject([{ level: 'info', applied: 3, batches: 1, trace_ids: ['a'.repeat(32)], traces: 1, msg: 'orders-sink: applied 3 records in 1 batch' }]);
    applied.close();
  });

  test('batches within the interval are summed into one line when it ends, not a line each', async () => {
    const { log, lines } = await captured();
    const applied = new AppliedLog(log, 'orders-sink', 200);
    applied.add(1, ['1'.repeat(32)]);
    for (let n = 0; n < 50; n++) applied.add(2, [String(n % 10).repeat(32), 'f'.repeat(32)]);
    expect(lines).toHaveLength(1);
    const summed = await waitFor('the summed line', () => lines[1]);
    expect(summed).toMatchObject({ applied: 100, batches: 50, traces: 100 });
    // Each distinct trace id once (the count says how many contexts the batches carried).
    expect((summed.trace_ids as string[]).length).toBe(11);
    applied.close();
    expect(lines).toHaveLength(2);
  });

  test('a line names at most 20 trace ids; untraced batches name none; closing tells what is pending', async () => {
    const { log, lines } = await captured();
    const applied = new AppliedLog(log, 'orders-sink', 60_000);
    applied.add(1, []);
    expect(lines[0]!.trace_ids).toBeUndefined();
    applied.add(30, Array.from({ length: 30 }, (_, n) => n.toString(16).padStart(32, '0')));
    expect(lines).toHaveLength(1);
    applied.close();
    expect(lines[1]).toMatchObject({ applied: 30, batches: 1, traces: 30 });
    expect((lines[1]!.trace_ids as string[]).length).toBe(20);
  });
});
