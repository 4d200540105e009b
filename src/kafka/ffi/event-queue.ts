import type { JSCallback } from 'bun:ffi';
import { returned, type Pointer, type Rdkafka } from './symbols.ts';

/** Serves one event; the queue destroys it afterwards. */
export type EventHandler = (event: Pointer, type: number) => void;

/** How often the queue is drained even without a wake-up; the timer also keeps Bun's loop awake. */
const SAFETY_DRAIN_MS = 100;

/**
 * A client's main queue (delivery reports, errors, logs, admin results), served on the JS thread.
 *
 * librdkafka calls a thread-safe JSCallback when the queue goes from empty to non-empty; Bun posts
 * that to the JS thread, where it only schedules a drain: no JS runs on librdkafka's threads and
 * librdkafka is never re-entered from inside its own call. Each drain empties the queue, since
 * the wake-up comes again only after it was empty. The interval keeps a handle alive while the
 * client is open: without one, Bun busy-spins awaiting the callback and starves librdkafka.
 */
export class EventQueue {
  /** The rd_kafka_queue_t handle, for calls that take a reply queue (admin). */
  readonly queue: Pointer;
  private readonly wakeUp: JSCallback;
  private readonly timer: ReturnType<typeof setInterval>;
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly rdkafka: Rdkafka,
    rk: Pointer,
    private readonly handle: EventHandler,
  ) {
    const { lib, ffi } = rdkafka;
    const queue = returned(lib.rd_kafka_queue_get_main(rk));
    if (!queue) throw new Error('rd_kafka_queue_get_main returned NULL');
    this.queue = queue;
    this.wakeUp = new ffi.JSCallback(() => this.schedule(), { args: ['ptr', 'ptr'], returns: 'void', threadsafe: true });
    lib.rd_kafka_queue_cb_event_enable(queue, this.wakeUp.ptr, null);
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

  /** Serves every event waiting now; returns how many. */
  drain(): number {
    if (this.closed) return 0;
    const { lib } = this.rdkafka;
    let served = 0;
    for (;;) {
      const event = returned(lib.rd_kafka_queue_poll(this.queue, 0));
      if (!event) return served;
      served++;
      try {
        this.handle(event, lib.rd_kafka_event_type(event));
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      } finally {
        lib.rd_kafka_event_destroy(event);
      }
    }
  }

  /**
   * Stops the wake-ups, serves what is left and releases the queue handle; call before
   * rd_kafka_destroy. librdkafka invokes the wake-up holding the queue lock, so once disabling it
   * returns no native call is inside it; the trampoline is freed a little later, after any wake-up
   * Bun already posted to the JS thread has run.
   */
  close(): void {
    if (this.closed) return;
    this.rdkafka.lib.rd_kafka_queue_cb_event_enable(this.queue, null, null);
    this.drain();
    this.closed = true;
    clearInterval(this.timer);
    this.rdkafka.lib.rd_kafka_queue_destroy(this.queue);
    setTimeout(() => this.wakeUp.close(), SAFETY_DRAIN_MS).unref();
  }
}
