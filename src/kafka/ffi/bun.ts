import { Worker } from 'node:worker_threads';
import type { DestroyRequest } from './destroy-worker.ts';
import { definitions, librdkafkaPath, type BunFfi, type Pointer, type Rdkafka } from './symbols.ts';

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
    destroy: destroyOffThread,
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
const freed = new Map<number, () => void>();
let nextId = 1;

/**
 * Frees a client on a worker thread (destroy-worker.ts), started at the first use. The worker
 * keeps the process alive only while a client is being freed.
 */
function destroyOffThread(rk: Pointer, flags: number): Promise<void> {
  if (!worker) {
    worker = new Worker(new URL('./destroy-worker.ts', import.meta.url));
    worker.on('message', (id: number) => {
      freed.get(id)?.();
      freed.delete(id);
      if (freed.size === 0) worker?.unref();
    });
  }
  const id = nextId++;
  const done = new Promise<void>((resolve) => freed.set(id, resolve));
  worker.ref();
  worker.postMessage({ id, rk: Number(rk), flags } satisfies DestroyRequest);
  return done;
}
