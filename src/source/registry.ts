import type { SourceConfig } from '../config/index.ts';
import type { SourceConnector } from './types.ts';
import { createWebhookSource } from './webhook.ts';

/** Builds the source connector a config names by its `connector.class`. */
export function createSourceConnector(name: string, config: SourceConfig): SourceConnector {
  switch (config['connector.class']) {
    case 'webhook':
      return createWebhookSource(name, config);
  }
}
