// A stopped broker must be retried at librdkafka's reconnect backoff by an FFI client, as by the
// addon, while the worker's reachability probe (getMetadata for the brokers) keeps asking. Asked
// through the admin API (DescribeCluster), that probe made librdkafka reconnect to the controller
// at every broker state change: tens of thousands of refused connects in ten seconds.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { loadFfiBackend } from '../../src/kafka/ffi/index.ts';
import { commonConfig } from '../../src/kafka/librdkafka.ts';
import { startKafka, type KafkaBroker } from '../support/kafka.ts';
import { waitFor } from '../support/wait.ts';

/** How long the broker stays stopped while connection attempts are counted. */
const OUTAGE_MS = 10_000;
/** The reachability probe's pace (src/kafka/kafka-producer.ts PROBE_INTERVAL_MS). */
const PROBE_INTERVAL_MS = 500;

let kafka: KafkaBroker;
beforeAll(async () => {
  kafka = await startKafka();
}, 120_000);
afterAll(async () => {
  await kafka?.stop();
});

test('an FFI producer keeps to the reconnect backoff while its broker is stopped and the brokers are probed', async () => {
  const ffi = await loadFfiBackend();
  // debug=broker: librdkafka logs each connection attempt ("... connecting"), to count them.
  const producer = new ffi.Producer({ ...commonConfig(kafka.bootstrap, 'reconnect-test'), 'enable.idempotence': true, acks: -1, 'linger.ms': 5, debug: 'broker', log_level: 7, dr_cb: true });
  const connects: number[] = [];
  producer.on('event.log', (entry) => {
    if (entry.fac === 'CONNECT' && / connecting$/.test(entry.message)) connects.push(Date.now());
  });
  await new Promise<void>((resolve, reject) => producer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())));
  // Load, as ingest keeps producing during an outage (refusals once the queue is full are fine).
  const produce = setInterval(() => {
    try {
      producer.produce('reconnect-test', null, new TextEncoder().encode('x'), null, null, {});
    } catch {}
  }, 5);
  let probing = true;
  let probes = 0;
  const probe = () =>
    producer.getMetadata({ allTopics: false, timeout: PROBE_INTERVAL_MS * 2 }, () => {
      probes++;
      if (probing) setTimeout(probe, PROBE_INTERVAL_MS);
    });
  probe();
  await waitFor('a first probe answered', () => probes > 0, { timeoutMs: 30_000 });

  await kafka.stop();
  const stoppedAt = Date.now();
  // A measuring window, not a wait for a condition: attempts are counted over the whole outage.
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  clearInterval(produce);
  probing = false;
  const during = connects.filter((at) => at >= stoppedAt).length;
  await new Promise<void>((resolve) => producer.disconnect(1000, () => resolve()));

  // With reconnect.backoff.max.ms 1000 and two broker entries (bootstrap and the node), librdkafka
  // itself tries a few times a second; the metadata requests add some. Broken: ~4,000 a second.
  expect(probes).toBeGreaterThan(3);
  expect(during).toBeLessThan(300);
}, 120_000);
