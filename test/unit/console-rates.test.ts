import { describe, expect, test } from 'bun:test';
import { Counter, Gauge, Registry } from 'prom-client';
import { RateSamples } from '../../src/runtime/metrics.ts';

describe("the console charts' samples", () => {
  test('sum accepted records and sink lag per connector, and keep only the newest historyMs / everyMs of them, oldest first', async () => {
    const registry = new Registry();
    const records = new Counter({ name: 'inlet_ingest_records_total', help: 'h', labelNames: ['connector', 'result'], registers: [registry] });
    const lag = new Gauge({ name: 'inlet_sink_lag_records', help: 'h', labelNames: ['connector', 'topic', 'partition'], registers: [registry] });
    lag.set({ connector: 'sink', topic: 't', partition: '0' }, 2);
    lag.set({ connector: 'sink', topic: 't', partition: '1' }, 3);
    const samples = new RateSamples(registry, 1_000, 3_000);
    for (let i = 1; i <= 5; i++) {
      records.inc({ connector: 'hooks', result: 'accepted' }, 10);
      records.inc({ connector: 'hooks', result: 'duplicate' }, 1);
      records.inc({ connector: '(unknown)', result: 'accepted' }, 1);
      await samples.sample();
    }
    const held = samples.samples();
    expect(held.map((s) => s.ingested)).toEqual([{ hooks: 30 }, { hooks: 40 }, { hooks: 50 }]);
    expect(held.map((s) => s.lag)).toEqual([{ sink: 5 }, { sink: 5 }, { sink: 5 }]);
    expect(held.map((s) => s.t)).toEqual([...held.map((s) => s.t)].sort((a, b) => a - b));
  });
});
