import { definitions, librdkafkaPath, type BunFfi, type Rdkafka } from './symbols.ts';

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
    waiting: {
      kind: 'wake-up',
      wakeUp(onNonEmpty) {
        const callback = new ffi.JSCallback(onNonEmpty, { args: ['ptr', 'ptr'], returns: 'void', threadsafe: true });
        return { ptr: callback.ptr, close: () => callback.close() };
      },
    },
  };
}
