import { returned, type Pointer, type QueueWaiting, type Rdkafka } from './symbols.ts';

/** Serves one event; the queue destroys it afterwards. */
export type EventHandler = (event: Pointer, type: number) => void;

/** How often the queue is drained even without a wake-up; the timer also keeps Bun's loop awake. */
const SAFETY_DRAIN_MS = 100;
/** Longest one off-thread poll waits (Deno); closing cuts it short with rd_kafka_queue_yield. */
const POLL_MS = 100;

/**
 * A client's main queue (delivery reports, errors, logs, admin results), served on the JS thread,
 * in order, and emptied each time (librdkafka signals only a queue that goes from empty to
 * non-empty). How the JS thread learns of events depends on the runtime (Rdkafka['waiting']).
 */
export interface EventQueue {
  /** The rd_kafka_queue_t handle, for calls that take a reply queue (admin). */
  readonly queue: Pointer;
  /** Serves every event waiting now, where that keeps the order; returns how many. */
  drain(): number;
  /** Serves what is left and releases the queue, then calls `then` (where rd_kafka_destroy may follow). */
  close(then: () => void): void;
}

export function openEventQueue(rdkafka: Rdkafka, rk: Pointer, handle: EventHandler): EventQueue {
  const queue = returned(rdkafka.lib.rd_kafka_queue_get_main(rk));
  if (!queue) throw new Error('rd_kafka_queue_get_main returned NULL');
  const { waiting } = rdkafka;
  return waiting.kind === 'wake-up' ? new WokenEventQueue(rdkafka, waiting, queue, handle) : new PolledEventQueue(rdkafka, waiting, queue, handle);
}

/** Polls `queue` without waiting and serves each event, until it is empty. */
function serveWaiting(rdkafka: Rdkafka, queue: Pointer, handle: EventHandler): number {
  let served = 0;
  for (;;) {
    const event = returned(rdkafka.lib.rd_kafka_queue_poll(queue, 0));
    if (!event) return served;
    served++;
    serveOne(rdkafka, event, handle);
  }
}

function serveOne({ lib }: Rdkafka, event: Pointer, handle: EventHandler): void {
  try {
    handle(event, lib.rd_kafka_event_type(event));
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  } finally {
    lib.rd_kafka_event_destroy(event);
  }
}

/**
 * Bun: librdkafka calls a thread-safe JSCallback when the queue goes from empty to non-empty; Bun
 * posts that to the JS thread, where it only schedules a drain: no JS runs on librdkafka's threads
 * and librdkafka is never re-entered from inside its own call. The interval keeps a handle alive
 * while the client is open: without one, Bun busy-spins awaiting the callback and starves
 * librdkafka.
 */
class WokenEventQueue implements EventQueue {
  private readonly wakeUp: { ptr: Pointer | null; close(): void };
  private readonly timer: ReturnType<typeof setInterval>;
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly rdkafka: Rdkafka,
    waiting: Extract<QueueWaiting, { kind: 'wake-up' }>,
    readonly queue: Pointer,
    private readonly handle: EventHandler,
  ) {
    this.wakeUp = waiting.wakeUp(() => this.schedule());
    rdkafka.lib.rd_kafka_queue_cb_event_enable(queue, this.wakeUp.ptr, null);
    this.timer = setInterval(() => this.drain(), SAFETY_DRAIN_MS);
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  drain(): number {
    return this.closed ? 0 : serveWaiting(this.rdkafka, this.queue, this.handle);
  }

  /**
   * Stops the wake-ups, serves what is left and releases the queue handle. librdkafka invokes the
   * wake-up holding the queue lock, so once disabling it returns no native call is inside it; the
   * trampoline is freed a little later, after any wake-up Bun already posted to the JS thread.
   */
  close(then: () => void): void {
    if (this.closed) return then();
    this.rdkafka.lib.rd_kafka_queue_cb_event_enable(this.queue, null, null);
    this.drain();
    this.closed = true;
    clearInterval(this.timer);
    this.rdkafka.lib.rd_kafka_queue_destroy(this.queue);
    const wakeUp = this.wakeUp;
    setTimeout(() => wakeUp.close(), SAFETY_DRAIN_MS).unref();
    then();
  }
}

/**
 * Deno: a loop of rd_kafka_queue_poll calls run off the JS thread (`nonblocking`), each serving
 * the event it returns and then everything waiting behind it. The pending poll also keeps Deno's
 * loop alive while the client is open. Only the loop takes events: a drain() from elsewhere while
 * a poll is out could serve later events before the one that poll holds, so it serves nothing
 * (flush and commit wait on the loop instead).
 */
class PolledEventQueue implements EventQueue {
  private polling = false;
  private closing = false;
  private done = false;
  private readonly closed: (() => void)[] = [];

  constructor(
    private readonly rdkafka: Rdkafka,
    private readonly waiting: Extract<QueueWaiting, { kind: 'poll' }>,
    readonly queue: Pointer,
    private readonly handle: EventHandler,
  ) {
    void this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.closing) {
      this.polling = true;
      let event: Pointer | null = null;
      try {
        event = await this.waiting.poll(this.queue, POLL_MS);
      } finally {
        this.polling = false;
      }
      if (event) serveOne(this.rdkafka, event, this.handle);
      serveWaiting(this.rdkafka, this.queue, this.handle);
    }
    // No poll is out any more: the queue can go, then the client.
    serveWaiting(this.rdkafka, this.queue, this.handle);
    this.rdkafka.lib.rd_kafka_queue_destroy(this.queue);
    this.done = true;
    for (const then of this.closed.splice(0)) then();
  }

  drain(): number {
    return this.polling || this.closing ? 0 : serveWaiting(this.rdkafka, this.queue, this.handle);
  }

  /** Ends the loop, cutting its pending poll short (rd_kafka_queue_yield); `then` runs once the poll returned. */
  close(then: () => void): void {
    if (this.done) return then();
    this.closed.push(then);
    if (this.closing) return;
    this.closing = true;
    this.rdkafka.lib.rd_kafka_queue_yield(this.queue);
  }
}
