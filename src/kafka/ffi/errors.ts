import type { CODES as AddonCodes, LibrdKafkaError } from '@confluentinc/kafka-javascript';
import { LAYOUT } from './layout.ts';
import { returned, type Pointer, type Rdkafka } from './symbols.ts';

export type Codes = typeof AddonCodes;

/**
 * The addon's `CODES`, built from librdkafka's own table (rd_kafka_get_err_descs), so each name
 * maps to the number the library reports: `ERR_` + the C enum name without its prefix. It has
 * every name the addon has (whose generated list lags the C table by a few newer codes).
 */
export function errorCodes({ lib, ffi }: Rdkafka): Codes {
  const out = new BigUint64Array(2);
  lib.rd_kafka_get_err_descs(ffi.ptr(out), ffi.ptr(out, 8));
  const [table, count] = [Number(out[0]), Number(out[1])];
  const errors: Record<string, number> = {};
  const { err_desc } = LAYOUT;
  for (let i = 0; i < count; i++) {
    const at = i * err_desc.size;
    const name = ffi.read.ptr(table, at + err_desc.name);
    if (name !== 0) errors[`ERR_${ffi.CString(name)}`] = ffi.read.i32(table, at + err_desc.code);
  }
  // Old names rdkafka.h keeps as #defines (so not in the table) and the addon still lists.
  Object.assign(errors, {
    ERR_GROUP_LOAD_IN_PROGRESS: errors.ERR_COORDINATOR_LOAD_IN_PROGRESS,
    ERR_GROUP_COORDINATOR_NOT_AVAILABLE: errors.ERR_COORDINATOR_NOT_AVAILABLE,
    ERR_NOT_COORDINATOR_FOR_GROUP: errors.ERR_NOT_COORDINATOR,
  });
  return { ERRORS: errors as Codes['ERRORS'] };
}

export interface KafkaErrorFlags {
  isFatal?: boolean;
  isRetriable?: boolean;
  isTxnRequiresAbort?: boolean;
}

/**
 * The addon's LibrdKafkaError: `code` and `errno` are librdkafka's rd_kafka_resp_err_t, and
 * `origin` follows the addon's own rule (it calls codes >= ERR__END "local").
 */
export class KafkaError extends Error implements LibrdKafkaError {
  readonly code: number;
  readonly errno: number;
  readonly origin: string;
  readonly isFatal?: boolean;
  readonly isRetriable?: boolean;
  readonly isTxnRequiresAbort?: boolean;

  constructor(code: number, message: string, flags: KafkaErrorFlags = {}) {
    super(message);
    this.name = 'LibrdKafkaError';
    this.code = code;
    this.errno = code;
    this.origin = code >= LAYOUT.err.ERR__END ? 'local' : 'kafka';
    if (flags.isFatal !== undefined) this.isFatal = flags.isFatal;
    if (flags.isRetriable !== undefined) this.isRetriable = flags.isRetriable;
    if (flags.isTxnRequiresAbort !== undefined) this.isTxnRequiresAbort = flags.isTxnRequiresAbort;
  }
}

/** An error for a bare rd_kafka_resp_err_t, worded as librdkafka words it (rd_kafka_err2str). */
export function codeError({ lib }: Rdkafka, code: number): KafkaError {
  return new KafkaError(code, String(lib.rd_kafka_err2str(code)));
}

/** Reads and frees an rd_kafka_error_t; null for a NULL pointer (success). */
export function takeError({ lib, ffi }: Rdkafka, result: Pointer | bigint | null): KafkaError | null {
  const error = returned(result);
  if (!error) return null;
  try {
    return new KafkaError(lib.rd_kafka_error_code(error), ffi.CString(returned(lib.rd_kafka_error_string(error))), {
      isFatal: lib.rd_kafka_error_is_fatal(error) === 1,
      isRetriable: lib.rd_kafka_error_is_retriable(error) === 1,
      isTxnRequiresAbort: lib.rd_kafka_error_txn_requires_abort(error) === 1,
    });
  } finally {
    lib.rd_kafka_error_destroy(error);
  }
}
