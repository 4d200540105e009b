import type { ConsumerClient } from '../backend.ts';
import { FfiClient, type Callback } from './client.ts';
import { configValue, type ClientConfig } from './config.ts';
import { codeError, KafkaError, takeError } from './errors.ts';
import { LAYOUT } from './layout.ts';
import { keepAlive } from './memory.ts';
import { MessageReader, type ConsumedMessage } from './messages.ts';
import { firstError, readEntry, readList, toPartitions, withList, type ListEntry, type Partition } from './partitions.ts';
import { openQueueReader, type QueueReader } from './queue-reader.ts';
import { asPointer, returned, type Pointer, type Rdkafka } from './symbols.ts';
import { sleep } from './sleep.ts';

const { event, err } = LAYOUT;
/** The addon's default consume timeout. */
const DEFAULT_CONSUME_TIMEOUT_MS = 1000;
/** How often a closing consumer looks whether librdkafka is done. */
const CLOSE_POLL_MS = 5;
/** A close whose rebalance the application never finishes gives up waiting after this long. */
const CLOSE_TIMEOUT_MS = 10_000;
/** The pause before a failed ListOffsets is asked again. */
const OFFSETS_RETRY_MS = 200;

type RebalanceCb = (this: FfiConsumer, error: KafkaError, assignment: Partition[]) => void;

/** A partition's ListOffsets answer. */
type Answered = Partition & { offset: number };

export interface PartitionEof {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * The addon's native KafkaConsumer over librdkafka's C API (the calls src/kafka makes), with the
 * same arguments, events and error codes.
 *
 * Records, rebalances and partition errors stay on librdkafka's consumer queue until consume()
 * takes them (rd_kafka_queue_poll with no wait, on the JS thread): a consumer that does not
 * consume fetches no further than librdkafka's prefetch bound, as with the addon. A rebalance is
 * an event handed to `rebalance_cb` as it is met there; as with the addon, librdkafka waits until
 * the handler (now or later) assigns. Errors and logs go over the main queue (FfiClient).
 * A thread-safe wake-up from the consumer queue only schedules work on the JS thread: it calls the
 * `queue_non_empty_cb` hook and ends a consume() waiting for its timeout.
 */
export class FfiConsumer extends FfiClient implements ConsumerClient {
  private readonly rebalanceCb: RebalanceCb | undefined;
  private readonly queueNonEmpty: (() => void) | undefined;
  private readonly reader: MessageReader;
  private consumerQueue: Pointer | null = null;
  private queueReader: QueueReader | null = null;
  private waiters: (() => void)[] = [];
  private consumeTimeoutMs = DEFAULT_CONSUME_TIMEOUT_MS;
  private closing: Promise<void> | undefined;
  private readonly pendingOffsets = new Map<number, { asked: Partition[]; resolve: (offsets: Answered[]) => void; reject: (error: KafkaError) => void }>();
  private nextRequestId = 1;

  constructor(rdkafka: Rdkafka, config: ClientConfig, topicConfig?: ClientConfig) {
    super(rdkafka, LAYOUT.clientType.CONSUMER, config, topicConfig);
    this.reader = new MessageReader(rdkafka);
    const rebalance = configValue(config, 'rebalance_cb');
    if (typeof rebalance === 'function') this.rebalanceCb = rebalance as RebalanceCb;
    else if (rebalance === true) this.rebalanceCb = defaultRebalance;
    const hook = configValue(config, 'queue_non_empty_cb');
    if (typeof hook === 'function') this.queueNonEmpty = hook as () => void;
  }

  /**
   * Rebalances become events only when the application handles them; else librdkafka assigns by
   * itself. Errors, logs and ListOffsets answers come over the main queue; records, rebalances and
   * partition errors stay on the consumer queue.
   */
  protected get eventTypes(): number {
    return this.rebalanceCb ? event.REBALANCE : 0;
  }

  protected override createHandle(): Pointer {
    const rk = super.createHandle();
    const queue = returned(this.rdkafka.lib.rd_kafka_queue_get_consumer(rk));
    if (!queue) throw new Error('rd_kafka_queue_get_consumer returned NULL');
    this.consumerQueue = queue;
    this.queueReader = openQueueReader(this.rdkafka, queue, () => queueMicrotask(() => this.queueFilled()));
    return rk;
  }

