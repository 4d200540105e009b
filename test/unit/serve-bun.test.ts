import { afterEach, describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { trickle } from '../support/trickle.ts';
import * as v from 'valibot';
import { WebhookSourceConfigSchema } from '../../src/config/index.ts';
import { errorHandler } from '../../src/http/errors.ts';
import { memoryLog } from '../support/log.ts';
import { ingestRoutes } from '../../src/http/ingest.ts';
import type { DeliveryOutcome, RecordProducer } from '../../src/records/index.ts';
import { serveHttp, type HttpServer } from '../../src/serve/index.ts';
import { createWebhookSource } from '../../src/source/webhook.ts';
import { SourceRecordSender } from '../../src/source/source-record-sender.ts';
import type { SourceRecord } from '../../src/source/types.ts';
import { waitFor } from '../support/wait.ts';

// The HTTP server Bun runs the worker with (src/serve picks Bun.serve under Bun, which runs this
// file): the ingest route served by it keeps the worker's deadlines and drains on close. Kafka is
// out of the picture here: records go to a producer that holds them until the test lets go.

class HeldProducer implements RecordProducer<SourceRecord> {
  readonly written: SourceRecord[] = [];
  private releases: (() => void)[] = [];
  hold = false;
  async write(records: readonly SourceRecord[]): Promise<DeliveryOutcome[]> {
    if (this.hold) await new Promise<void>((resolve) => this.releases.push(resolve));
    this.written.push(...records);
    return records.map(() => ({ delivered: true }));
  }
  available() {
    return true;
  }
  get waiting() {
    return this.releases.length;
  }
  release() {
    for (const release of this.releases.splice(0)) release();
  }
}

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: { requestTimeoutMs: number }) {
  const producer = new HeldProducer();
  const source = createWebhookSource('hooks', v.parse(WebhookSourceConfigSchema, { 'connector.class': 'webhook', topic: 'hooks' }));
  const app = new Hono()
    .route('/ingest', ingestRoutes({
      source: (name) => (name === 'hooks' ? { connector: source, accepting: true } : undefined),
      writer: new SourceRecordSender(producer),
      defaultMaxBodyBytes: 1 << 20,
      maxReadingBytes: 1 << 24,
      requestTimeoutMs: options.requestTimeoutMs,
    }))
    .onError(errorHandler(memoryLog()));
  const server = await serveHttp({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', requestTimeoutMs: options.requestTimeoutMs, headersTimeoutMs: 10_000 });
  servers.push(server);
  const push = (body: unknown) =>
    fetch(`http://127.0.0.1:${server.port}/ingest/hooks`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { server, producer, push };
}

describe('the worker served by Bun.serve', () => {
  test('is Bun.serve here, not node:http', () => {
    expect(typeof Bun).toBe('object');
  });

  test('a sender trickling its body is answered 408 and cut off after the request deadline, while others are served', async () => {
    const { server, producer, push } = await start({ requestTimeoutMs: 1500 });
    const sender = await trickle(server.port, '/ingest/hooks');
    try {
      const quick = await push({ id: 'quick-1' });
      expect(quick.status).toBe(200);
      await waitFor('the trickling connection closed', () => sender.closedAt() > 0, { timeoutMs: 20_000 });
      expect(sender.received()).toMatch(/^HTTP\/1\.1 408/);
      expect(sender.received().toLowerCase()).toContain('"error_code":408');
      expect(sender.closedAt() - sender.started).toBeGreaterThanOrEqual(1400);
      expect(sender.closedAt() - sender.started).toBeLessThan(10_000);
      expect(producer.written.map((r) => JSON.parse(r.value!).id)).toEqual(['quick-1']);
    } finally {
      sender.stop();
    }
  });

  test('close() stops taking connections and resolves only once the push in flight is answered', async () => {
    const { server, producer, push } = await start({ requestTimeoutMs: 30_000 });
    producer.hold = true;
    const inFlight = push({ id: 'in-flight' });
    await waitFor('the push waiting on its producer', () => producer.waiting === 1, { timeoutMs: 10_000 });
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    servers.splice(servers.indexOf(server), 1);
    // New connections are refused while the one in flight finishes.
    await waitFor('new connections refused', () => fetch(`http://127.0.0.1:${server.port}/ingest/hooks`, { method: 'POST', body: '{}' }).then(() => false, () => true), {
      timeoutMs: 10_000,
    });
    expect(closed).toBe(false);
    producer.release();
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ accepted: 1, duplicates: 0 });
    await closing;
    expect(closed).toBe(true);
  });
});
