import { LAYOUT } from './layout.ts';
import { bytesOf, cstr, writeU64 } from './memory.ts';
import type { NativeMemory } from './symbols.ts';

/** A header as the addon takes it: `[{ name: value }, ...]`. */
export type MessageHeader = Record<string, string | Uint8Array | null | undefined>;

export interface ProduceArgs {
  topic: string;
  partition: number | null | undefined;
  value: Uint8Array | null | undefined;
  key: string | Uint8Array | null | undefined;
  timestamp: number | null | undefined;
  /** The per-message opaque's id (0: none); it comes back in the message's `_private`. */
  opaqueId: number;
  headers: readonly MessageHeader[] | null | undefined;
}

const { vu, vtype, msgflag } = LAYOUT;
/** Zero-length values still need a valid address; size 0 keeps them empty rather than NULL. */
const EMPTY = new Uint8Array(1);

/**
 * Writes rd_kafka_produceva's argument array. librdkafka copies the topic, key and headers, and
 * the value too with RD_KAFKA_MSG_F_COPY, so nothing here must outlive the call; `keep` holds
 * every buffer whose address was written until then (an address alone keeps nothing alive).
 */
export class ProduceArgsWriter {
  private words = new Uint32Array((vu.size * 16) / 4);
  private readonly topics = new Map<string, Uint8Array>();
  readonly keep: Uint8Array[] = [];

  constructor(private readonly ffi: NativeMemory) {}

  /** Fills the array for one message; returns its address and entry count. */
  write(args: ProduceArgs): { address: ReturnType<NativeMemory['ptr']>; count: number } {
    const headers = (args.headers ?? []).flatMap((header) => Object.entries(header));
    const needed = (7 + headers.length) * vu.size;
    if (this.words.byteLength < needed) this.words = new Uint32Array(needed / 2);
    this.keep.length = 0;
    let at = 0;
    const entry = (type: number) => {
      this.words[(at + vu.vtype) >>> 2] = type;
      const offset = at;
      at += vu.size;
      return offset;
    };
    const address = (bytes: Uint8Array) => {
      this.keep.push(bytes);
      return this.ffi.ptr(bytes.length === 0 ? EMPTY : bytes);
    };

    writeU64(this.words, entry(vtype.TOPIC) + vu.cstr, address(this.topicName(args.topic)));
    if (args.partition !== null && args.partition !== undefined && args.partition >= 0) {
      this.words[(entry(vtype.PARTITION) + vu.i32) >>> 2] = args.partition;
    }
    if (args.value !== null && args.value !== undefined) {
      const base = entry(vtype.VALUE);
      writeU64(this.words, base + vu.mem.ptr, address(args.value));
      writeU64(this.words, base + vu.mem.size, args.value.length);
    }
    if (args.key !== null && args.key !== undefined) {
      const key = bytesOf(args.key);
      const base = entry(vtype.KEY);
      writeU64(this.words, base + vu.mem.ptr, address(key));
      writeU64(this.words, base + vu.mem.size, key.length);
    }
    if (args.opaqueId !== 0) writeU64(this.words, entry(vtype.OPAQUE) + vu.ptr, args.opaqueId);
    this.words[(entry(vtype.MSGFLAGS) + vu.i32) >>> 2] = msgflag.COPY;
    if (args.timestamp !== null && args.timestamp !== undefined && args.timestamp > 0) {
      writeU64(this.words, entry(vtype.TIMESTAMP) + vu.i64, args.timestamp);
    }
    for (const [name, value] of headers) {
      const base = entry(vtype.HEADER);
      writeU64(this.words, base + vu.header.name, address(cstr(name)));
      if (value === null || value === undefined) {
        writeU64(this.words, base + vu.header.val, 0);
        writeU64(this.words, base + vu.header.size, 0);
      } else {
        const bytes = bytesOf(value);
        writeU64(this.words, base + vu.header.val, address(bytes));
        writeU64(this.words, base + vu.header.size, bytes.length);
      }
    }
    return { address: this.ffi.ptr(this.words), count: at / vu.size };
  }

  private topicName(topic: string): Uint8Array {
    let name = this.topics.get(topic);
    if (!name) this.topics.set(topic, (name = cstr(topic)));
    return name;
  }
}
