import { describe, expect, test } from 'bun:test';
import type { LogFields } from '../../src/log/index.ts';
import { WorkerMetrics, type WorkerView } from '../../src/runtime/metrics.ts';
import type { PartitionLag } from '../../src/runtime/worker-sink-task.ts';

/** A worker view with two sink tasks whose lag reads the test controls, and a log it can read back. */
function viewWith(lags: { connector: string; task: number; lag: (timeoutMs: number) => Promise<PartitionLag[]> }[]) {
  const warnings: { fields: LogFields; message: string }[] = [];
  const ignore = () => {};
  const log = {
    error: ignore,
    info: ignore,
    debug: ignore,
    warn: (fields: LogFields | string, message?: string) => void warnings.push(typeof fields === 'string' ? { fields: {}, message: fields } : { fields, message: message ?? '' }),
    child: () => log,
  } as unknown as WorkerView['log'];
  const view: WorkerView = {
    inflight: () => undefined,
    producerQueues: () => ({ idempotent: 0, transactional: 0 }),
    producerQueueMax: 1,
    dedupeWindowSizes: () => [],
    tasks: () => [],
    sinkLags: () => lags,
    log,
  };
  return { view, warnings };
}

const lagSeries = async (metrics: WorkerMetrics) =>
  ((await metrics.registry.getSingleMetric('inlet_sink_lag_records')?.get())?.values ?? []).map(({ labels, value }) => `${labels.connector}/${labels.partition}=${value}`).sort();

describe('inlet_sink_lag_records', () => {
  test('two collects at once (a scrape and the console sampler) each see every partition', async () => {
    // Each lag read waits until the test answers it, so the two collects interleave the same way
    // every run: the second starts while the first waits on `slow`, and its own `fast` read is
    // still out when the first collect finishes.
    const pending = { fast: [] as (() => void)[], slow: [] as (() => void)[] };
    const read = (name: 'fast' | 'slow', partition: number) => () =>
      new Promise<PartitionLag[]>((resolve) => pending[name].push(() => resolve([{ topic: 't', partition, records: partition + 1 }])));
    const { view } = viewWith([
      { connector: 'fast', task: 0, lag: read('fast', 0) },
      { connector: 'slow', task: 0, lag: read('slow', 1) },
    ]);
    // Enough turns of the microtask queue for prom-client's get() to reach (or pass) each read.
    const settle = async () => {
      for (let i = 0; i < 50; i++) await Promise.resolve();
    };
    const metrics = new WorkerMetrics(view);
    const first = lagSeries(metrics);
    await settle();
    pending.fast[0]!();
    await settle();
    const second = lagSeries(metrics);
    await settle();
    pending.slow[1]!();
    pending.slow[0]!();
    expect(await first).toEqual(['fast/0=1', 'slow/1=2']);
    pending.fast[1]!();
    expect(await second).toEqual(['fast/0=1', 'slow/1=2']);
  });

  test('a lag read that keeps failing is logged once, not at every collect', async () => {
    const { view, warnings } = viewWith([{ connector: 'down', task: 0, lag: async () => Promise.reject(new Error('Local: Broker transport failure')) }]);
    const metrics = new WorkerMetrics(view);
    for (let i = 0; i < 5; i++) expect(await lagSeries(metrics)).toEqual([]);
    expect(warnings).toEqual([{ fields: { connector: 'down', task: 0 }, message: 'down task 0: reading the log end offsets for the lag failed: Local: Broker transport failure' }]);
  });
});
