// Which librdkafka binding this process uses: chosen here, once, by the runtime that loads it.
// Node loads the addon; Bun and Deno cannot (a NAN addon), so they reach librdkafka's C API over
// FFI: the same shared code, with a small module per runtime that opens the library.
import type { KafkaBackend } from './backend.ts';

export type { AdminClientPort, ConsumerClient, ConsumerConfig, DeliveryReport, KafkaBackend, Message, ProducerClient } from './backend.ts';
export type { LibrdKafkaError } from '@confluentinc/kafka-javascript';

// Only the chosen backend is loaded: the addon throws at load under Bun (a Node ABI), bun:ffi
// exists only on Bun, and Deno.dlopen only on Deno.
const ffi = () => import('./ffi/index.ts');
const backend: KafkaBackend =
  'Bun' in globalThis
    ? await (await ffi()).ffiKafkaBackend(async () => (await import('./ffi/bun.ts')).openRdkafka())
    : 'Deno' in globalThis
      ? await (await ffi()).ffiKafkaBackend(async () => (await import('./ffi/deno.ts')).openRdkafka())
      : (await import('./addon/index.ts')).addonBackend;

export const { CODES } = backend;
export const backendName = backend.name;
export const newProducer: KafkaBackend['producer'] = (config, log, topicConfig) => backend.producer(config, log, topicConfig);
export const newConsumer: KafkaBackend['consumer'] = (config, log, topicConfig) => backend.consumer(config, log, topicConfig);
export const newAdmin: KafkaBackend['admin'] = (config, log) => backend.admin(config, log);

/** Connection settings shared by every client a worker opens. */
export function commonConfig(brokers: string, clientId: string) {
  return {
    'bootstrap.servers': brokers,
    'client.id': clientId,
    // A restarted broker should be found again quickly, not after librdkafka's 10 s ceiling.
    'reconnect.backoff.ms': 100,
    'reconnect.backoff.max.ms': 1000,
    'socket.keepalive.enable': true,
    log_level: 3,
  } as const;
}
