import * as v from 'valibot';
import { crossKeyCheck } from './cross-key-checks.ts';
import { connectorName } from './settings.ts';
import { SinkConfigSchemas } from './sinks.ts';
import { SourceConfigSchemas } from './sources.ts';

export * from './sinks.ts';
export * from './sources.ts';

export const ConnectorConfigSchema = v.pipe(
  v.variant('connector.class', [...SourceConfigSchemas, ...SinkConfigSchemas]),
  crossKeyCheck(),
);

export const ConnectorSchema = v.object({
  name: connectorName,
  config: ConnectorConfigSchema,
});

export const ConnectorsFileSchema = v.pipe(
  v.object({ connectors: v.array(ConnectorSchema) }),
  v.check(
    (file) => new Set(file.connectors.map((c) => c.name)).size === file.connectors.length,
    'connector names must be unique',
  ),
);

export type ConnectorConfig = v.InferOutput<typeof ConnectorConfigSchema>;
export type Connector = v.InferOutput<typeof ConnectorSchema>;
export type ConnectorsFile = v.InferOutput<typeof ConnectorsFileSchema>;
