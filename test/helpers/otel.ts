// The OpenTelemetry SDK set up in memory for the telemetry tests: spans to an in-memory exporter (or a
// JSON-lines file, for a child process), metrics to an in-memory metric exporter, AsyncLocalStorage
// context, W3C Trace Context and Baggage propagation, all registered as the globals.
import { appendFileSync } from 'node:fs';
import { context, propagation, type SpanContext, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  type ExportResult,
  ExportResultCode,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

/** A finished span as plain JSON: what a child process writes and the tests compare. */
export interface SpanRecord {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  links: string[];
}

export function toRecord(span: ReadableSpan): SpanRecord {
  const ctx: SpanContext = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    attributes: { ...span.attributes },
    status: { ...span.status },
    links: span.links.map((l) => l.context.spanId),
  };
}

/** Appends each finished span to a file as one JSON line, synchronously (nothing lost at exit). */
class FileSpanExporter implements SpanExporter {
  constructor(private readonly path: string) {}
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    for (const s of spans) appendFileSync(this.path, `${JSON.stringify(toRecord(s))}\n`);
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

export interface Otel {
  readonly spans: InMemorySpanExporter;
  readonly metrics: InMemoryMetricExporter;
  readonly meterProvider: MeterProvider;
  /** The spans finished so far, as records. */
  records(): SpanRecord[];
  /** Every `name` data point of the histogram: attributes and count. */
  histogram(name: string): Promise<{ attributes: Record<string, unknown>; count: number }[]>;
}

/** Register the SDK as the process's globals; spans also go to `spansFile` when given. */
export function setupOtel(spansFile?: string): Otel {
  const spans = new InMemorySpanExporter();
  const processors = [new SimpleSpanProcessor(spans)];
  if (spansFile) processors.push(new SimpleSpanProcessor(new FileSpanExporter(spansFile)));
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: processors }));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exported only on forceFlush (the interval never comes round in a test).
  const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    spans,
    metrics,
    meterProvider,
    records: () => spans.getFinishedSpans().map(toRecord),
    async histogram(name) {
      await meterProvider.forceFlush();
      const last = metrics.getMetrics().at(-1);
      const points = [];
      for (const scope of last?.scopeMetrics ?? [])
        for (const m of scope.metrics)
          if (m.descriptor.name === name)
            for (const p of m.dataPoints)
              points.push({ attributes: { ...p.attributes }, count: (p.value as { count: number }).count });
      return points;
    },
  };
}
