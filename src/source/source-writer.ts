import { DedupeWindow, type Claim } from './dedupe-window.ts';
import { UnavailableError } from './errors.ts';
import type { IngestResult, RecordWriter, SourceConnector, SourceRecord } from './types.ts';

const RETRY_AFTER_SECONDS = 5;

/**
 * Writes the records of one push: skips those whose source offset was already written, writes the
 * rest, and reports success only when every one of them is durable.
 */
export class SourceWriter {
  private readonly windows = new Map<string, DedupeWindow>();

  constructor(private readonly writer: RecordWriter) {}

  private windowFor(connector: SourceConnector): DedupeWindow {
    let window = this.windows.get(connector.name);
    if (!window) {
      window = new DedupeWindow(connector.dedupe);
      this.windows.set(connector.name, window);
    }
    return window;
  }

  async write(connector: SourceConnector, records: readonly SourceRecord[]): Promise<IngestResult> {
    if (!this.writer.available()) {
      throw new UnavailableError('Kafka is unreachable; records were not accepted', RETRY_AFTER_SECONDS);
    }
    const { toWrite, claims, duplicates } = await this.claimOffsets(this.windowFor(connector), records);
    if (toWrite.length === 0) return { accepted: 0, duplicates };

    let outcomes;
    try {
      outcomes = await this.writer.write(toWrite);
    } catch (error) {
      for (const claim of claims) claim?.release();
      throw new UnavailableError(`records were not written: ${(error as Error).message}`, RETRY_AFTER_SECONDS);
    }
    let failure: string | null = null;
    outcomes.forEach((outcome, i) => {
      const claim = claims[i];
      if (outcome.delivered) claim?.commit();
      else {
        claim?.release();
        failure ??= outcome.reason;
      }
    });
    if (failure !== null) {
      throw new UnavailableError(`records were not acknowledged by Kafka: ${failure}`, RETRY_AFTER_SECONDS);
    }
    return { accepted: toWrite.length, duplicates };
  }

  /**
   * Claims offsets in sorted order so that two concurrent pushes sharing offsets cannot each hold
   * one the other waits for.
   */
  private async claimOffsets(window: DedupeWindow, records: readonly SourceRecord[]) {
    const byKey = new Map<string, number>();
    let duplicates = 0;
    records.forEach((record, i) => {
      if (record.sourceOffset === null) return;
      const key = `${record.sourcePartition}\u0000${record.sourceOffset}`;
      if (byKey.has(key)) duplicates++;
      else byKey.set(key, i);
    });
    const claimed = new Map<number, Claim>();
    for (const key of [...byKey.keys()].sort()) {
      let attempt = window.tryClaim(key);
      while (attempt.kind === 'busy') {
        await attempt.settled;
        attempt = window.tryClaim(key);
      }
      if (attempt.kind === 'claimed') claimed.set(byKey.get(key)!, attempt.claim);
      else duplicates++;
    }
    const toWrite: SourceRecord[] = [];
    const claims: (Claim | undefined)[] = [];
    records.forEach((record, i) => {
      if (record.sourceOffset === null) {
        toWrite.push(record);
        claims.push(undefined);
      } else if (claimed.has(i)) {
        toWrite.push(record);
        claims.push(claimed.get(i));
      }
    });
    return { toWrite, claims, duplicates };
  }
}
