export { createApp, type AppDeps, type ConnectorView } from './app.ts';
export { ingestRoutes, type IngestDeps } from './ingest.ts';
