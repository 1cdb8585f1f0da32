// The server side: one SERVER span per request, a child of the trace context the client put in `_meta`
// (the ambient context, e.g. an HTTP server span, is linked), and `mcp.server.operation.duration`.
import { type Attributes, context, type Link, SpanKind, trace } from '@opentelemetry/api';
import type { JsonObject } from '../../protocol/jsonrpc.js';
import type { Middleware } from '../../server/middleware.js';
import { describe, type Failure, failureOf, networkOf, resultFailure } from './attributes.js';
import { metaGetter } from './carrier.js';
import { finish, instruments, type TelemetryOptions } from './instruments.js';

/**
 * Trace and time every request a server answers, as the OpenTelemetry semantic conventions for MCP say.
 * Install it first (outermost) so the span covers the other middleware.
 * @example server.use(serverTelemetry());
 */
export function serverTelemetry(options: TelemetryOptions = {}): Middleware {
  const ins = instruments(
    options,
    'mcp.server.operation.duration',
    'MCP request duration as observed on the receiver from the time it was received until the result is sent.',
  );
  return async (req, next) => {
    const start = performance.now();
    const d = describe(req.method, req.params, ins.uriInName);
    const ambient = context.active();
    const parent = ins.propagator.extract(ambient, req.meta ?? {}, metaGetter);
    // The client's span is the parent whatever the carrier; the transport's own span, if any, is a link.
    // (In one process, e.g. over the memory pair, the ambient span may be that client span itself: no link.)
    const ambientSpan = trace.getSpanContext(ambient);
    const parentSpan = trace.getSpanContext(parent);
    const links: Link[] =
      ambientSpan && trace.isSpanContextValid(ambientSpan) && ambientSpan.spanId !== parentSpan?.spanId
        ? [{ context: ambientSpan }]
        : [];
    const metric: Attributes = { ...d.common, ...networkOf(req.identity.transport) };
    if (req.protocolVersion !== undefined) metric['mcp.protocol.version'] = req.protocolVersion;
    const attributes: Attributes = { ...metric, 'jsonrpc.request.id': String(req.requestId) };
    if (d.resourceUri !== undefined) attributes['mcp.resource.uri'] = d.resourceUri;
    const session = req.identity.header?.('mcp-session-id');
    if (session) attributes['mcp.session.id'] = session;
    if (req.identity.remoteAddress) attributes['client.address'] = req.identity.remoteAddress;
    const span = ins.tracer.startSpan(d.name, { kind: SpanKind.SERVER, attributes, links }, parent);
    let failure: Failure | undefined;
    try {
      const result: JsonObject = await context.with(trace.setSpan(parent, span), next);
      // initialize is the one request whose version is known only from its answer.
      if (req.protocolVersion === undefined && typeof result.protocolVersion === 'string') {
        metric['mcp.protocol.version'] = result.protocolVersion;
        span.setAttribute('mcp.protocol.version', result.protocolVersion);
      }
      failure = resultFailure(req.method, result);
      return result;
    } catch (e) {
      failure = failureOf(e, 'server');
      throw e;
    } finally {
      finish(span, ins.histogram(), metric, start, failure);
    }
  };
}
