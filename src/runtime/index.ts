export { WorkerMetrics, type WorkerView } from './metrics.ts';
export { VERSION, Worker, type WorkerOptions } from './worker.ts';
export { createLogger, KnownSecrets, secretValuesOf, type LoggerSettings } from './logger.ts';
export { startTracing, type Tracing } from './tracing.ts';
