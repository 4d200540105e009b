import { readTopics } from '../kafka/index.ts';
import { SOURCE_HEADERS, type SourceConnector, type SourceWriter } from '../source/index.ts';
import type { SourceOffsetStore } from './offset-store.ts';

/**
 * Gives a starting worker what its sources wrote before: the stored offset of each source
 * partition, and the source offsets of the records still inside each connector's dedupe window,
 * read back from the connector's topics, so a retry after a restart is still a duplicate.
 */
export async function restoreSources(
  brokers: string,
  sources: readonly SourceConnector[],
  writer: SourceWriter,
  offsets: SourceOffsetStore,
): Promise<{ restored: number }> {
  let restored = 0;
  for (const source of sources) {
    for (const [partition, offset] of offsets.entries(source.name)) writer.restoreOffset(source, partition, offset);
    const { windowMs, maxEntries } = source.dedupe;
    if (windowMs === 0) continue;
    await readTopics(
      brokers,
      source.topics.map((topic) => ({ topic, fromTimestamp: Date.now() - windowMs })),
      (record) => {
        const { [SOURCE_HEADERS.connector]: connector, [SOURCE_HEADERS.partition]: partition, [SOURCE_HEADERS.offset]: offset } = record.headers;
        if (connector !== source.name || partition === undefined || offset === undefined) return;
        writer.rememberWritten(source, { sourcePartition: partition, sourceOffset: offset }, record.timestamp);
        restored++;
      },
      // The window holds maxEntries in all; reading more per partition only to evict it is what
      // made restarts slow (3 partitions x 1M records at the defaults).
      { maxRecords: maxEntries },
    );
  }
  return { restored };
}
