// A server and a client in one process, both traced, the spans printed: one trace, the server's span a
// child of the client's. In production, register your SDK (e.g. @opentelemetry/sdk-node) instead.
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { clientTelemetry, serverTelemetry } from 'tsmcp/otel';
import { McpServer } from 'tsmcp/server';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const server = new McpServer({ name: 'weather', version: '1.0.0' }).use(serverTelemetry());
server.registerTool('forecast', {}, () => ({ content: [{ type: 'text', text: 'sunny' }] }));
const client = new Client({ name: 'app', version: '1.0.0' }).use(clientTelemetry());

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
await client.connect(clientSide);
await client.callTool('forecast');
await client.close();

for (const span of exporter.getFinishedSpans()) {
  const { traceId, spanId } = span.spanContext();
  const parent = span.parentSpanContext?.spanId ?? '-';
  console.log(`${SpanKind[span.kind]} ${span.name} trace=${traceId} span=${spanId} parent=${parent}`, span.attributes);
}
// SERVER server/discover trace=1a33… span=ee9f… parent=- { 'mcp.method.name': 'server/discover', … }
// SERVER tools/call forecast trace=9fbe… span=9d98… parent=5dc0… { 'gen_ai.tool.name': 'forecast', … }
// CLIENT tools/call forecast trace=9fbe… span=5dc0… parent=- { 'gen_ai.tool.name': 'forecast', … }
