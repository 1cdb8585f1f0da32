// The options both telemetry middlewares take, and the tracer, histogram and propagator they resolve to.
import {
  type Attributes,
  type Histogram,
  type MeterProvider,
  metrics,
  propagation,
  type Span,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { DURATION_BUCKETS, type Failure } from './attributes.js';

/** The instrumentation scope every span and metric is reported under. */
export const SCOPE = 'tsmcp';

export interface TelemetryOptions {
  /** Where spans go. Default: the global tracer provider (`trace.setGlobalTracerProvider`, an SDK's `register()`). */
  tracerProvider?: TracerProvider;
  /** Where the duration histogram goes. Default: the global meter provider, looked up per request until one is set. */
  meterProvider?: MeterProvider;
  /**
   * How trace context is written into and read from `_meta`. Default: the global propagator
   * (`propagation.setGlobalPropagator`; an SDK registers W3C Trace Context and Baggage).
   */
  propagator?: TextMapPropagator;
  /**
   * Opt in to `{method} {uri}` span names for `resources/read`, `resources/subscribe` and
   * `resources/unsubscribe` (the convention's default leaves URIs out: one name per resource is high cardinality).
   */
  resourceUriInSpanName?: boolean;
}

/** The pieces one middleware records with. */
export interface Instruments {
  readonly tracer: Tracer;
  readonly propagator: Pick<TextMapPropagator, 'inject' | 'extract'>;
  /** The histogram, from the provider in force now (a global one may be set after the middleware). */
  histogram(): Histogram;
  readonly uriInName: boolean;
}

export function instruments(options: TelemetryOptions, metric: string, description: string): Instruments {
  // The global tracer provider is a proxy that follows a later registration; the meter provider is not.
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  let provider: MeterProvider | undefined;
  let histogram: Histogram | undefined;
  return {
    tracer,
    propagator: options.propagator ?? propagation,
    uriInName: options.resourceUriInSpanName === true,
    histogram() {
      const now = options.meterProvider ?? metrics.getMeterProvider();
      if (now !== provider || histogram === undefined) {
        provider = now;
        histogram = now.getMeter(SCOPE).createHistogram(metric, {
          description,
          unit: 's',
          advice: { explicitBucketBoundaries: DURATION_BUCKETS },
        });
      }
      return histogram;
    },
  };
}

/** End a span and record its duration: status ERROR with the JSON-RPC message when it failed. */
export function finish(
  span: Span,
  histogram: Histogram,
  metricAttributes: Attributes,
  startMs: number,
  failure: Failure | undefined,
): void {
  const attributes: Attributes = { ...metricAttributes };
  if (failure) {
    attributes['error.type'] = failure.type;
    if (failure.code !== undefined) attributes['rpc.response.status_code'] = failure.code;
    span.setAttributes({
      'error.type': failure.type,
      ...(failure.code === undefined ? {} : { 'rpc.response.status_code': failure.code }),
    });
    span.setStatus(
      failure.message === undefined
        ? { code: SpanStatusCode.ERROR }
        : { code: SpanStatusCode.ERROR, message: failure.message },
    );
  }
  span.end();
  histogram.record((performance.now() - startMs) / 1000, attributes);
}
