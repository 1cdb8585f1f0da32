// The client side: one CLIENT span per call (input rounds included), its trace context injected into the
// request's `_meta`, and `mcp.client.operation.duration`.
import { type Attributes, context, SpanKind, trace } from '@opentelemetry/api';
import type { ClientMiddleware } from '../../client/options.js';
import type { JsonObject, RequestId } from '../../protocol/jsonrpc.js';
import type { Transport } from '../../protocol/transport.js';
import { describe, type Failure, failureOf, networkOf, resultFailure } from './attributes.js';
import { metaSetter } from './carrier.js';
import { finish, instruments, type TelemetryOptions } from './instruments.js';

/**
 * Trace and time every call a client makes, and carry its trace context to the server in `_meta`
 * (`traceparent`, `tracestate`, `baggage` with the default propagators), as the OpenTelemetry semantic
 * conventions for MCP say. Install it first (outermost) so the span covers the other middleware.
 * @example client.use(clientTelemetry());
 */
export function clientTelemetry(options: TelemetryOptions = {}): ClientMiddleware {
  const ins = instruments(
    options,
    'mcp.client.operation.duration',
    'MCP request duration as observed on the sender from the time it was sent until the response is received.',
  );
  return async (req, next) => {
    const start = performance.now();
    const d = describe(req.method, req.params, ins.uriInName);
    const conn = req.connection;
    const metric: Attributes = { ...d.common, ...serverOf(conn.transport) };
    if (conn.protocolVersion !== undefined) metric['mcp.protocol.version'] = conn.protocolVersion;
    const attributes: Attributes = { ...metric };
    if (d.resourceUri !== undefined) attributes['mcp.resource.uri'] = d.resourceUri;
    const span = ins.tracer.startSpan(d.name, { kind: SpanKind.CLIENT, attributes });
    const active = trace.setSpan(context.active(), span);
    const meta: Record<string, unknown> = { ...req.options.meta };
    const before = Object.keys(meta).length;
    ins.propagator.inject(active, meta, metaSetter);
    // The id of the first request sent (an input round or a header retry sends another under the same span).
    let id: RequestId | undefined;
    const onid = req.options.onid;
    req.options = {
      ...req.options,
      // No propagator configured: leave `_meta` as it was rather than send an empty one.
      ...(Object.keys(meta).length > before ? { meta } : {}),
      onid: (sent) => {
        id ??= sent;
        onid?.(sent);
      },
    };
    let failure: Failure | undefined;
    try {
      const result: JsonObject = await context.with(active, next);
      failure = resultFailure(req.method, result);
      return result;
    } catch (e) {
      failure = failureOf(e, 'client');
      throw e;
    } finally {
      if (id !== undefined) span.setAttribute('jsonrpc.request.id', String(id));
      const session = conn.sessionId;
      if (session !== undefined) span.setAttribute('mcp.session.id', session);
      finish(span, ins.histogram(), metric, start, failure);
    }
  };
}

/**
 * `network.*` and `server.address`/`server.port` from the transport's `eraCacheKey`, which names the
 * server it reaches (`http:<origin><path>` for Streamable HTTP, `stdio:…` for a spawned process).
 */
function serverOf(transport: Transport | undefined): Attributes {
  const key = transport?.eraCacheKey;
  if (key?.startsWith('stdio:')) return networkOf('stdio');
  if (!key?.startsWith('http:')) return {};
  try {
    const url = new URL(key.slice('http:'.length));
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { ...networkOf('http'), 'server.address': url.hostname.replace(/^\[|\]$/g, ''), 'server.port': port };
  } catch {
    return networkOf('http');
  }
}
