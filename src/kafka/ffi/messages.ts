import { Buffer } from 'node:buffer';
import { LAYOUT } from './layout.ts';
import { asPointer, returned, type Pointer, type Rdkafka } from './symbols.ts';

/** A consumed message in the addon's shape (key and value as Buffers, headers only when present). */
export interface ConsumedMessage {
  value: Buffer | null;
  size: number;
  key: Buffer | null;
  topic: string;
  offset: number;
  partition: number;
  timestamp: number;
  headers?: Record<string, Buffer>[];
  leaderEpoch?: number;
}

const { message } = LAYOUT;

/**
 * Reads rd_kafka_message_t structs into JS objects, copying every byte out: the message belongs
 * to its event, which is destroyed right after.
 */
export class MessageReader {
  private readonly tstype = new Int32Array(1);
  private readonly out = new BigUint64Array(3);

  constructor(private readonly rdkafka: Rdkafka) {}

  read(m: Pointer): ConsumedMessage {
    const { lib, ffi } = this.rdkafka;
    const { read } = ffi;
    const len = read.ptr(m, message.len);
    const consumed: ConsumedMessage = {
      value: this.copy(read.ptr(m, message.payload), len),
      size: len,
      key: this.copy(read.ptr(m, message.key), read.ptr(m, message.key_len)),
      topic: ffi.CString(returned(lib.rd_kafka_topic_name(asPointer(read.ptr(m, message.rkt))))),
      offset: Number(read.i64(m, message.offset)),
      partition: read.i32(m, message.partition),
      timestamp: Number(lib.rd_kafka_message_timestamp(m, ffi.ptr(this.tstype))),
    };
    const headers = this.headers(m);
    if (headers) consumed.headers = headers;
    const leaderEpoch = lib.rd_kafka_message_leader_epoch(m);
    if (leaderEpoch >= 0) consumed.leaderEpoch = leaderEpoch;
    return consumed;
  }

  private headers(m: Pointer): Record<string, Buffer>[] | undefined {
    const { lib, ffi } = this.rdkafka;
    const out = this.out;
    if (lib.rd_kafka_message_headers(m, ffi.ptr(out)) !== 0) return undefined;
    const hdrs = asPointer(Number(out[0]));
    const headers: Record<string, Buffer>[] = [];
    for (let i = 0; lib.rd_kafka_header_get_all(hdrs, i, ffi.ptr(out), ffi.ptr(out, 8), ffi.ptr(out, 16)) === 0; i++) {
      const name = ffi.CString(asPointer(Number(out[0])));
      headers.push({ [name]: this.copy(Number(out[1]), Number(out[2])) ?? Buffer.alloc(0) });
    }
    return headers;
  }

  private copy(address: number, length: number): Buffer | null {
    if (address === 0) return null;
    if (length === 0) return Buffer.alloc(0);
    return Buffer.from(this.rdkafka.ffi.toArrayBuffer(asPointer(address), 0, length).slice(0));
  }
}
