import { asPointer, definitions, librdkafkaPath, type NativeMemory, type Pointer, type Rdkafka, type RdkafkaSymbols } from './symbols.ts';

/** The part of Deno's FFI this module uses (Deno's own types are not in this project's build). */
interface DenoFfi {
  dlopen(path: string, symbols: Record<string, DenoForeignFunction>): { symbols: Record<string, (...args: unknown[]) => unknown> };
  UnsafePointer: {
    of(view: ArrayBufferView | ArrayBufferLike): DenoPointer | null;
    create(value: bigint): DenoPointer | null;
    value(pointer: DenoPointer | null): bigint | number;
  };
  UnsafePointerView: {
    new (pointer: DenoPointer): { getInt32(offset: number): number; getBigInt64(offset: number): bigint; getBigUint64(offset: number): bigint };
    getCString(pointer: DenoPointer, offset?: number): string;
    getArrayBuffer(pointer: DenoPointer, byteLength: number, offset?: number): ArrayBuffer;
  };
}
type DenoPointer = object;
type DenoType = 'i32' | 'u16' | 'i64' | 'u64' | 'usize' | 'buffer' | 'void';
interface DenoForeignFunction {
  name?: string;
  parameters: DenoType[];
  result: DenoType;
  nonblocking?: boolean;
}

type BunType = (typeof definitions)[keyof typeof definitions]['args'][number] | (typeof definitions)[keyof typeof definitions]['returns'];

/** Pointers and C strings cross as usize: plain numbers on the JS side, as with bun:ffi. */
const denoType = (type: BunType): DenoType => (type === 'ptr' || type === 'cstring' ? 'usize' : type);

/** Off the JS thread: frees a client (it waits until librdkafka's threads end). */
const DESTROY_SYMBOL = 'rd_kafka_destroy_flags_nonblocking';
/** Off the JS thread: waits up to its timeout for an event on a queue. */
const POLL_SYMBOL = 'rd_kafka_queue_poll_nonblocking';

/**
 * librdkafka through Deno.dlopen, with the symbol table and memory helpers the shared code knows
 * from bun:ffi: NULL arguments become 0, pointer results numbers (null for NULL), C string results
 * strings. Events are waited for by rd_kafka_queue_poll marked `nonblocking` (Deno runs it on a
 * worker thread and resolves a promise); needs --allow-ffi (and --allow-read for the path).
 */
export async function openRdkafka(): Promise<Rdkafka> {
  const deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;
  const path = librdkafkaPath();
  const foreign: Record<string, DenoForeignFunction> = {};
  for (const [name, { args, returns }] of Object.entries(definitions)) {
    foreign[name] = { parameters: args.map(denoType), result: denoType(returns) };
  }
  foreign[DESTROY_SYMBOL] = { name: 'rd_kafka_destroy_flags', parameters: ['usize', 'i32'], result: 'void', nonblocking: true };
  foreign[POLL_SYMBOL] = { name: 'rd_kafka_queue_poll', parameters: ['usize', 'i32'], result: 'usize', nonblocking: true };
  const { symbols } = deno.dlopen(path, foreign);

  const pointer = (address: number): DenoPointer => {
    const p = deno.UnsafePointer.create(BigInt(address));
    if (!p) throw new TypeError('NULL pointer read');
    return p;
  };
  const view = (address: number) => new deno.UnsafePointerView(pointer(address));
  const toNumber = (value: unknown): Pointer | null => (value === 0n || value === 0 ? null : asPointer(Number(value)));
  const cString = (address: number | null): string => (address ? deno.UnsafePointerView.getCString(pointer(address)) : '');

  const ffi = {
    ptr: (buffer: ArrayBufferView | ArrayBufferLike, byteOffset = 0) => asPointer(Number(deno.UnsafePointer.value(deno.UnsafePointer.of(buffer))) + byteOffset),
    CString: (address: number | null, byteOffset = 0) => cString(address ? address + byteOffset : null),
    toArrayBuffer: (address: number, byteOffset = 0, byteLength = 0) => deno.UnsafePointerView.getArrayBuffer(pointer(address), byteLength, byteOffset),
    read: {
      ptr: (address: number, offset = 0) => Number(view(address).getBigUint64(offset)),
      i32: (address: number, offset = 0) => view(address).getInt32(offset),
      i64: (address: number, offset = 0) => view(address).getBigInt64(offset),
    },
  };

  const lib: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, { returns }] of Object.entries(definitions)) {
    const call = symbols[name]!;
    const result = returns === 'ptr' ? toNumber : returns === 'cstring' ? (value: unknown) => cString(toNumber(value)) : (value: unknown) => value;
    lib[name] = (...args: unknown[]) => {
      for (let i = 0; i < args.length; i++) if (args[i] === null) args[i] = 0;
      return result(call(...args));
    };
  }
  const poll = symbols[POLL_SYMBOL]!;
  const destroy = symbols[DESTROY_SYMBOL]!;

  return {
    // Built from the same definitions, so it has every symbol with Bun's calling shapes.
    lib: lib as unknown as RdkafkaSymbols,
    ffi: ffi as unknown as NativeMemory,
    path,
    destroy: async (rk, flags) => void (await (destroy(rk, flags) as Promise<void>)),
    waiting: {
      kind: 'poll',
      poll: async (queue, timeoutMs) => toNumber(await (poll(queue, timeoutMs) as Promise<bigint>)),
    },
  };
}
