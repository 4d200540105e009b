import type { SourceConfig } from '../config/index.ts';
import { createDebeziumSource } from './debezium.ts';
import { createGithubSource } from './github.ts';
import { createStandardWebhooksSource } from './standard-webhooks.ts';
import { createStripeSource } from './stripe.ts';
import type { SourceConnector } from './types.ts';
import { createWebhookSource } from './webhook.ts';

/** Builds the source connector a config names by its `connector.class`. */
export function createSourceConnector(name: string, config: SourceConfig): SourceConnector {
  return { ...connectorFor(name, config), exactlyOnce: config['exactly.once.support'] === 'required' };
}

function connectorFor(name: string, config: SourceConfig): SourceConnector {
  switch (config['connector.class']) {
    case 'webhook':
      return createWebhookSource(name, config);
    case 'standard-webhooks':
      return createStandardWebhooksSource(name, config);
    case 'stripe':
      return createStripeSource(name, config);
    case 'github':
      return createGithubSource(name, config);
    case 'debezium':
      return createDebeziumSource(name, config);
  }
}
