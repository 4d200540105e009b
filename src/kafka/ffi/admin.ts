import type { NewTopic } from '@confluentinc/kafka-javascript';
import type { AdminClientPort } from '../backend.ts';
import { FfiClient, type Callback } from './client.ts';
import type { ClientConfig } from './config.ts';
import { codeError, KafkaError } from './errors.ts';
import { LAYOUT } from './layout.ts';
import { cstr, keepAlive } from './memory.ts';
import { getMetadata } from './metadata.ts';
import { asPointer, returned, type Pointer, type Rdkafka } from './symbols.ts';

const DEFAULT_TIMEOUT_MS = 5000;
const { event, err } = LAYOUT;

type Done = (error: KafkaError | null) => void;

/**
 * The addon's AdminClient (the calls src/kafka uses): created connected, as the addon's
 * AdminClient.create is; each request carries an opaque id that its result event (served on
 * the JS thread by the event queue) brings back to its callback.
 */
export class FfiAdmin extends FfiClient implements AdminClientPort {
  protected readonly eventTypes = 0;
  private readonly pending = new Map<number, Done>();
  private nextRequestId = 1;

  constructor(rdkafka: Rdkafka, config: ClientConfig) {
    // The addon's admin client is a producer-type handle too.
    super(rdkafka, LAYOUT.clientType.PRODUCER, config);
    this.createHandle();
    queueMicrotask(() => this.emit('ready', { name: this.name }));
  }

  createTopic(topic: NewTopic, timeout?: number | Callback, cb?: Callback): void {
    const [timeoutMs, done] = withTimeout(timeout, cb);
    const { lib, ffi } = this.rdkafka;
    const errstr = new Uint8Array(512);
    const name = cstr(topic.topic);
    const newTopic = returned(lib.rd_kafka_NewTopic_new(ffi.ptr(name), topic.num_partitions, topic.replication_factor, ffi.ptr(errstr), errstr.length));
    keepAlive(name, errstr);
    if (!newTopic) return done(new KafkaError(err.ERR__INVALID_ARG, ffi.CString(ffi.ptr(errstr))));
    try {
      for (const [name, value] of Object.entries(topic.config ?? {}) as [string, unknown][]) {
        if (value === undefined) continue;
        const [key, text] = [cstr(name), cstr(String(value))];
        const code = lib.rd_kafka_NewTopic_set_config(newTopic, ffi.ptr(key), ffi.ptr(text));
        keepAlive(key, text);
        if (code !== 0) return done(codeError(this.rdkafka, code));
      }
      const list = new BigUint64Array([BigInt(newTopic)]);
      this.request(timeoutMs, done, (rk, options, queue) => lib.rd_kafka_CreateTopics(rk, ffi.ptr(list), 1, options, queue));
      keepAlive(list);
    } finally {
      lib.rd_kafka_NewTopic_destroy(newTopic);
    }
  }

  createPartitions(topic: string, totalPartitions: number, timeout?: number | Callback, cb?: Callback): void {
    const [timeoutMs, done] = withTimeout(timeout, cb);
    const { lib, ffi } = this.rdkafka;
    const errstr = new Uint8Array(512);
    const name = cstr(topic);
    const parts = returned(lib.rd_kafka_NewPartitions_new(ffi.ptr(name), totalPartitions, ffi.ptr(errstr), errstr.length));
    keepAlive(name, errstr);
    if (!parts) return done(new KafkaError(err.ERR__INVALID_ARG, ffi.CString(ffi.ptr(errstr))));
    try {
      const list = new BigUint64Array([BigInt(parts)]);
      this.request(timeoutMs, done, (rk, options, queue) => lib.rd_kafka_CreatePartitions(rk, ffi.ptr(list), 1, options, queue));
      keepAlive(list);
    } finally {
      lib.rd_kafka_NewPartitions_destroy(parts);
    }
  }

