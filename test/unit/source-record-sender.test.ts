import { describe, expect, test } from 'bun:test';
import { UnavailableError } from '../../src/errors/index.ts';
import { SourceRecordSender, type ClusterWindow, type WrittenRecord } from '../../src/source/source-record-sender.ts';
import type { DeliveryOutcome, RecordProducer } from '../../src/records/index.ts';
import type { SourceConnector, SourceRecord } from '../../src/source/types.ts';

interface WriteCall {
  records: SourceRecord[];
  /** Resolves the write (once; later calls do nothing). */
  settle(outcomes?: DeliveryOutcome[]): void;
}

/**
 * A RecordProducer collaborator the test steers: by default every write resolves at once and
 * delivers all but the offsets in `undeliverable`; with `hold` set, writes wait until the test
 * settles them, so requests can be kept in flight.
 */
class FakeProducer implements RecordProducer<SourceRecord> {
  up = true;
  hold = false;
  readonly undeliverable = new Set<string>();
  readonly calls: WriteCall[] = [];
  readonly delivered: SourceRecord[] = [];

  available(): boolean {
    return this.up;
  }

  write(records: readonly SourceRecord[]): Promise<DeliveryOutcome[]> {
    return new Promise((resolve) => {
      let settled = false;
      const call: WriteCall = {
        records: [...records],
        settle: (outcomes = this.outcomesFor(records)) => {
          if (settled) return;
          settled = true;
          outcomes.forEach((o, i) => o.delivered && this.delivered.push(records[i]!));
          resolve(outcomes);
        },
      };
      this.calls.push(call);
      if (!this.hold) call.settle();
    });
  }

  private outcomesFor(records: readonly SourceRecord[]): DeliveryOutcome[] {
    return records.map((r) =>
      r.sourceOffset !== null && this.undeliverable.has(r.sourceOffset)
        ? { delivered: false, reason: `broker said no to ${r.sourceOffset}` }
        : { delivered: true },
    );
  }
}

function connector(name = 'orders'): SourceConnector {
  return {
    name,
    topics: ['orders'],
    maxBodyBytes: undefined,
    dedupe: { windowMs: 60_000, maxEntries: 1_000 },
    toRecords: () => {
      throw new Error('not used by SourceRecordSender');
    },
  };
}

function record(sourceOffset: string | null, sourcePartition = 'orders'): SourceRecord {
  return {
    topic: 'orders',
    key: null,
    value: JSON.stringify({ offset: sourceOffset }),
    headers: {},
    sourcePartition,
    sourceOffset,
  };
}

const offsetsOf = (records: readonly SourceRecord[]) => records.map((r) => r.sourceOffset);

/** Lets pending promise callbacks and timers run. */
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  return Promise.race([promise, new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms))]);
}