  private queueFilled(): void {
    if (!this.consumerQueue) return;
    this.wakeWaiters();
    this.queueNonEmpty?.();
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  setDefaultConsumeTimeout(timeoutMs: number): void {
    this.consumeTimeoutMs = timeoutMs;
  }

  /**
   * Up to `count` messages: those waiting now, or if none, the first to come within the default
   * consume timeout (without blocking the JS thread). Partition ends are 'partition.eof' events.
   */
  consume(count: number, cb?: Callback<ConsumedMessage[]>): void {
    if (typeof count !== 'number') throw new Error('the FFI consumer supports only consume(number, cb)');
    const done = cb ?? (() => {});
    if (!this.rk) {
      queueMicrotask(() => done(new KafkaError(err.ERR__STATE, 'KafkaConsumer is not connected')));
      return;
    }
    this.consumeNum(count, this.consumeTimeoutMs).then(
      (messages) => done(null, messages),
      (error: KafkaError) => done(error),
    );
  }

  private async consumeNum(count: number, timeoutMs: number): Promise<ConsumedMessage[]> {
    await Promise.resolve();
    const deadline = Date.now() + timeoutMs;
    const messages: ConsumedMessage[] = [];
    for (;;) {
      const error = this.take(count, messages);
      if (error && messages.length === 0) throw error;
      if (error) this.emit('event.error', error);
      const left = deadline - Date.now();
      if (messages.length > 0 || left <= 0 || !this.consumerQueue) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.listenerCount('data') > 0) for (const m of messages) this.emit('data', m);
    return messages;
  }

  /** Takes what waits on the consumer queue, up to `count` messages, serving rebalances and partition errors met on the way. */
  private take(count: number, messages: ConsumedMessage[]): KafkaError | null {
    const { lib } = this.rdkafka;
    while (messages.length < count && this.queueReader) {
      const ev = this.queueReader.next();
      if (!ev) return null;
      try {
        const type = lib.rd_kafka_event_type(ev);
        if (type === event.FETCH) {
          const m = returned(lib.rd_kafka_event_message_next(ev));
          if (m) messages.push(this.reader.read(m));
        } else if (type === event.REBALANCE) {
          this.rebalance(ev);
        } else if (type === event.ERROR) {
          const error = this.consumerError(ev);
          if (error) return error;
        }
      } finally {
        lib.rd_kafka_event_destroy(ev);
      }
    }
    return null;
  }

  /** A partition end becomes a 'partition.eof' event; any other error is returned. */
  private consumerError(ev: Pointer): KafkaError | null {
    const { lib, ffi } = this.rdkafka;
    const code = lib.rd_kafka_event_error(ev);
    if (code === err.ERR__PARTITION_EOF) {
      const tp = returned(lib.rd_kafka_event_topic_partition(ev));
      if (tp) {
        const { topic, partition, offset } = readEntry(this.rdkafka, tp);
        lib.rd_kafka_topic_partition_destroy(tp);
        this.emit('partition.eof', { topic, partition, offset } satisfies PartitionEof);
      }
      return null;
    }
    return new KafkaError(code, ffi.CString(returned(lib.rd_kafka_event_error_string(ev))));
  }

  private rebalance(ev: Pointer): void {
    const { lib } = this.rdkafka;
    const code = lib.rd_kafka_event_error(ev);
    const list = returned(lib.rd_kafka_event_topic_partition_list(ev));
    const assignment = list ? toPartitions(readList(this.rdkafka, list)) : [];
    const error = codeError(this.rdkafka, code);
    this.emit('rebalance', error, assignment);
    try {
      this.rebalanceCb?.call(this, error, assignment);
    } catch (cause) {
      if (this.isConnected()) this.emit('rebalance.error', cause);
    }
  }

  /** 'COOPERATIVE', 'EAGER' or 'NONE', as librdkafka names the group's protocol. */
  rebalanceProtocol(): string {
    if (!this.rk) return 'NONE';
    return String(this.rdkafka.lib.rd_kafka_rebalance_protocol(this.rk));
  }

  subscribe(topics: string[]): this {
    const rk = this.handle();
    const code = withList(this.rdkafka, topics.map((topic) => ({ topic, partition: -1 })), (list) => this.rdkafka.lib.rd_kafka_subscribe(rk, list));
    this.check(code);
    this.emit('subscribed', topics);
    return this;
  }

  unsubscribe(): this {
    this.check(this.rdkafka.lib.rd_kafka_unsubscribe(this.handle()));
    this.emit('unsubscribed', []);
    return this;
  }

  assign(assignments: Partition[]): this {
    const rk = this.handle();
    this.check(withList(this.rdkafka, assignments, (list) => this.rdkafka.lib.rd_kafka_assign(rk, list)));
    return this;
  }

  unassign(): this {
    this.check(this.rdkafka.lib.rd_kafka_assign(this.handle(), null));
    return this;
  }

  incrementalAssign(assignments: Partition[]): this {
    const rk = this.handle();
    const error = takeError(this.rdkafka, withList(this.rdkafka, assignments, (list) => this.rdkafka.lib.rd_kafka_incremental_assign(rk, list)));
    if (error) throw error;
    return this;
  }

  incrementalUnassign(assignments: Partition[]): this {
    const rk = this.handle();
    const error = takeError(this.rdkafka, withList(this.rdkafka, assignments, (list) => this.rdkafka.lib.rd_kafka_incremental_unassign(rk, list)));
    if (error) throw error;
    return this;
  }

  /** The current assignment, as the addon's assignments(). */
  assignments(): Partition[] {
    return toPartitions(this.assignmentEntries(this.handle()));
  }

  private assignmentEntries(rk: Pointer) {
    const { lib, ffi } = this.rdkafka;
    const out = new BigUint64Array(1);
    this.check(lib.rd_kafka_assignment(rk, ffi.ptr(out)));
    const list = asPointer(Number(out[0]));
    try {
      return readList(this.rdkafka, list);
    } finally {
      lib.rd_kafka_topic_partition_list_destroy(list);
    }
  }

  /**
   * Moves partitions to new offsets. librdkafka drops what it fetched before at once; the wait for
   * the seek to be applied is local (no broker round trip), so it blocks the JS thread briefly.
   */
  seek(toppar: Partition, timeout: number, cb?: Callback): this {
    const done = cb ?? (() => {});
    const rk = this.rk;
    if (!rk) {
      queueMicrotask(() => done(new KafkaError(err.ERR__STATE, 'KafkaConsumer is not connected')));
      return this;
    }
    const { lib } = this.rdkafka;
    const error = withList(this.rdkafka, [toppar], (list) => {
      const failed = takeError(this.rdkafka, lib.rd_kafka_seek_partitions(rk, list, timeout));
      return failed ?? firstError(this.rdkafka, readList(this.rdkafka, list));
    });
    queueMicrotask(() => done(error));
    return this;
  }

  pause(partitions: Partition[]): void {
    this.partitionCall(partitions, (rk, list) => this.rdkafka.lib.rd_kafka_pause_partitions(rk, list));
  }

  resume(partitions: Partition[]): void {
    this.partitionCall(partitions, (rk, list) => this.rdkafka.lib.rd_kafka_resume_partitions(rk, list));
  }

  /** Positions (next offset to fetch) of `partitions`, or of the whole assignment; local, no broker call. */
  position(partitions?: Partition[] | null): Partition[] {
    const rk = this.handle();
    const wanted = partitions ?? this.assignmentEntries(rk);
    return withList(this.rdkafka, wanted, (list) => {
      this.check(this.rdkafka.lib.rd_kafka_position(rk, list));
      return toPartitions(readList(this.rdkafka, list));
    });
  }

  /** Commits offsets (or, with none, the current positions) in the background, as the addon does. */
  commit(offsets?: Partition | Partition[] | null): this {
    this.commitOffsets(offsets);
    return this;
  }

  /**
   * The addon's commitSync, without its wait: the commit goes out with rd_kafka_commit_queue and
   * its answer comes back as an OFFSET_COMMIT event on the main queue, so the JS thread never waits
   * for the group coordinator (rd_kafka_commit with async=0 would hold it until the coordinator
   * answered, for as long as an outage lasts). It is used when a member stops: the close that
   * follows waits for commits still in flight before it leaves the group, which is all the wait
   * was for. A failed commit is an 'event.error'.
   */
  commitSync(offsets?: Partition | Partition[] | null): this {
    const rk = this.handle();
    const { lib } = this.rdkafka;
    const queue = this.events!.queue;
    if (offsets === undefined || offsets === null) return this.checked(lib.rd_kafka_commit_queue(rk, null, queue, null, null));
    const list = Array.isArray(offsets) ? offsets : [offsets];
    return this.checked(withList(this.rdkafka, list, (native) => lib.rd_kafka_commit_queue(rk, native, queue, null, null)));
  }

  private checked(code: number): this {
    this.check(code);
    return this;
  }

  private commitOffsets(offsets: Partition | Partition[] | null | undefined): void {
    const rk = this.handle();
    const { lib } = this.rdkafka;
    if (offsets === undefined || offsets === null) return this.check(lib.rd_kafka_commit(rk, null, 1));
    const list = Array.isArray(offsets) ? offsets : [offsets];
    this.check(withList(this.rdkafka, list, (native) => lib.rd_kafka_commit(rk, native, 1)));
  }

  /** A commit's answer: the request's error, else the first partition's. */
  private committed(ev: Pointer): void {
    const { lib, ffi } = this.rdkafka;
    const code = lib.rd_kafka_event_error(ev);
    if (code !== 0) return void this.emit('event.error', new KafkaError(code, ffi.CString(returned(lib.rd_kafka_event_error_string(ev)))));
    const list = returned(lib.rd_kafka_event_topic_partition_list(ev));
    const error = list ? firstError(this.rdkafka, readList(this.rdkafka, list)) : null;
    if (error) this.emit('event.error', error);
  }

  /**
   * A partition's low and high watermarks (the high one as the consumer's isolation level sees
   * it), asked with ListOffsets as offsetsForTimes is, and as it is, asked again while it fails.
   */
  queryWatermarkOffsets(topic: string, partition: number, timeout: number, cb: Callback<{ lowOffset: number; highOffset: number }>): void {
    // A partition may appear once per request: the two ends are two requests, sent together.
    const end = (offset: number, left: number) => this.listOffsets([{ topic, partition, offset }], left);
    const ends = (left: number) => Promise.all([end(LAYOUT.offsetSpec.EARLIEST, left), end(LAYOUT.offsetSpec.LATEST, left)]);
    this.retried([topic], timeout, ends).then(
      ([[earliest], [latest]]) => cb(null, { lowOffset: earliest!.offset, highOffset: latest!.offset }),
      (error: KafkaError) => cb(error),
    );
  }

  /**
   * The first offset at or after each partition's `offset` (a timestamp; -1 the end, -2 the
   * start), asked with ListOffsets, and asked again while it fails (see `retried`).
   */
  offsetsForTimes(toppars: Partition[], timeout: number, cb: Callback<(Partition & { offset: number })[]>): void {
    this.retried(
      toppars.map((p) => p.topic),
      timeout,
      (left) => this.listOffsets(toppars, left),
    ).then(
      (offsets) => cb(null, offsets),
      (error: KafkaError) => cb(error),
    );
  }

  /**
   * Runs `ask` until it succeeds, fails for good, or `timeoutMs` is spent. After a broker restart
   * the admin ListOffsets request keeps failing on the leader epoch librdkafka cached (the admin API
   * does not refresh it), so before asking again the topics' metadata is asked (DescribeTopics),
   * whose answer refreshes that cache. The addon's rd_kafka_offsets_for_times looks the leaders up
   * anew by itself, but blocks the JS thread while it waits for the brokers.
   */
  private async retried<T>(topics: readonly string[], timeoutMs: number, ask: (timeoutMs: number) => Promise<T>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await ask(Math.max(1, deadline - Date.now()));
      } catch (error) {
        if (final(error as KafkaError) || Date.now() + OFFSETS_RETRY_MS >= deadline) throw error;
      }
      await this.describeTopics(topics, Math.max(1, deadline - Date.now())).catch(() => {});
      await sleep(OFFSETS_RETRY_MS);
    }
  }

