// OpenTelemetry's SDK, set up by the entry point only when an OTLP endpoint is configured. Until
// then (and without one) src/trace's tracer is the API's no-op: spans cost a call and record
// nothing. The SDK reads the standard OTEL_* variables itself: the exporter its endpoint, headers,
// timeout and compression; the provider OTEL_TRACES_SAMPLER and the span limits; the batch
// processor OTEL_BSP_*; the env detector OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
import { diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { WorkerEnv } from '../config/index.ts';
import type { Log } from '../log/index.ts';

export interface Tracing {
  /** Exports the spans still queued, then stops: the last step of a drain. */
  shutdown(): Promise<void>;
}

export interface TracingSettings {
  env: Pick<WorkerEnv, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SDK_DISABLED'>;
  version: string;
  /** Where the SDK's own complaints go (an export that failed, a bad OTEL_* value). */
  log: Log;
}

/** Registers the SDK as the global tracer provider when an OTLP endpoint is set; undefined otherwise. */
export function startTracing({ env, version, log }: TracingSettings): Tracing | undefined {
  if (env.OTEL_SDK_DISABLED || (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) return undefined;
  const otel = log.child({ component: 'opentelemetry' });
  // The SDK reports through `diag`, which is silent unless given a logger.
  diag.setLogger(
    {
      error: (message, ...args) => otel.warn({ args }, message),
      warn: (message, ...args) => otel.warn({ args }, message),
      info: (message, ...args) => otel.info({ args }, message),
      debug: (message, ...args) => otel.debug({ args }, message),
      verbose: (message, ...args) => otel.debug({ args }, message),
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win over Inlet's own name.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'inlet', [ATTR_SERVICE_VERSION]: version }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown().catch((error: Error) => otel.warn({ err: error }, `spans could not be exported at shutdown: ${error.message}`));
      trace.disable();
    },
  };
}