describe('SourceRecordSender', () => {
  test('records repeating an offset inside one request are written once and counted as duplicates', async () => {
    const writer = new FakeProducer();
    const result = await new SourceRecordSender(writer).write(connector(), [record('a'), record('b'), record('a'), record('a')]);
    expect(result).toEqual({ accepted: 2, duplicates: 2 });
    expect(offsetsOf(writer.delivered)).toEqual(['a', 'b']);
  });

  test('a retried request is answered as duplicates and not written again', async () => {
    const writer = new FakeProducer();
    const sender = new SourceRecordSender(writer);
    const push = [record('a'), record('b')];
    expect(await sender.write(connector(), push)).toEqual({ accepted: 2, duplicates: 0 });
    expect(await sender.write(connector(), push)).toEqual({ accepted: 0, duplicates: 2 });
    expect(writer.calls).toHaveLength(1);
  });

  test('records without a source offset are always written, since no retry can be recognised', async () => {
    const writer = new FakeProducer();
    const sender = new SourceRecordSender(writer);
    expect(await sender.write(connector(), [record(null), record(null)])).toEqual({ accepted: 2, duplicates: 0 });
    expect(await sender.write(connector(), [record(null), record('a')])).toEqual({ accepted: 2, duplicates: 0 });
    expect(writer.delivered).toHaveLength(4);
  });

  test('the same offset in another source partition or another connector is not a duplicate', async () => {
    const writer = new FakeProducer();
    const sender = new SourceRecordSender(writer);
    await sender.write(connector('orders'), [record('1', 'orders/eu')]);
    expect(await sender.write(connector('orders'), [record('1', 'orders/us')])).toEqual({ accepted: 1, duplicates: 0 });
    expect(await sender.write(connector('refunds'), [record('1', 'orders/eu')])).toEqual({ accepted: 1, duplicates: 0 });
    expect(await sender.write(connector('orders'), [record('1', 'orders/eu')])).toEqual({ accepted: 0, duplicates: 1 });
  });

  test('a partly failed delivery throws UnavailableError, and the retry writes exactly the undelivered records', async () => {
    const writer = new FakeProducer();
    const sender = new SourceRecordSender(writer);
    const push = [record('a'), record('b'), record('c')];
    writer.undeliverable.add('b');

    const error = await sender.write(connector(), push).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).retryAfterSeconds).toBe(5);
    expect((error as UnavailableError).message).toContain('broker said no to b');
    expect(offsetsOf(writer.delivered)).toEqual(['a', 'c']);

    writer.undeliverable.clear();
    expect(await sender.write(connector(), push)).toEqual({ accepted: 1, duplicates: 2 });
    expect(offsetsOf(writer.calls[1]!.records)).toEqual(['b']);
    expect(offsetsOf(writer.delivered)).toEqual(['a', 'c', 'b']);
  });

  test('while the writer is unavailable a push fails fast without calling write or claiming offsets', async () => {
    const writer = new FakeProducer();
    const sender = new SourceRecordSender(writer);
    writer.up = false;
    const error = await sender.write(connector(), [record('a')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).retryAfterSeconds).toBe(5);
    expect(writer.calls).toHaveLength(0);

    writer.up = true;
    expect(await sender.write(connector(), [record('a')])).toEqual({ accepted: 1, duplicates: 0 });
  });

  test('a retry arriving while the first attempt is in flight waits for it and is then a duplicate', async () => {
    const writer = new FakeProducer();
    const sender = new SourceRecordSender(writer);
    writer.hold = true;
    const first = sender.write(connector(), [record('a')]);
    const retry = sender.write(connector(), [record('a')]);
    await tick();
    expect(writer.calls).toHaveLength(1);
    writer.calls[0]!.settle();
    expect(await first).toEqual({ accepted: 1, duplicates: 0 });
    expect(await retry).toEqual({ accepted: 0, duplicates: 1 });
  });

  test('a retry waiting on a first attempt that fails writes the record itself', async () => {
    const writer = new FakeProducer();
    const sender = new SourceRecordSender(writer);
    writer.hold = true;
    const first = sender.write(connector(), [record('a')]).catch((e: unknown) => e);
    const retry = sender.write(connector(), [record('a')]);
    await tick();
    writer.calls[0]!.settle([{ delivered: false, reason: 'timed out' }]);
    expect(await first).toBeInstanceOf(UnavailableError);
    await tick();
    expect(writer.calls).toHaveLength(2);
    writer.calls[1]!.settle();
    expect(await retry).toEqual({ accepted: 1, duplicates: 0 });
    expect(offsetsOf(writer.delivered)).toEqual(['a']);
  });

  test('two concurrent requests sharing offsets in opposite order do not deadlock and write each offset once', async () => {
    const writer = new FakeProducer();
    const sender = new SourceRecordSender(writer);
    writer.hold = true;
    // An earlier attempt holds "c" in flight, so both requests below must wait for it while
    // holding whatever they claimed first. Claiming in request order would deadlock here.
    const earlier = sender.write(connector(), [record('c')]).catch((e: unknown) => e);
    await tick();
    const reversed = sender.write(connector(), [record('c'), record('a')]);
    await tick();
    const forward = sender.write(connector(), [record('a'), record('c')]);
    await tick();
    writer.calls[0]!.settle([{ delivered: false, reason: 'timed out' }]);
    expect(await earlier).toBeInstanceOf(UnavailableError);

    writer.hold = false;
    await tick();
    for (const call of writer.calls.slice(1)) call.settle();
    const results = await withinMs(Promise.all([reversed, forward]), 1_000);
    expect(results).not.toBe('timed out');
    const [r1, r2] = results as [{ accepted: number; duplicates: number }, { accepted: number; duplicates: number }];
    expect(r1.accepted + r2.accepted).toBe(2);
    expect(r1.duplicates + r2.duplicates).toBe(2);
    expect(offsetsOf(writer.delivered).sort()).toEqual(['a', 'c']);
  });

  test('many concurrent pushes of overlapping offsets in shuffled orders write every offset exactly once', async () => {
    const writer = new FakeProducer();
    const sender = new SourceRecordSender(writer);
    const offsets = ['a', 'b', 'c', 'd', 'e'];
    const orders = [offsets, [...offsets].reverse(), ['c', 'a', 'e', 'b', 'd'], ['d', 'e', 'a', 'c', 'b']];
    writer.hold = true;
    const pushes = orders.map((order) => sender.write(connector(), order.map((o) => record(o))));
    // Release writes one at a time as they arrive, so claims interleave across the pushes.
    const settleAll = (async () => {
      for (let settled = 0; settled < 50; settled++) {
        await tick(1);
        for (const call of writer.calls) call.settle();
      }
    })();
    const results = await withinMs(Promise.all(pushes), 1_000);
    await settleAll;
    expect(results).not.toBe('timed out');
    const totals = (results as { accepted: number; duplicates: number }[]).reduce(
      (sum, r) => ({ accepted: sum.accepted + r.accepted, duplicates: sum.duplicates + r.duplicates }),
      { accepted: 0, duplicates: 0 },
    );
    expect(totals).toEqual({ accepted: 5, duplicates: 15 });
    expect(offsetsOf(writer.delivered).sort()).toEqual(offsets);
  });

  test('a writer that rejects leaves its offsets claimable by a retry', async () => {
    const writer = new FakeProducer();
    let reject = true;
    const original = writer.write.bind(writer);
    writer.write = (records) => (reject ? Promise.reject(new Error('producer closed')) : original(records));
    const sender = new SourceRecordSender(writer);
    await expect(sender.write(connector(), [record('a')])).rejects.toThrow('producer closed');
    reject = false;
    expect(await withinMs(sender.write(connector(), [record('a')]), 200)).toEqual({ accepted: 1, duplicates: 0 });
  });
});

