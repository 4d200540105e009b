import type { DeliveryReport, ProducerClient } from '../backend.ts';
import { FfiClient, type Callback } from './client.ts';
import { configValue, type ClientConfig } from './config.ts';
import { DeliveryReportReader, type DeliveredMessage } from './delivery-reports.ts';
import { codeError, KafkaError, takeError } from './errors.ts';
import { LAYOUT } from './layout.ts';
import { cstr, keepAlive } from './memory.ts';
import { ProduceArgsWriter, type MessageHeader } from './produce-args.ts';
import type { Pointer, Rdkafka } from './symbols.ts';
import { sleep } from './sleep.ts';
import { resumable } from './transactions.ts';

const FLUSH_POLL_MS = 2;
const { event, err } = LAYOUT;

/**
 * The addon's native Producer over librdkafka's C API: the same methods, arguments, events and
 * error codes, so src/kafka runs unchanged on it. Delivery reports are events on the client's
 * queue, served on the JS thread (see EventQueue); values are copied by librdkafka
 * (RD_KAFKA_MSG_F_COPY), and each message's opaque comes back in its report.
 */
export class FfiProducer extends FfiClient implements ProducerClient {
  protected readonly eventTypes = event.DR;
  private readonly args: ProduceArgsWriter;
  private readonly reports: DeliveryReportReader;
  private readonly opaques = new Map<number, unknown>();
  private nextOpaqueId = 1;
  private readonly withValues: boolean;

  constructor(rdkafka: Rdkafka, config: ClientConfig, topicConfig?: ClientConfig) {
    super(rdkafka, LAYOUT.clientType.PRODUCER, config, topicConfig);
    this.args = new ProduceArgsWriter(rdkafka.ffi);
    this.reports = new DeliveryReportReader(rdkafka);
    const drMsgCb = configValue(config, 'dr_msg_cb');
    this.withValues = typeof drMsgCb === 'function' || drMsgCb === true;
    for (const hook of [configValue(config, 'dr_cb'), drMsgCb]) {
      if (typeof hook === 'function') this.on('delivery-report', hook as (...args: unknown[]) => void);
    }
  }

  /** Queues one message; throws a LibrdKafkaError (e.g. ERR__QUEUE_FULL, ERR_MSG_SIZE_TOO_LARGE). */
  produce(
    topic: string,
    partition: number | null,
    message: Uint8Array | null,
    key?: string | Uint8Array | null,
    timestamp?: number | null,
    opaque?: unknown,
    headers?: MessageHeader[],
  ): boolean {
    if (!this.rk) throw new Error('Producer not connected');
    if (!topic || typeof topic !== 'string') throw new TypeError('"topic" must be a string');
    const opaqueId = opaque === undefined ? 0 : this.nextOpaqueId++;
    if (opaqueId !== 0) this.opaques.set(opaqueId, opaque);
    const { address, count } = this.args.write({ topic, partition, value: message, key, timestamp, opaqueId, headers });
    const error = takeError(this.rdkafka, this.rdkafka.lib.rd_kafka_produceva(this.rk, address, count));
    this.args.keep.length = 0;
    if (error) {
      this.opaques.delete(opaqueId);
      // The addon words a produce error by its code alone, and a producer that failed fatally
      // refuses with ERR__FATAL (librdkafka's error names the underlying cause).
      throw codeError(this.rdkafka, error.isFatal ? err.ERR__FATAL : error.code);
    }
    return true;
  }

  /**
   * Raises a fabricated fatal error (librdkafka's rd_kafka_test_fatal_error: idempotence fencing
   * cannot be caused on purpose), for tests of what recovers from one. The addon has no such call.
   */
  testFatalError(code: number, reason: string): void {
    if (!this.rk) throw new Error('Producer not connected');
    const text = cstr(reason);
    const result = this.rdkafka.lib.rd_kafka_test_fatal_error(this.rk, code, this.rdkafka.ffi.ptr(text));
    keepAlive(text);
    if (result !== 0) throw codeError(this.rdkafka, result);
  }

  /** Reports are served as events already; kept for the addon's API. */
  setPollInBackground(_set: boolean): this {
    return this;
  }

  /** Served on the JS thread by the event queue; kept for the addon's API. */
  poll(): this {
    this.drainEvents();
    return this;
  }

  protected onEvent(ev: Pointer, type: number): void {
    if (type === event.DR) this.reports.read(ev, this.withValues, (delivered) => this.report(delivered));
  }