  /** Topic names from the cluster's metadata, as the addon lists them. */
  listTopics(options?: { timeout?: number } | Callback<string[]>, cb?: Callback<string[]>): void {
    const [opts, done] = typeof options === 'function' ? [{}, options] : [options ?? {}, cb ?? (() => {})];
    if (!this.rk) throw new Error('Client is disconnected');
    getMetadata(this.rdkafka, this.rk, { allTopics: true, timeout: opts.timeout ?? DEFAULT_TIMEOUT_MS }).then(
      (metadata) => done(null, metadata.topics.map((t) => t.name)),
      (error: KafkaError) => done(error),
    );
  }

  /** Frees the client now (the addon's admin disconnect takes no callback); open requests fail with ERR__DESTROY. */
  disconnect(): void {
    this.destroy();
    for (const done of this.pending.values()) done(codeError(this.rdkafka, err.ERR__DESTROY));
    this.pending.clear();
  }

  private request(timeoutMs: number, done: Done, send: (rk: Pointer, options: Pointer, queue: Pointer) => void): void {
    if (!this.rk || !this.events) throw new Error('Client is disconnected');
    const { lib, ffi } = this.rdkafka;
    const options = returned(lib.rd_kafka_AdminOptions_new(this.rk, LAYOUT.adminOp.ANY));
    if (!options) return done(new KafkaError(err.ERR__INVALID_ARG, 'rd_kafka_AdminOptions_new failed'));
    try {
      const errstr = new Uint8Array(512);
      lib.rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, ffi.ptr(errstr), errstr.length);
      lib.rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, ffi.ptr(errstr), errstr.length);
      const id = this.nextRequestId++;
      lib.rd_kafka_AdminOptions_set_opaque(options, asPointer(id));
      this.pending.set(id, done);
      send(this.rk, options, this.events.queue);
    } finally {
      lib.rd_kafka_AdminOptions_destroy(options);
    }
  }

  protected onEvent(ev: Pointer, type: number): void {
    if (type !== event.CREATETOPICS_RESULT && type !== event.CREATEPARTITIONS_RESULT) return;
    const { lib } = this.rdkafka;
    const id = Number(returned(lib.rd_kafka_event_opaque(ev)) ?? 0);
    const done = this.pending.get(id);
    if (!done) return;
    this.pending.delete(id);
    const code = lib.rd_kafka_event_error(ev);
    if (code !== 0) return done(new KafkaError(code, this.rdkafka.ffi.CString(returned(lib.rd_kafka_event_error_string(ev)))));
    const result =
      type === event.CREATETOPICS_RESULT ? lib.rd_kafka_event_CreateTopics_result(ev) : lib.rd_kafka_event_CreatePartitions_result(ev);
    done(this.firstTopicError(type, returned(result)));
  }

  /** The one topic's outcome (each request names one topic, as the addon's calls do). */
  private firstTopicError(type: number, result: Pointer | null): KafkaError | null {
    const { lib, ffi } = this.rdkafka;
    if (!result) return null;
    const count = new BigUint64Array(1);
    const topics =
      type === event.CREATETOPICS_RESULT
        ? lib.rd_kafka_CreateTopics_result_topics(result, ffi.ptr(count))
        : lib.rd_kafka_CreatePartitions_result_topics(result, ffi.ptr(count));
    const array = returned(topics);
    if (!array || count[0] === 0n) return null;
    const topicResult = asPointer(ffi.read.ptr(array, 0));
    const code = lib.rd_kafka_topic_result_error(topicResult);
    if (code === 0) return null;
    const message = returned(lib.rd_kafka_topic_result_error_string(topicResult));
    return new KafkaError(code, message ? ffi.CString(message) : String(lib.rd_kafka_err2str(code)));
  }
}

/** The addon's optional timeout before a callback. */
function withTimeout(timeout: number | Callback | undefined, cb: Callback | undefined): [number, Done] {
  if (typeof timeout === 'function') return [DEFAULT_TIMEOUT_MS, timeout];
  return [timeout || DEFAULT_TIMEOUT_MS, cb ?? (() => {})];
}