  /**
   * Asks the partitions' leaders with the admin ListOffsets request, whose answer comes back as an
   * event on the main queue: the JS thread never waits for the brokers (the addon's
   * rd_kafka_offsets_for_times and rd_kafka_query_watermark_offsets would block it). Errors are
   * those calls': the first partition's error fails the call.
   */
  private listOffsets(toppars: Partition[], timeout: number): Promise<Answered[]> {
    return new Promise((resolve, reject) => {
      const rk = this.rk;
      if (!rk || !this.events) return reject(new KafkaError(err.ERR__STATE, 'KafkaConsumer is not connected'));
      const { lib, ffi } = this.rdkafka;
      const options = returned(lib.rd_kafka_AdminOptions_new(rk, LAYOUT.adminOp.ANY));
      if (!options) return reject(new KafkaError(err.ERR__INVALID_ARG, 'rd_kafka_AdminOptions_new failed'));
      try {
        const errstr = new Uint8Array(512);
        lib.rd_kafka_AdminOptions_set_request_timeout(options, timeout, ffi.ptr(errstr), errstr.length);
        keepAlive(errstr);
        const readCommitted = this.properties.find(([key]) => key === 'isolation.level')?.[1] !== 'read_uncommitted';
        const level = readCommitted ? LAYOUT.isolationLevel.READ_COMMITTED : LAYOUT.isolationLevel.READ_UNCOMMITTED;
        const failed = takeError(this.rdkafka, lib.rd_kafka_AdminOptions_set_isolation_level(options, level));
        if (failed) return reject(failed);
        const id = this.nextRequestId++;
        lib.rd_kafka_AdminOptions_set_opaque(options, asPointer(id));
        this.pendingOffsets.set(id, { asked: toppars, resolve, reject });
        withList(this.rdkafka, toppars, (list) => lib.rd_kafka_ListOffsets(rk, list, options, this.events!.queue));
      } finally {
        lib.rd_kafka_AdminOptions_destroy(options);
      }
    });
  }

