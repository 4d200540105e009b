export * from './connector-config.ts';
export { ConfigError, readWorkerEnv, WorkerEnvSchema, type WorkerEnv } from './env.ts';
export { formatIssues, toFieldIssues, type FieldIssue } from './issues.ts';
export { parseConnectorsFile, parseConnectorsJson, readDeclaredConnectors, type DeclaredConnector } from './load.ts';
export { HIDDEN, isSecretKey, redactSecrets, redactUrlPasswords, resolveSecretReferences, urlPasswords, type EnvAccess, type Environment } from './secrets.ts';
export { envAllowlist, keepStoredValues, restEnvAccess, shownValue, type RequestedConfig } from './rest-config.ts';
export { checkConnectorConfig, checkConnectorName, connectorPlugins, validateConnectorConfig, type ConnectorCheck, type TransformKeyCheck } from './validate.ts';
export { readTransformsConfig, type KeyIssue, type PredicateConfig, type TransformsConfig, type TransformStageConfig } from './transforms.ts';
export { anyListSetting, boolSetting } from './settings.ts';
