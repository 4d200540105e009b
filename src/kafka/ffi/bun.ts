import { Worker } from 'node:worker_threads';
import type { BlockingReply, BlockingRequest } from './blocking-worker.ts';
import { asPointer, definitions, librdkafkaPath, type BunFfi, type Rdkafka } from './symbols.ts';

/**
 * librdkafka through bun:ffi. bun:ffi is imported dynamically, so a process that never asks for
 * this module never evaluates it. Events wake the JS thread through a thread-safe callback.
 */
export async function openRdkafka(): Promise<Rdkafka> {
  const ffi: BunFfi = await import('bun:ffi');
  const path = librdkafkaPath();
  const { symbols } = ffi.dlopen(path, definitions);
  return {
    lib: symbols,
    ffi,
    path,
    destroy: (rk, flags) => offThread({ kind: 'destroy', rk: Number(rk), flags }).then(() => {}),
    brokerMetadata: (rk, timeoutMs) =>
      offThread({ kind: 'metadata', rk: Number(rk), timeoutMs }).then(({ code, metadata }) => ({ code, metadata: metadata === 0 ? null : asPointer(metadata) })),
    waiting: {
      kind: 'wake-up',
      wakeUp(onNonEmpty) {
        const callback = new ffi.JSCallback(onNonEmpty, { args: ['ptr', 'ptr'], returns: 'void', threadsafe: true });
        return { ptr: callback.ptr, close: () => callback.close() };
      },
    },
  };
}

let worker: Worker | undefined;
const waiting = new Map<number, (reply: BlockingReply) => void>();
let nextId = 1;

type Request = BlockingRequest extends infer R ? (R extends BlockingRequest ? Omit<R, 'id'> : never) : never;

/**
 * Runs a waiting call on a worker thread (blocking-worker.ts), started at the first use. The worker
 * keeps the process alive only while a call is out.
 */
function offThread(request: Request): Promise<BlockingReply> {
  if (!worker) {
    worker = new Worker(new URL('./blocking-worker.ts', import.meta.url));
    worker.on('message', (reply: BlockingReply) => {
      waiting.get(reply.id)?.(reply);
      waiting.delete(reply.id);
      if (waiting.size === 0) worker?.unref();
    });
  }
  const id = nextId++;
  const done = new Promise<BlockingReply>((resolve) => waiting.set(id, resolve));
  worker.ref();
  worker.postMessage({ ...request, id } as BlockingRequest);
  return done;
}
