import { describe, expect, test } from 'bun:test';
import { InflightLimit } from '../../src/source/inflight-limit.ts';
import { SourceProgress } from '../../src/source/source-progress.ts';
import { SourceRecordSender } from '../../src/source/source-record-sender.ts';
import type { DeliveryOutcome, RecordProducer } from '../../src/records/index.ts';
import type { SourceConnector, SourceRecord } from '../../src/source/types.ts';
import { ThrottledError } from '../../src/errors/index.ts';

const numeric = (a: string, b: string) => Number(a) - Number(b);

describe('SourceProgress (offsets that only grow)', () => {
  test('an offset at or below the stored one counts as written', () => {
    const progress = new SourceProgress(numeric);
    progress.restore('db.public.orders', '100');
    expect(progress.isWritten('db.public.orders', '99')).toBe(true);
    expect(progress.isWritten('db.public.orders', '100')).toBe(true);
    expect(progress.isWritten('db.public.orders', '101')).toBe(false);
    expect(progress.isWritten('db.public.other', '1')).toBe(false);
  });

  test('the stored offset does not pass a write still in flight', () => {
    const progress = new SourceProgress(numeric);
    progress.begin('p', '1');
    progress.begin('p', '2');
    expect(progress.end('p', '2', true)).toBeUndefined();
    expect(progress.isWritten('p', '2')).toBe(false);
    expect(progress.end('p', '1', true)).toBe('2');
    expect(progress.stored('p')).toBe('2');
  });

  test('a failed write holds the stored offset back until a retry delivers it', () => {
    const progress = new SourceProgress(numeric);
    progress.begin('p', '5');
    progress.begin('p', '6');
    progress.end('p', '5', false);
    expect(progress.end('p', '6', true)).toBeUndefined();
    // The retry of 5 must not be skipped as "at or below the stored offset".
    expect(progress.isWritten('p', '5')).toBe(false);
    progress.begin('p', '5');
    expect(progress.end('p', '5', true)).toBe('6');
  });

  test('restoring never moves the stored offset back', () => {
    const progress = new SourceProgress(numeric);
    progress.restore('p', '10');
    progress.restore('p', '3');
    expect(progress.stored('p')).toBe('10');
  });
});

describe('InflightLimit', () => {
  test('refuses a push that would cross the record or byte bound, and frees room on release', () => {
    const limit = new InflightLimit({ maxRecords: 10, maxBytes: 1000 });
    const first = limit.tryAcquire(8, 100)!;
    expect(limit.tryAcquire(3, 10)).toBeNull();
    const second = limit.tryAcquire(2, 10)!;
    expect(limit.tryAcquire(1, 1)).toBeNull();
    first();
    first(); // releasing twice gives nothing back twice: 2 records and 10 bytes stay in flight
    expect(limit.tryAcquire(9, 1)).toBeNull();
    expect(limit.tryAcquire(1, 991)).toBeNull();
    expect(limit.tryAcquire(8, 990)).not.toBeNull();
    second();
  });

  test('lets one push larger than the bound through when nothing else is in flight', () => {
    const limit = new InflightLimit({ maxRecords: 10, maxBytes: 100 });
    const release = limit.tryAcquire(50, 5000);
    expect(release).not.toBeNull();
    expect(limit.tryAcquire(1, 1)).toBeNull();
    release!();
  });
});

class GatedWriter implements RecordProducer<SourceRecord> {
  written: SourceRecord[] = [];
  private gate: Promise<void> = Promise.resolve();
  open!: () => void;
  hold() {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  available() {
    return true;
  }
  async write(records: readonly SourceRecord[]): Promise<DeliveryOutcome[]> {
    await this.gate;
    this.written.push(...records);
    return records.map(() => ({ delivered: true }));
  }
}

const cdc: SourceConnector = {
  name: 'cdc',
  topics: ['t'],
  maxBodyBytes: undefined,
  dedupe: { windowMs: 60_000, maxEntries: 2 },
  offsetOrder: numeric,
  toRecords: () => ({ ok: true, records: [] }),
};

const change = (offset: number): SourceRecord => ({
  topic: 't',
  key: 'k',
  value: '{}',
  headers: {},
  sourcePartition: 'db.public.orders',
  sourceOffset: String(offset),
});

describe('SourceRecordSender with bounds and growing offsets', () => {
  test('a push over the in-flight bound is throttled with Retry-After and writes nothing', async () => {
    const writer = new GatedWriter();
    const sender = new SourceRecordSender(writer, { inflight: { maxRecords: 3, maxBytes: 1 << 20 } });
    writer.hold();
    const first = sender.write(cdc, [change(1), change(2)]);
    const refused = sender.write(cdc, [change(3), change(4)]);
    await expect(refused).rejects.toBeInstanceOf(ThrottledError);
    await expect(refused).rejects.toHaveProperty('retryAfterSeconds', 1);
    writer.open();
    await first;
    expect(writer.written.map((r) => r.sourceOffset)).toEqual(['1', '2']);
    expect(await sender.write(cdc, [change(3), change(4)])).toEqual({ accepted: 2, duplicates: 0 });
  });

  test('changes at or below the stored offset are duplicates even after the window forgot them', async () => {
    const writer = new GatedWriter();
    const stored: [string, string][] = [];
    const sender = new SourceRecordSender(writer, { onOffset: (_, partition, offset) => stored.push([partition, offset]) });
    expect(await sender.write(cdc, [change(1), change(2), change(3), change(4)])).toEqual({ accepted: 4, duplicates: 0 });
    expect(stored).toEqual([['db.public.orders', '4']]);
    // maxEntries is 2: offsets 1 and 2 have left the window, the stored offset still knows them.
    expect(await sender.write(cdc, [change(1), change(2), change(5)])).toEqual({ accepted: 1, duplicates: 2 });
    expect(writer.written.map((r) => r.sourceOffset)).toEqual(['1', '2', '3', '4', '5']);
  });

  test('a restored offset makes older changes duplicates in a new process', async () => {
    const writer = new GatedWriter();
    const sender = new SourceRecordSender(writer);
    sender.restoreOffset(cdc, 'db.public.orders', '10');
    expect(await sender.write(cdc, [change(9), change(10), change(11)])).toEqual({ accepted: 1, duplicates: 2 });
  });
});
