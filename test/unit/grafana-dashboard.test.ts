import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// The registry alone (prom-client and types): the worker behind it is not started.
import { WorkerMetrics } from '../../src/runtime/metrics.ts';
import { memoryLog } from '../support/log.ts';

const DASHBOARD = join(import.meta.dir, '..', '..', 'deploy', 'grafana', 'inlet.json');

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every PromQL expression of the dashboard: panel targets (rows' panels too) and template queries. */
function expressions(dashboard: { panels: Panel[]; templating: { list: { query?: unknown }[] } }): string[] {
  const panels = (list: Panel[]): string[] => list.flatMap((p) => [...(p.targets ?? []).map((t) => t.expr ?? ''), ...panels(p.panels ?? [])]);
  const templates = dashboard.templating.list.flatMap((v) => (typeof v.query === 'object' && v.query !== null ? [(v.query as { query: string }).query] : []));
  return [...panels(dashboard.panels), ...templates].filter((e) => e !== '');
}

const METRIC_NAME = /\b(?:inlet|nodejs|process)_[a-z0-9_]+\b/g;

function registeredMetrics(): Map<string, string> {
  const metrics = new WorkerMetrics({
    inflight: () => undefined,
    producerQueues: () => ({ idempotent: 0, transactional: 0 }),
    producerQueueMax: 0,
    dedupeWindowSizes: () => [],
    tasks: () => [],
    sinkLags: () => [],
    log: memoryLog(),
  });
  return new Map(metrics.registry.getMetricsAsArray().map((m) => [m.name, m.type as unknown as string]));
}

describe('the Grafana dashboard (deploy/grafana/inlet.json)', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  const queried = expressions(dashboard);
  const registered = registeredMetrics();

  test('every metric it queries is in the worker registry (a histogram by its _bucket, _sum or _count)', () => {
    expect(queried.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const expr of queried) {
      for (const [name] of expr.matchAll(METRIC_NAME)) {
        const histogram = /^(.*)_(bucket|sum|count)$/.exec(name);
        const known = registered.has(name) || (histogram !== null && registered.get(histogram[1]!) === 'histogram');
        if (!known) missing.push(`${name} (in ${expr})`);
      }
    }
    expect(missing).toEqual([]);
  });

  test("it shows every one of Inlet's own metrics", () => {
    const used = new Set(queried.flatMap((expr) => [...expr.matchAll(METRIC_NAME)].map(([name]) => name.replace(/_(bucket|sum|count)$/, ''))));
    const unused = [...registered.keys()].filter((name) => name.startsWith('inlet_') && !used.has(name));
    expect(unused).toEqual([]);
  });
});