  /** A commit's or a ListOffsets answer (the latter in the order the partitions were asked). */
  protected onEvent(ev: Pointer, type: number): void {
    if (type === event.OFFSET_COMMIT) return this.committed(ev);
    if (type !== event.LISTOFFSETS_RESULT) return;
    const { lib, ffi } = this.rdkafka;
    const id = Number(returned(lib.rd_kafka_event_opaque(ev)) ?? 0);
    const request = this.pendingOffsets.get(id);
    if (!request) return;
    this.pendingOffsets.delete(id);
    const code = lib.rd_kafka_event_error(ev);
    // No leader found (an unknown topic) fails the whole request with ERR__NOENT; librdkafka's
    // own offsets_for_times calls that ERR__UNKNOWN_PARTITION.
    if (code === err.ERR__NOENT) return request.reject(codeError(this.rdkafka, err.ERR__UNKNOWN_PARTITION));
    if (code !== 0) return request.reject(new KafkaError(code, ffi.CString(returned(lib.rd_kafka_event_error_string(ev)))));
    const result = returned(lib.rd_kafka_event_ListOffsets_result(ev));
    const count = new BigUint64Array(1);
    const infos = result ? returned(lib.rd_kafka_ListOffsets_result_infos(result, ffi.ptr(count))) : null;
    const answers = new Map<string, ListEntry>();
    for (let i = 0; infos && i < Number(count[0]); i++) {
      const tp = returned(lib.rd_kafka_ListOffsetsResultInfo_topic_partition(asPointer(ffi.read.ptr(infos, i * 8))));
      if (!tp) continue;
      const entry = readEntry(this.rdkafka, tp);
      answers.set(`${entry.topic}\u0000${entry.partition}`, entry);
    }
    const entries = request.asked.map(({ topic, partition }) => {
      const answer = answers.get(`${topic}\u0000${partition}`);
      if (!answer) return { topic, partition, offset: LAYOUT.offset.INVALID, err: err.ERR__UNKNOWN_PARTITION, leaderEpoch: -1 };
      // librdkafka fills each partition's answer with INVALID and no error before it asks the
      // leaders, and a leader's request that fails (its timeout, while the broker is down) leaves
      // that placeholder: a broker never answers INVALID. The addon's calls fail with
      // ERR__TIMED_OUT there, and so does this.
      return answer.err === 0 && answer.offset === LAYOUT.offset.INVALID ? { ...answer, err: err.ERR__TIMED_OUT } : answer;
    });
    const error = firstError(this.rdkafka, entries);
    if (error) request.reject(error);
    // Each partition has its offset (the broker answers -1 for a timestamp past the last record).
    else request.resolve(entries.map(({ topic, partition, offset, leaderEpoch }) => (leaderEpoch >= 0 ? { topic, partition, offset, leaderEpoch } : { topic, partition, offset })));
  }

