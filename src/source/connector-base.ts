import type { SourceConnector } from './types.ts';

/** The config keys every single-topic source shares. */
interface BaseConfig {
  topic: string;
  'max.body.bytes'?: number;
  'dedupe.window.ms': number;
  'dedupe.max.entries': number;
}

/** The parts of a source connector that come straight from its config. */
export function connectorBase(name: string, config: BaseConfig): Pick<SourceConnector, 'name' | 'topics' | 'maxBodyBytes' | 'dedupe'> {
  return {
    name,
    topics: [config.topic],
    maxBodyBytes: config['max.body.bytes'],
    dedupe: { windowMs: config['dedupe.window.ms'], maxEntries: config['dedupe.max.entries'] },
  };
}
