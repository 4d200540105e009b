import { LAYOUT } from './layout.ts';
import { cstr, keepAlive } from './memory.ts';
import { returned, type Pointer, type Rdkafka } from './symbols.ts';

/**
 * An addon-style config: librdkafka's keys with string, number or boolean values, plus the
 * addon's own hooks (dr_cb, rebalance_cb). `object`, since the addon's typed configs are
 * interfaces without an index signature.
 */
export type ClientConfig = object;

/** One key of a config, unparsed. */
export const configValue = (config: ClientConfig, key: string): unknown => (config as Record<string, unknown>)[key];

/** Keys the addon consumes itself and never passes to librdkafka. */
const ADDON_KEYS = new Set(['dr_cb', 'dr_msg_cb', 'rebalance_cb', 'offset_commit_cb', 'event_cb', 'topic', 'partition', 'queue_non_empty_cb']);

/** The librdkafka properties of an addon-style config (global and topic keys alike), as strings. */
export function librdkafkaProperties(config: ClientConfig, topicConfig: ClientConfig = {}): [string, string][] {
  const entries = Object.entries({ ...config, ...topicConfig }) as [string, unknown][];
  return entries.flatMap(([key, value]): [string, string][] =>
    ADDON_KEYS.has(key) || !['string', 'number', 'boolean'].includes(typeof value) ? [] : [[key, String(value)]],
  );
}

/**
 * A new rd_kafka_conf_t with every property set; the caller owns it (rd_kafka_new takes it over).
 * An unknown key or a bad value throws with librdkafka's own words, as the addon's constructor does.
 */
export function buildConf(rdkafka: Rdkafka, properties: readonly [string, string][]): Pointer {
  const { lib, ffi } = rdkafka;
  const conf = returned(lib.rd_kafka_conf_new());
  if (!conf) throw new Error('rd_kafka_conf_new failed');
  const errstr = new Uint8Array(512);
  for (const [key, value] of properties) {
    const [name, text] = [cstr(key), cstr(value)];
    const result = lib.rd_kafka_conf_set(conf, ffi.ptr(name), ffi.ptr(text), ffi.ptr(errstr), errstr.length);
    keepAlive(name, text);
    if (result !== LAYOUT.conf.OK) {
      lib.rd_kafka_conf_destroy(conf);
      throw new Error(ffi.CString(ffi.ptr(errstr)));
    }
  }
  return conf;
}
