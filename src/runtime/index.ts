export { Counters } from './metrics.ts';
export { VERSION, Worker, type WorkerOptions } from './worker.ts';
