import { EventEmitter } from 'node:events';
import type { LibrdkafkaLogEvent } from '../client-log.ts';
import { buildConf, librdkafkaProperties, type ClientConfig } from './config.ts';
import { codeError, KafkaError } from './errors.ts';
import { ClusterRequests } from './cluster.ts';
import { openEventQueue, type EventQueue } from './event-queue.ts';
import { LAYOUT } from './layout.ts';
import type { Metadata, MetadataOptions } from '../backend.ts';
import { getMetadata, readMetadata } from './metadata.ts';
import { sleep } from './sleep.ts';
import { asPointer, returned, type Pointer, type Rdkafka } from './symbols.ts';

/** The addon's callbacks: an error or null, then the result. */
export type Callback<T = void> = (error: KafkaError | null, result?: T) => void;


const CONNECT_POLL_MS = 10;
const { event } = LAYOUT;

/**
 * What the addon's Client does for every client type: create the rd_kafka_t, serve its events on
 * the JS thread, emit 'ready', 'event.error', 'event.log' and 'disconnected', and free it all.
 * Logs go through the event queue (log.queue) rather than librdkafka's default stderr printer,
 * which would run on its own threads; the port's factories route them to Inlet's log.
 */
export abstract class FfiClient extends EventEmitter {
  protected rk: Pointer | null = null;
  protected events: EventQueue | null = null;
  protected readonly properties: [string, string][];
  private readonly logOut = new BigUint64Array(2);
  private readonly logLevel = new Int32Array(1);
  private connectedAt = 0;
  /** While the client is being freed: who waits for that. */
  private destroyed: ((() => void) | undefined)[] | null = null;
  private readonly cluster: ClusterRequests;
  /** Off-thread calls still using the client: it is freed only after they returned. */
  private readonly outstanding = new Set<Promise<void>>();

  protected constructor(
    protected readonly rdkafka: Rdkafka,
    private readonly clientType: number,
    config: ClientConfig,
    topicConfig: ClientConfig = {},
  ) {
    super();
    this.properties = librdkafkaProperties(config, topicConfig);
    this.properties.push(['log.queue', 'true']);
    this.cluster = new ClusterRequests(rdkafka);
    // Check every key now, as the addon's constructor does.
    rdkafka.lib.rd_kafka_conf_destroy(buildConf(rdkafka, this.properties));
  }

  /** Event types this client wants on its queue besides errors and logs. */
  protected abstract readonly eventTypes: number;

  /** Serves a client-specific event (delivery reports, admin results). */
  protected abstract onEvent(event: Pointer, type: number): void;

  get name(): string {
    return this.properties.find(([key]) => key === 'client.id')?.[1] ?? 'rdkafka';
  }

  isConnected(): boolean {
    return this.rk !== null;
  }

  /**
   * Creates the client, waits (without blocking) until a broker has answered, then reads the
   * cluster's metadata for the callback, as the addon's connect does, but without blocking: the
   * brokers, and the topic's partitions when `options.topic` names one (the addon's connect gives
   * every topic; no caller reads them, and rd_kafka_metadata would hold the JS thread).
   */
  connect(options: MetadataOptions = {}, cb?: Callback<Metadata>): this {
    const timeoutMs = options.timeout ?? 30_000;
    void this.open(timeoutMs)
      .then(() => this.askMetadata({ topic: options.topic, allTopics: false, timeout: timeoutMs }))
      .then(
        (metadata) => {
          this.emit('ready', { name: this.name });
          cb?.(null, metadata);
        },
        (error: KafkaError) => {
          this.destroy();
          if (cb) cb(error);
          else this.emit('connection.failure', error);
        },
      );
    return this;
  }

  /**
   * The addon's getMetadata. The brokers alone (`allTopics: false`, all a reachability check needs)
   * and one topic's are asked with the admin API and do not block the JS thread; every topic's
   * (no topic and no `allTopics: false`) uses rd_kafka_metadata, which does (see metadata.ts).
   */
  getMetadata(options: MetadataOptions, cb: Callback<Metadata>): void {
    this.askMetadata(options).then((metadata) => cb(null, metadata), (error: KafkaError) => cb(error));
  }

