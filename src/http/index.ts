export { createApp, type AppDeps } from './app.ts';
export { createStartingApp } from './starting-app.ts';
export type { NotReadyReason } from './probes.ts';
export * from './herder.ts';
export { connectorsApi } from './connectors-api.ts';
export { ingestRoutes, type IngestDeps } from './ingest.ts';
export { default as edgeApp, checkEdgeBindings, type EdgeBindings } from './edge.ts';
