import { beforeAll, describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { TopicTail } from '../../src/kafka/index.ts';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { memoryLog } from '../support/log.ts';
import { waitFor } from '../support/wait.ts';

/**
 * This process's open TCP connections to `port` on loopback, as Linux lists them: the sockets
 * among /proc/self/fd matched against /proc/net/tcp and tcp6. A file it cannot read fails the test.
 */
function connectionsTo(port: number): number {
  const sockets = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed since the listing
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) sockets.add(inode);
  }
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    const [header, ...rows] = readFileSync(table, 'utf8').trim().split('\n');
    if (!/rem(ote)?_address/.test(header ?? '')) throw new Error(`${table} does not read as a socket table:\n${header}`);
    for (const row of rows) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const cols = row.trim().split(/\s+/);
      const remotePort = cols[2]?.split(':')[1];
      const established = cols[3] === '01';
      if (remotePort === portHex && established && sockets.has(cols[9]!)) count++;
    }
  }
  return count;
}

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