  /**
   * Leaves the group (rd_kafka_consumer_close_queue, served here without blocking: a last revoke
   * goes to `rebalance_cb` as usual), then frees the client.
   */
  disconnect(cb?: Callback<{ connectionOpened: number }>): this {
    this.closing ??= this.close();
    void this.closing.then(() => this.finishDisconnect(cb));
    return this;
  }

  private async close(): Promise<void> {
    const rk = this.rk;
    if (!rk) return;
    const { lib } = this.rdkafka;
    const queue = returned(lib.rd_kafka_queue_new(rk));
    try {
      const error = takeError(this.rdkafka, lib.rd_kafka_consumer_close_queue(rk, queue));
      if (error) this.emit('event.error', error);
      const deadline = Date.now() + CLOSE_TIMEOUT_MS;
      // Closing forwards the consumer queue to `queue`. On Deno the consumer queue's reader may
      // have taken an event (a revoke) off it with its off-thread poll, and holds it: unanswered,
      // the close never finished, and rd_kafka_destroy then blocked the JS thread in a close of
      // its own. What the reader holds or takes is served here too.
      const take = () => returned(lib.rd_kafka_queue_poll(queue, 0)) ?? this.queueReader?.next() ?? null;
      while (!error && lib.rd_kafka_consumer_closed(rk) !== 1 && Date.now() < deadline) {
        for (let ev = take(); ev; ev = take()) {
          try {
            if (lib.rd_kafka_event_type(ev) === event.REBALANCE) this.rebalance(ev);
          } finally {
            lib.rd_kafka_event_destroy(ev);
          }
        }
        await sleep(CLOSE_POLL_MS);
      }
    } finally {
      lib.rd_kafka_queue_destroy(queue);
      await new Promise<void>((resolve) => this.releaseConsumerQueue(resolve));
    }
  }