  private askMetadata(options: MetadataOptions): Promise<Metadata> {
    if (!this.rk || !this.events) return Promise.reject(new KafkaError(LAYOUT.err.ERR__STATE, 'Client is disconnected'));
    const [rk, queue, timeoutMs] = [this.rk, this.events.queue, options.timeout ?? 30_000];
    const { topic } = options;
    if (topic) {
      return Promise.all([this.brokers(rk, queue, timeoutMs), this.cluster.topics(rk, queue, [topic], timeoutMs)]).then(([brokers, topics]) => ({ ...brokers, topics }));
    }
    if (options.allTopics === false) return this.brokers(rk, queue, timeoutMs);
    return getMetadata(this.rdkafka, rk, options);
  }

  /**
   * The brokers, from a Metadata request off the JS thread, as the addon asks them. Not the admin
   * API's DescribeCluster: an admin request waits for the controller, and while the controller is
   * down librdkafka (2.x) re-schedules its connection at every broker state change, which clears the
   * reconnect backoff: thousands of refused connects a second for as long as a request is out
   * (the reachability probe keeps one out during a whole outage).
   */
  private brokers(rk: Pointer, queue: Pointer, timeoutMs: number): Promise<Metadata> {
    // On Deno, a worker whose probe asked rd_kafka_metadata as a nonblocking symbol never took
    // pushes again after a Kafka outage (CI, kafka-outage on Deno; cause not found yet): Deno keeps
    // DescribeCluster, and with it the reconnect storm the Metadata request avoids on Bun.
    if (!this.rdkafka.brokerMetadata) return this.cluster.brokers(rk, queue, timeoutMs).then((brokers) => ({ ...brokers, topics: [] }));
    const asked = this.rdkafka.brokerMetadata(rk, timeoutMs).then(({ code, metadata }) => {
      if (!metadata) throw new KafkaError(code, String(this.rdkafka.lib.rd_kafka_err2str(code)));
      try {
        return { ...readMetadata(this.rdkafka, metadata), topics: [] };
      } finally {
        this.rdkafka.lib.rd_kafka_metadata_destroy(metadata);
      }
    });
    const pending = asked.then(
      () => {},
      () => {},
    );
    this.outstanding.add(pending);
    void pending.then(() => this.outstanding.delete(pending));
    return asked;
  }

  /**
   * Asks for `topics`' metadata (DescribeTopics, without blocking), for what librdkafka refreshes
   * with the answer: its cached leaders and leader epochs.
   */
  protected describeTopics(topics: readonly string[], timeoutMs: number): Promise<Metadata['topics']> {
    if (!this.rk || !this.events) return Promise.reject(new KafkaError(LAYOUT.err.ERR__STATE, 'Client is disconnected'));
    return this.cluster.topics(this.rk, this.events.queue, [...new Set(topics)], timeoutMs);
  }

  private async open(timeoutMs: number): Promise<void> {
    if (this.rk) return;
    const rk = this.createHandle();
    const deadline = Date.now() + timeoutMs;
    // Non-blocking: the controller id is known once the first metadata answer arrived.
    while (this.rdkafka.lib.rd_kafka_controllerid(rk, 0) < 0) {
      if (Date.now() >= deadline) throw codeError(this.rdkafka, LAYOUT.err.ERR__TIMED_OUT);
      await sleep(CONNECT_POLL_MS);
    }
    this.connectedAt = Date.now();
  }

