export { parseBody, type BodyError, type ParsedBody } from './body.ts';
export { DedupeWindow, type Claim, type DedupeWindowOptions } from './dedupe-window.ts';
export { UnavailableError } from './errors.ts';
export { SourceWriter } from './source-writer.ts';
export * from './types.ts';
export { createSourceConnector } from './registry.ts';
export { createWebhookSource, SOURCE_HEADERS } from './webhook.ts';