  /** Frees the consumer queue (and what is left on it: records of a reader that stopped early), then calls `then`. */
  private releaseConsumerQueue(then: () => void = () => {}): void {
    const reader = this.queueReader;
    if (!reader) return then();
    this.queueReader = null;
    this.consumerQueue = null;
    this.wakeWaiters();
    reader.close(then);
  }

  protected override destroy(then?: () => void): void {
    this.releaseConsumerQueue(() => super.destroy(then));
    for (const { reject } of this.pendingOffsets.values()) reject(codeError(this.rdkafka, err.ERR__DESTROY));
    this.pendingOffsets.clear();
  }

  private handle(): Pointer {
    if (!this.rk) throw new KafkaError(err.ERR__STATE, 'KafkaConsumer is not connected');
    return this.rk;
  }

  private partitionCall(partitions: Partition[], call: (rk: Pointer, list: Pointer) => number): void {
    const rk = this.handle();
    const error = withList(this.rdkafka, partitions, (list) => {
      const code = call(rk, list);
      return code !== 0 ? codeError(this.rdkafka, code) : firstError(this.rdkafka, readList(this.rdkafka, list));
    });
    if (error) throw error;
  }

  /** The addon's _errorWrap: a non-zero code throws. */
  private check(code: number): void {
    if (code !== 0) throw codeError(this.rdkafka, code);
  }
}

/** Errors asking again would only repeat: the client is gone, or the topic is unknown. */
const FINAL: readonly number[] = [err.ERR__STATE, err.ERR__DESTROY, err.ERR__UNKNOWN_PARTITION];
const final = (error: KafkaError): boolean => FINAL.includes(error.code);

/** The addon's `rebalance_cb: true`: take what is given, give up what is taken, by the group's protocol. */
function defaultRebalance(this: FfiConsumer, error: KafkaError, assignment: Partition[]): void {
  const cooperative = this.rebalanceProtocol() === 'COOPERATIVE';
  if (error.code === err.ERR__ASSIGN_PARTITIONS) {
    if (cooperative) this.incrementalAssign(assignment);
    else this.assign(assignment);
  } else if (error.code === err.ERR__REVOKE_PARTITIONS) {
    if (cooperative) this.incrementalUnassign(assignment);
    else this.unassign();
  }
}
