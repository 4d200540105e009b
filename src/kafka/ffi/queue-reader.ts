import { returned, type Pointer, type QueueWaiting, type Rdkafka } from './symbols.ts';

/** Longest one off-thread poll waits (Deno); closing cuts it short with rd_kafka_queue_yield. */
const POLL_MS = 100;

/**
 * A queue the JS thread takes events from itself, when it wants them (the consumer's: records stay
 * there until consume() asks), with a signal when it fills. How the signal comes depends on the
 * runtime (Rdkafka['waiting']).
 */
export interface QueueReader {
  /** The next event, in order, or null when none is ready now; the caller destroys it. */
  next(): Pointer | null;
  /** Stops the signal, frees the events left and the queue handle, then calls `then`. */
  close(then: () => void): void;
}

export function openQueueReader(rdkafka: Rdkafka, queue: Pointer, onNonEmpty: () => void): QueueReader {
  const { waiting } = rdkafka;
  return waiting.kind === 'wake-up' ? new WokenQueueReader(rdkafka, waiting, queue, onNonEmpty) : new PolledQueueReader(rdkafka, waiting, queue, onNonEmpty);
}

/** Destroys every event left on `queue`, then the handle. */
function release({ lib }: Rdkafka, queue: Pointer): void {
  for (let ev = returned(lib.rd_kafka_queue_poll(queue, 0)); ev; ev = returned(lib.rd_kafka_queue_poll(queue, 0))) lib.rd_kafka_event_destroy(ev);
  lib.rd_kafka_queue_destroy(queue);
}

/** Bun: a thread-safe wake-up when the queue goes from empty to non-empty; events are taken with a zero-wait poll. */
class WokenQueueReader implements QueueReader {
  private readonly wakeUp: { ptr: Pointer | null; close(): void };

  constructor(
    private readonly rdkafka: Rdkafka,
    waiting: Extract<QueueWaiting, { kind: 'wake-up' }>,
    private readonly queue: Pointer,
    onNonEmpty: () => void,
  ) {
    this.wakeUp = waiting.wakeUp(onNonEmpty);
    rdkafka.lib.rd_kafka_queue_cb_event_enable(queue, this.wakeUp.ptr, null);
  }

  next(): Pointer | null {
    return returned(this.rdkafka.lib.rd_kafka_queue_poll(this.queue, 0));
  }

  close(then: () => void): void {
    this.rdkafka.lib.rd_kafka_queue_cb_event_enable(this.queue, null, null);
    release(this.rdkafka, this.queue);
    // A wake-up Bun already posted to the JS thread may still run: free the trampoline after it.
    const wakeUp = this.wakeUp;
    setTimeout(() => wakeUp.close(), POLL_MS).unref();
    then();
  }
}

/**
 * Deno: an off-thread poll (`nonblocking`) waits for the queue to fill. It takes the event it
 * waited for, which is held for next() and handed out before any other, and until it returns
 * next() takes nothing (a zero-wait poll could pass it). The poll is issued again only once
 * next() found the queue empty: a consumer that stops consuming stops polling, as with the
 * addon, and is signalled as on Bun, when the queue fills after it was found empty.
 */
class PolledQueueReader implements QueueReader {
  private held: Pointer | null = null;
  private polling = false;
  private closing: (() => void)[] | null = null;

  constructor(
    private readonly rdkafka: Rdkafka,
    private readonly waiting: Extract<QueueWaiting, { kind: 'poll' }>,
    private readonly queue: Pointer,
    private readonly onNonEmpty: () => void,
  ) {
    this.arm();
  }

  next(): Pointer | null {
    if (this.held) {
      const event = this.held;
      this.held = null;
      return event;
    }
    if (this.polling || this.closing) return null;
    const event = returned(this.rdkafka.lib.rd_kafka_queue_poll(this.queue, 0));
    if (!event) this.arm();
    return event;
  }

  private arm(): void {
    if (this.polling || this.closing) return;
    this.polling = true;
    void this.waiting.poll(this.queue, POLL_MS).then((event) => {
      this.polling = false;
      if (event) this.held = event;
      if (this.closing) return this.finish();
      if (event) this.onNonEmpty();
      else this.arm();
    });
  }

  close(then: () => void): void {
    if (this.closing) return void this.closing.push(then);
    this.closing = [then];
    if (!this.polling) return this.finish();
    this.rdkafka.lib.rd_kafka_queue_yield(this.queue);
  }

  private finish(): void {
    if (this.held) this.rdkafka.lib.rd_kafka_event_destroy(this.held);
    this.held = null;
    release(this.rdkafka, this.queue);
    for (const then of this.closing ?? []) then();
  }
}
