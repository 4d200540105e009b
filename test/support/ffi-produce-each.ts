// Shared by the FFI producer tests under Bun and the Deno script: produce each message with its
// index as the opaque, and record what it came to. Type imports only, so Deno runs it as it is.
import type { FfiProducer, KafkaError } from '../../src/kafka/ffi/index.ts';

export interface TestMessage {
  topic: string;
  /** Without a value: a body of this many bytes. */
  size?: number;
  value?: string;
  key?: string;
  headers?: Record<string, string>[];
}

/** The error code produce threw, or the delivery report's error code (0: delivered), offset and key. */
export type ProduceOutcome = { thrown: number } | { reported: number; offset: number; key: string | null };

/**
 * Produces every message on `producer` (connected, with dr_cb). `outcomes` holds the thrown ones at
 * once and the rest as their reports arrive; `reported` resolves once every report has.
 */
export function produceEach(producer: FfiProducer, messages: readonly TestMessage[]): { outcomes: ProduceOutcome[]; reported: Promise<void> } {
  const outcomes: ProduceOutcome[] = new Array(messages.length);
  let pending = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  producer.on('delivery-report', (error: KafkaError | null, report: { opaque?: unknown; offset: number; key?: Uint8Array | string | null }) => {
    const key = report.key == null ? null : typeof report.key === 'string' ? report.key : new TextDecoder().decode(report.key);
    outcomes[report.opaque as number] = { reported: error ? error.code : 0, offset: report.offset, key };
    if (--pending === 0) finish();
  });
  messages.forEach((message, index) => {
    const value = message.value !== undefined ? new TextEncoder().encode(message.value) : new Uint8Array(message.size ?? 0).fill(120);
    try {
      producer.produce(message.topic, null, value, message.key ?? null, Date.now(), index, message.headers);
      pending++;
    } catch (error) {
      outcomes[index] = { thrown: (error as KafkaError).code };
    }
  });
  return { outcomes, reported: pending > 0 ? done : Promise.resolve() };
}

/** An outcome without where it landed, to compare runs that wrote to different places. */
export const kind = (outcome: ProduceOutcome): { thrown: number } | { reported: number } =>
  'thrown' in outcome ? { thrown: outcome.thrown } : { reported: outcome.reported };
