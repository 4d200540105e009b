import type { KafkaBackend } from '../backend.ts';
import { routeClientEvents } from '../client-log.ts';
import { FfiAdmin } from './admin.ts';
import type { ClientConfig } from './config.ts';
import { FfiConsumer } from './consumer.ts';
import { errorCodes, type Codes } from './errors.ts';
import { FfiProducer } from './producer.ts';
import type { OpenRdkafka, Rdkafka } from './symbols.ts';

export { KafkaError } from './errors.ts';
export type { ClientConfig } from './config.ts';
export type { FfiProducer } from './producer.ts';
export type { FfiAdmin } from './admin.ts';
export type { FfiConsumer } from './consumer.ts';
export type { ConsumedMessage } from './messages.ts';
export type { MessageHeader } from './produce-args.ts';

/** The addon's native surface (the subset src/kafka uses), over librdkafka through bun:ffi or Deno.dlopen. */
export interface FfiBackend {
  Producer: new (config: ClientConfig, topicConfig?: ClientConfig) => FfiProducer;
  KafkaConsumer: new (config: ClientConfig, topicConfig?: ClientConfig) => FfiConsumer;
  CODES: Codes;
  librdkafkaVersion: string;
  librdkafkaPath: string;
  /** The port's producer factory (KafkaBackend['producer']): the seam can take it as it is. */
  producer: KafkaBackend['producer'];
  /** The port's admin factory (KafkaBackend['admin']): created connected, as AdminClient.create. */
  admin: KafkaBackend['admin'];
  /** The port's consumer factory (KafkaBackend['consumer']). */
  consumer: KafkaBackend['consumer'];
  AdminClient: { create(config: ClientConfig): FfiAdmin };
}

/** The port's backend over FFI: producer, consumer and admin client. */
export async function ffiKafkaBackend(open?: OpenRdkafka): Promise<KafkaBackend> {
  const ffi = await loadFfiBackend(open);
  return {
    name: 'ffi',
    producer: ffi.producer,
    admin: ffi.admin,
    consumer: ffi.consumer,
    // Built from librdkafka's own error table: every name the addon has, with the same number.
    CODES: ffi.CODES as unknown as KafkaBackend['CODES'],
  };
}

let backend: Promise<FfiBackend> | undefined;

/**
 * Loads librdkafka (once) with `open` (src/kafka/ffi/bun.ts or deno.ts; by default the one for
 * the runtime this runs on) and returns classes bound to it.
 */
export function loadFfiBackend(open: OpenRdkafka = openForThisRuntime): Promise<FfiBackend> {
  backend ??= open().then(bind);
  return backend;
}

/** Only the runtime's own module is loaded: bun:ffi exists only on Bun, Deno.dlopen only on Deno. */
async function openForThisRuntime(): Promise<Rdkafka> {
  const runtime = 'Deno' in globalThis ? await import('./deno.ts') : await import('./bun.ts');
  return runtime.openRdkafka();
}

function bind(rdkafka: Rdkafka): FfiBackend {
  class Producer extends FfiProducer {
    constructor(config: ClientConfig, topicConfig?: ClientConfig) {
      super(rdkafka, config, topicConfig);
    }
  }
  class KafkaConsumer extends FfiConsumer {
    constructor(config: ClientConfig, topicConfig?: ClientConfig) {
      super(rdkafka, config, topicConfig);
    }
  }
  return {
    Producer,
    KafkaConsumer,
    CODES: errorCodes(rdkafka),
    librdkafkaVersion: String(rdkafka.lib.rd_kafka_version_str()),
    librdkafkaPath: rdkafka.path,
    producer: (config, log, topicConfig) => routeClientEvents(new Producer(config, topicConfig), log),
    consumer: (config, log, topicConfig) => routeClientEvents(new KafkaConsumer(config, topicConfig), log),
    admin: (config, log) => routeClientEvents(new FfiAdmin(rdkafka, config), log),
    AdminClient: { create: (config) => new FfiAdmin(rdkafka, config) },
  };
}