/**
 * The rest of a cluster as a SourceRecordSender sees it: what other workers wrote reaches this worker's
 * window only when caughtUp() runs (the tail reads up to the log end), as in a worker.
 */
class FakeCluster implements ClusterWindow {
  caughtUpCalls = 0;
  failure: Error | undefined;
  /** Offsets another worker acknowledged, learnt by the next catch-up. */
  readonly writtenElsewhere: string[] = [];
  readonly readableCalls: WrittenRecord[][] = [];
  holdReadable: (() => void) | undefined;
  sender!: SourceRecordSender;

  constructor(private readonly source: SourceConnector) {}

  async caughtUp(name: string): Promise<void> {
    expect(name).toBe(this.source.name);
    this.caughtUpCalls++;
    await tick(1);
    if (this.failure) throw this.failure;
    for (const offset of this.writtenElsewhere.splice(0)) this.sender.rememberWritten(this.source, record(offset), Date.now());
  }

  readable(name: string, records: readonly WrittenRecord[]): Promise<void> {
    expect(name).toBe(this.source.name);
    this.readableCalls.push([...records]);
    return new Promise((resolve) => (this.holdReadable = resolve));
  }
}

function clusterWriter(source = connector(), writer: RecordProducer<SourceRecord> = new FakeProducer(), transactional?: RecordProducer<SourceRecord>) {
  const cluster = new FakeCluster(source);
  const sender = new SourceRecordSender(writer, { cluster, transactional });
  cluster.sender = sender;
  return { cluster, sender };
}

describe('SourceRecordSender in a cluster', () => {
  test('an offset another worker acknowledged before the push arrived is a duplicate and is not written', async () => {
    const writer = new FakeProducer();
    const { cluster, sender } = clusterWriter(connector(), writer);
    cluster.writtenElsewhere.push('a');
    expect(await sender.write(connector(), [record('a'), record('b')])).toEqual({ accepted: 1, duplicates: 1 });
    expect(offsetsOf(writer.delivered)).toEqual(['b']);
    expect(cluster.caughtUpCalls).toBe(1);
  });

  test('a retry of what the window already holds is answered without waiting for the cluster', async () => {
    const { cluster, sender } = clusterWriter();
    await sender.write(connector(), [record('a')]);
    expect(cluster.caughtUpCalls).toBe(1);
    expect(await sender.write(connector(), [record('a')])).toEqual({ accepted: 0, duplicates: 1 });
    expect(cluster.caughtUpCalls).toBe(1);
  });

  test('records without an offset, and sources without a window, do not wait for the cluster', async () => {
    const noWindow = { ...connector(), dedupe: { windowMs: 0, maxEntries: 1 } };
    const { cluster, sender } = clusterWriter(noWindow);
    expect(await sender.write(noWindow, [record(null)])).toEqual({ accepted: 1, duplicates: 0 });
    expect(await sender.write(noWindow, [record('a')])).toEqual({ accepted: 1, duplicates: 0 });
    expect(cluster.caughtUpCalls).toBe(0);
  });

  test('when the cluster cannot be caught up with, the push is refused with 503 and nothing is written or claimed', async () => {
    const writer = new FakeProducer();
    const { cluster, sender } = clusterWriter(connector(), writer);
    cluster.failure = new Error('reading orders did not catch up within 8000 ms');
    const error = await sender.write(connector(), [record('a')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toContain('did not catch up');
    expect(writer.calls).toHaveLength(0);

    cluster.failure = undefined;
    expect(await sender.write(connector(), [record('a')])).toEqual({ accepted: 1, duplicates: 0 });
  });

  test('an exactly-once push is answered only once its committed records are readable by the other workers', async () => {
    const eos = { ...connector(), exactlyOnce: true };
    const transactional: RecordProducer<SourceRecord> = {
      available: () => true,
      write: async (records) => records.map((_, i) => ({ delivered: true as const, partition: 1, offset: 40 + i })),
    };
    const { cluster, sender } = clusterWriter(eos, new FakeProducer(), transactional);
    const push = sender.write(eos, [record('a'), record('b')]);
    expect(await withinMs(push, 50)).toBe('timed out');
    expect(cluster.readableCalls).toEqual([[{ topic: 'orders', partition: 1, offset: 40 }, { topic: 'orders', partition: 1, offset: 41 }]]);
    cluster.holdReadable!();
    expect(await push).toEqual({ accepted: 2, duplicates: 0 });
  });

  test('an at-least-once push is answered on its acknowledgement alone (acks=all already made it readable)', async () => {
    const { cluster, sender } = clusterWriter();
    expect(await withinMs(sender.write(connector(), [record('a')]), 200)).toEqual({ accepted: 1, duplicates: 0 });
    expect(cluster.readableCalls).toEqual([]);
  });
});