  private report(delivered: DeliveredMessage): void {
    const report: DeliveryReport & { key?: Uint8Array | string; size: number; value?: Uint8Array | null } = {
      topic: delivered.topic,
      partition: delivered.partition,
      offset: delivered.offset,
      key: delivered.key ?? undefined,
      size: delivered.size,
    };
    if (delivered.opaqueId !== 0) {
      report.opaque = this.opaques.get(delivered.opaqueId);
      this.opaques.delete(delivered.opaqueId);
    }
    if (delivered.timestamp > -1) report.timestamp = delivered.timestamp;
    if (this.withValues) report.value = delivered.value;
    this.emit('delivery-report', delivered.err === 0 ? null : codeError(this.rdkafka, delivered.err), report);
  }

  /**
   * Waits until every queued message has its report, serving reports meanwhile (with event-based
   * reports librdkafka's own flush would wait for a queue only JS serves), without blocking.
   */
  flush(timeout?: number | null, cb?: Callback): this {
    if (!this.rk) throw new Error('Producer not connected');
    void this.drainUntilEmpty(timeout ?? 500).then(
      () => cb?.(null),
      (error: KafkaError) => cb?.(error),
    );
    return this;
  }

  private async drainUntilEmpty(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // A zero-timeout flush sends lingering batches now instead of after linger.ms.
    if (this.rk) this.rdkafka.lib.rd_kafka_flush(this.rk, 0);
    for (;;) {
      this.drainEvents();
      if (!this.rk || this.rdkafka.lib.rd_kafka_outq_len(this.rk) === 0) return;
      if (Date.now() >= deadline) throw codeError(this.rdkafka, err.ERR__TIMED_OUT);
      await sleep(FLUSH_POLL_MS);
    }
  }

  /**
   * Flushes (5 s unless told), fails what is still queued with ERR__PURGE_QUEUE or
   * ERR__PURGE_INFLIGHT reports, then frees the client.
   */
  disconnect(timeout?: number | Callback<{ connectionOpened: number }>, cb?: Callback<{ connectionOpened: number }>): this {
    const done = typeof timeout === 'function' ? timeout : cb;
    const timeoutMs = typeof timeout === 'number' ? timeout : 5000;
    if (!this.rk) {
      done?.(null, { connectionOpened: 0 });
      return this;
    }
    void this.drainUntilEmpty(timeoutMs)
      .catch(() => {})
      .then(() => {
        if (this.rk) {
          this.rdkafka.lib.rd_kafka_purge(this.rk, LAYOUT.purge.QUEUE | LAYOUT.purge.INFLIGHT);
          this.drainEvents();
        }
        this.finishDisconnect(done);
        this.opaques.clear();
      });
    return this;
  }


  initTransactions(timeout: number | Callback, cb?: Callback): void {
    this.transactional((rk, step) => this.rdkafka.lib.rd_kafka_init_transactions(rk, step), timeout, cb);
  }

  beginTransaction(cb: Callback): void {
    if (!this.rk) return cb(new KafkaError(err.ERR__STATE, 'Producer not connected'));
    const error = takeError(this.rdkafka, this.rdkafka.lib.rd_kafka_begin_transaction(this.rk));
    queueMicrotask(() => cb(error));
  }

  commitTransaction(timeout: number | Callback, cb?: Callback): void {
    this.transactional((rk, step) => this.rdkafka.lib.rd_kafka_commit_transaction(rk, step), timeout, cb);
  }

  abortTransaction(timeout: number | Callback, cb?: Callback): void {
    this.transactional((rk, step) => this.rdkafka.lib.rd_kafka_abort_transaction(rk, step), timeout, cb);
  }

  /** Takes the addon's (timeout, cb) or (cb) with its 5 s default. */
  private transactional(call: (rk: Pointer, stepMs: number) => Pointer | bigint | null, timeout: number | Callback, callback?: Callback): void {
    const [timeoutMs, cb] = typeof timeout === 'function' ? [5000, timeout] : [timeout, callback ?? (() => {})];
    if (!this.rk) return cb(new KafkaError(err.ERR__STATE, 'Producer not connected'));
    const rk = this.rk;
    resumable(this.rdkafka, (step) => call(rk, step), timeoutMs, () => this.drainEvents()).then(() => cb(null), (error: KafkaError) => cb(error));
  }
}
