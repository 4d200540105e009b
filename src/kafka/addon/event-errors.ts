import { createRequire } from 'node:module';
import Kafka from '@confluentinc/kafka-javascript';
import type { LibrdKafkaError } from '@confluentinc/kafka-javascript';

// The addon's native binding: only its err2str is used (the package has no typings for it).
const binding = createRequire(import.meta.url)('@confluentinc/kafka-javascript/librdkafka.js') as { err2str(code: number): string };

/** The words LibrdKafkaError keeps of err2str's text ("Local: Fatal error" -> "fatal error"). */
const keptWords = (text: string) => {
  const parts = text.split(': ');
  return (parts.length > 1 ? parts[1]! : text).toLowerCase();
};

let codesByText: Map<string, number> | undefined;

/** Each error code by the words its 'event.error' carries; a text two codes share is left out. */
function codeOf(message: string): number | undefined {
  if (!codesByText) {
    const byText = new Map<string, number | null>();
    for (const code of Object.values(Kafka.CODES.ERRORS)) {
      const text = keptWords(binding.err2str(code));
      byText.set(text, byText.has(text) && byText.get(text) !== code ? null : code);
    }
    codesByText = new Map([...byText].flatMap(([text, code]) => (code === null ? [] : [[text, code] as [string, number]])));
  }
  return codesByText.get(message);
}

/**
 * The addon hands 'event.error' listeners an error made from err2str's text alone: code -1, no
 * isFatal. This listener, added before any other, gives the error back its code (and isFatal for
 * ERR__FATAL), so the port's error events mean the same on both backends.
 */
export function restoreEventErrorCodes<C extends { on(event: 'event.error', listener: (error: LibrdKafkaError) => void): unknown }>(client: C): C {
  client.on('event.error', restoreCode);
  return client;
}

/** Gives one 'event.error' error its code back (see restoreEventErrorCodes). */
export function restoreCode(error: LibrdKafkaError): void {
  if (error.code !== -1) return;
  const code = codeOf(error.message);
  if (code === undefined) return;
  const restored = error as { -readonly [K in keyof LibrdKafkaError]: LibrdKafkaError[K] };
  restored.code = code;
  restored.errno = code;
  if (code === Kafka.CODES.ERRORS.ERR__FATAL) restored.isFatal = true;
}