  /** Creates the rd_kafka_t and starts serving its queue, without waiting for a broker. */
  protected createHandle(): Pointer {
    const { lib, ffi } = this.rdkafka;
    const conf = buildConf(this.rdkafka, this.properties);
    lib.rd_kafka_conf_set_events(conf, this.eventTypes | event.ERROR | event.LOG);
    const errstr = new Uint8Array(512);
    const rk = returned(lib.rd_kafka_new(this.clientType, conf, ffi.ptr(errstr), errstr.length));
    if (!rk) {
      lib.rd_kafka_conf_destroy(conf);
      throw new KafkaError(-1, ffi.CString(ffi.ptr(errstr)));
    }
    this.rk = rk;
    this.events = openEventQueue(this.rdkafka, rk, (ev, type) => this.serve(ev, type));
    lib.rd_kafka_set_log_queue(rk, null);
    this.connectedAt = Date.now();
    return rk;
  }

  private serve(ev: Pointer, type: number): void {
    if (type === event.ERROR) this.emit('event.error', this.errorOf(ev));
    else if (this.cluster.answer(ev, type)) return;
    else if (type === event.LOG) this.log(ev);
    else this.onEvent(ev, type);
  }

  private errorOf(ev: Pointer): KafkaError {
    const { lib, ffi } = this.rdkafka;
    let code = lib.rd_kafka_event_error(ev);
    let message = ffi.CString(returned(lib.rd_kafka_event_error_string(ev)));
    const isFatal = lib.rd_kafka_event_error_is_fatal(ev) === 1;
    if (isFatal && this.rk) {
      // The event says only "fatal"; the cause (e.g. fencing) is kept on the client.
      const errstr = new Uint8Array(512);
      code = lib.rd_kafka_fatal_error(this.rk, ffi.ptr(errstr), errstr.length);
      message = ffi.CString(ffi.ptr(errstr));
    }
    return new KafkaError(code, message, { isFatal });
  }

  private log(ev: Pointer): void {
    const { lib, ffi } = this.rdkafka;
    const out = ffi.ptr(this.logOut);
    lib.rd_kafka_event_log(ev, out, ffi.ptr(this.logOut, 8), ffi.ptr(this.logLevel));
    if (this.listenerCount('event.log') === 0) return;
    const entry: LibrdkafkaLogEvent = {
      severity: this.logLevel[0]!,
      fac: ffi.CString(asPointer(Number(this.logOut[0]))),
      message: ffi.CString(asPointer(Number(this.logOut[1]))),
      name: this.name,
    };
    this.emit('event.log', entry);
  }

  /** Serves events waiting now (delivery reports during a flush or a commit). */
  protected drainEvents(): void {
    this.events?.drain();
  }

  /**
   * Frees the queue and the client, then calls `then`, once the client is freed: off the JS thread
   * (Rdkafka.destroy), since rd_kafka_destroy waits until librdkafka's threads end. On Deno the
   * queue goes first, after its pending poll returned.
   */
  protected destroy(then?: () => void): void {
    const rk = this.rk;
    if (!rk) return then?.();
    if (this.destroyed) return void this.destroyed.push(then);
    this.destroyed = [then];
    // Events served while the queue closes still see the client (a fatal error's cause).
    const free = () => {
      this.events = null;
      this.cluster.close();
      this.rk = null;
      // Without the flag, a consumer whose close gave up (a commit or a leave the coordinator never
      // answered) would be closed again inside rd_kafka_destroy.
      void Promise.all(this.outstanding)
        .then(() => this.rdkafka.destroy(rk, LAYOUT.destroyFlag.NO_CONSUMER_CLOSE))
        .then(() => {
        const waiting = this.destroyed ?? [];
        this.destroyed = null;
        for (const done of waiting) done?.();
      });
    };
    if (this.events) this.events.close(free);
    else free();
  }

  /** The addon's disconnect: frees the client, then 'disconnected' and the callback. */
  protected finishDisconnect(cb?: Callback<{ connectionOpened: number }>): void {
    const connectionOpened = this.connectedAt;
    this.destroy(() => {
      this.emit('disconnected', { connectionOpened });
      cb?.(null, { connectionOpened });
    });
  }
}
