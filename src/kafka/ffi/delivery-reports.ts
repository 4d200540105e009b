import { Buffer } from 'node:buffer';
import { LAYOUT } from './layout.ts';
import { asPointer, returned, type Pointer, type Rdkafka } from './symbols.ts';

/** One message of a delivery-report event, read out before the event is destroyed. */
export interface DeliveredMessage {
  err: number;
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  /** The value, read only when asked for (the addon's dr_msg_cb). */
  value: Buffer | null;
  size: number;
  timestamp: number;
  opaqueId: number;
}

const { message } = LAYOUT;
const BATCH = 1024;

/** Reads the messages of RD_KAFKA_EVENT_DR events; the event still owns (and frees) them. */
export class DeliveryReportReader {
  private readonly messages = new BigUint64Array(BATCH);
  private readonly tstype = new Int32Array(1);
  private readonly topicNames = new Map<number, string>();

  constructor(private readonly rdkafka: Rdkafka) {}

  read(event: Pointer, withValue: boolean, each: (delivered: DeliveredMessage) => void): void {
    const { lib, ffi } = this.rdkafka;
    const array = ffi.ptr(this.messages);
    // The event holds its messages' topics alive, so names are cached only while reading it.
    this.topicNames.clear();
    for (;;) {
      const count = Number(lib.rd_kafka_event_message_array(event, array, BATCH));
      if (count === 0) return;
      for (let i = 0; i < count; i++) {
        const m = asPointer(ffi.read.ptr(array, i * 8));
        const len = ffi.read.ptr(m, message.len);
        each({
          err: ffi.read.i32(m, message.err),
          topic: this.topicName(ffi.read.ptr(m, message.rkt)),
          partition: ffi.read.i32(m, message.partition),
          offset: Number(ffi.read.i64(m, message.offset)),
          key: this.copy(ffi.read.ptr(m, message.key), ffi.read.ptr(m, message.key_len)),
          value: withValue ? this.copy(ffi.read.ptr(m, message.payload), len) : null,
          size: len,
          timestamp: Number(lib.rd_kafka_message_timestamp(m, ffi.ptr(this.tstype))),
          opaqueId: ffi.read.ptr(m, message._private),
        });
      }
    }
  }

  private topicName(rkt: number): string {
    let name = this.topicNames.get(rkt);
    if (name === undefined) {
      name = this.rdkafka.ffi.CString(returned(this.rdkafka.lib.rd_kafka_topic_name(asPointer(rkt))));
      this.topicNames.set(rkt, name);
    }
    return name;
  }

  private copy(address: number, length: number): Buffer | null {
    if (address === 0) return null;
    if (length === 0) return Buffer.alloc(0);
    return Buffer.from(this.rdkafka.ffi.toArrayBuffer(asPointer(address), 0, length).slice(0));
  }
}
