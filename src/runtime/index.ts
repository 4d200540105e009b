export { Counters } from './metrics.ts';
export { VERSION, Worker, type SeedConnector, type WorkerOptions } from './worker.ts';
