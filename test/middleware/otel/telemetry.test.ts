// tsmcp/otel in one process (server and client on the memory pair or loopback HTTP, the SDK in memory):
// the duration histograms, initialize, the opt-ins, a configured propagator, the ambient link, local errors.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { context, ROOT_CONTEXT, SpanKind, type TextMapPropagator, trace } from '@opentelemetry/api';
import { Client } from '../../../src/entries/client.js';
import { McpServer } from '../../../src/entries/server.js';
import type { Meta } from '../../../src/index.js';
import { clientTelemetry, serverTelemetry, type TelemetryOptions } from '../../../src/middleware/otel/index.js';
import { StreamableHttpClientTransport } from '../../../src/transports/http/index.js';
import { createNodeHandler } from '../../../src/transports/http/node.js';
import { createLinkedPair } from '../../../src/transports/memory/index.js';
import { listenNode } from '../../helpers/listen.js';
import { setupOtel } from '../../helpers/otel.js';

const otel = setupOtel();
const clients: Client[] = [];
after(async () => {
  for (const c of clients.splice(0)) await c.close();
});

function demo(options?: TelemetryOptions): { server: McpServer; seen: Meta[] } {
  const seen: Meta[] = [];
  const server = new McpServer({ name: 'otel', version: '1' }).use(serverTelemetry(options));
  server.use(async (req, next) => {
    seen.push(req.meta);
    return next();
  });
  server.registerTool('echo', {}, () => ({ content: [{ type: 'text', text: 'ok' }] }));
  server.registerResource('note', 'note://one', {}, () => ({ contents: [{ uri: 'note://one', text: 'one' }] }));
  return { server, seen };
}

async function pair(server: McpServer, client: Client): Promise<Client> {
  const [ct, st] = createLinkedPair();
  await server.connect(st);
  await client.connect(ct);
  clients.push(client);
  return client;
}

describe('tsmcp/otel metrics', () => {
  it('records mcp.server.operation.duration and mcp.client.operation.duration (unit s) with the span attributes', async () => {
    const { server } = demo({ meterProvider: otel.meterProvider });
    const client = await pair(
      server,
      new Client({ name: 'c', version: '1' }).use(clientTelemetry({ meterProvider: otel.meterProvider })),
    );
    await client.callTool('echo');
    await assert.rejects(client.callTool('missing'));
    const serverPoints = await otel.histogram('mcp.server.operation.duration');
    const clientPoints = await otel.histogram('mcp.client.operation.duration');
    for (const points of [serverPoints, clientPoints]) {
      const ok = points.find((p) => p.attributes['gen_ai.tool.name'] === 'echo');
      assert.ok(ok, JSON.stringify(points));
      assert.equal(ok.count, 1);
      assert.deepEqual(ok.attributes, {
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'echo',
        'gen_ai.operation.name': 'execute_tool',
        'mcp.protocol.version': '2026-07-28',
      });
      const failed = points.find((p) => p.attributes['gen_ai.tool.name'] === 'missing');
      assert.ok(failed?.attributes['error.type'], JSON.stringify(points));
      assert.equal(failed.attributes['rpc.response.status_code'], failed.attributes['error.type']);
      // High-cardinality values stay on spans.
      for (const p of points) {
        assert.equal(p.attributes['jsonrpc.request.id'], undefined);
        assert.equal(p.attributes['mcp.session.id'], undefined);
      }
    }
    const [metric] = otel.metrics
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === 'mcp.client.operation.duration');
    assert.equal(metric?.descriptor.unit, 's');
  });
});

describe('tsmcp/otel spans', () => {
  it('initialize over a legacy HTTP session: its span gets the agreed protocol version from the answer', async () => {
    otel.spans.reset();
    const { server } = demo();
    const port = await listenNode(createNodeHandler(server));
    const client = new Client({ name: 'c', version: '1' }, { version: '2025-11-25' });
    await client.connect(new StreamableHttpClientTransport(`http://127.0.0.1:${port}/mcp`, { getStream: false }));
    clients.push(client);
    const init = otel.records().find((s) => s.name === 'initialize' && s.kind === SpanKind.SERVER);
    assert.ok(init, 'no initialize span');
    assert.equal(init.attributes['mcp.protocol.version'], '2025-11-25');
    assert.equal(init.attributes['network.transport'], 'tcp');
  });

  it('resourceUriInSpanName opts in to `resources/read <uri>`', async () => {
    otel.spans.reset();
    const { server } = demo({ resourceUriInSpanName: true });
    const client = await pair(
      server,
      new Client({ name: 'c', version: '1' }).use(clientTelemetry({ resourceUriInSpanName: true })),
    );
    await client.readResource('note://one');
    const names = otel.records().map((s) => `${s.kind}:${s.name}`);
    assert.ok(names.includes(`${SpanKind.SERVER}:resources/read note://one`), names.join());
    assert.ok(names.includes(`${SpanKind.CLIENT}:resources/read note://one`), names.join());
  });

  it('honours the propagator it is given: its keys go into _meta and back out', async () => {
    otel.spans.reset();
    const keys: string[] = [];
    const custom: TextMapPropagator = {
      inject: (ctx, carrier, setter) => {
        const sc = trace.getSpanContext(ctx);
        if (sc) setter.set(carrier, 'com.example/trace', `${sc.traceId}:${sc.spanId}`);
      },
      extract: (ctx, carrier, getter) => {
        keys.push(...getter.keys(carrier));
        const v = getter.get(carrier, 'com.example/trace');
        if (typeof v !== 'string') return ctx;
        const [traceId, spanId] = v.split(':') as [string, string];
        return trace.setSpanContext(ctx, { traceId, spanId, traceFlags: 1, isRemote: true });
      },
      fields: () => ['com.example/trace'],
    };
    const { server, seen } = demo({ propagator: custom });
    const client = await pair(
      server,
      new Client({ name: 'c', version: '1' }).use(clientTelemetry({ propagator: custom })),
    );
    await client.callTool('echo');
    const meta = seen.at(-1)!;
    assert.equal(typeof meta['com.example/trace'], 'string');
    assert.equal(meta.traceparent, undefined, 'the global W3C propagator was used instead of the given one');
    assert.ok(keys.includes('com.example/trace'));
    const cs = otel.records().find((s) => s.kind === SpanKind.CLIENT && s.name === 'tools/call echo')!;
    const ss = otel.records().find((s) => s.kind === SpanKind.SERVER && s.name === 'tools/call echo')!;
    assert.equal(ss.parentSpanId, cs.spanId);
  });

  it('adds nothing to _meta when no propagator is configured (the API default is a no-op)', async () => {
    const { server, seen } = demo();
    const noop: TextMapPropagator = { inject: () => {}, extract: (ctx) => ctx, fields: () => [] };
    const client = await pair(
      server,
      new Client({ name: 'c', version: '1' }, { version: '2025-11-25' }).use(clientTelemetry({ propagator: noop })),
    );
    await client.callTool('echo');
    assert.deepEqual(seen.at(-1), {});
  });

  it('a span active around the server (e.g. an HTTP server span) is linked, the client span stays the parent', async () => {
    otel.spans.reset();
    const outer = trace.getTracer('test').startSpan('transport');
    // A middleware outside the telemetry makes `outer` the ambient span, as a transport instrumentation would.
    const server = new McpServer({ name: 'otel', version: '1' })
      .use((_req, next) => context.with(trace.setSpan(ROOT_CONTEXT, outer), next))
      .use(serverTelemetry());
    server.registerTool('echo', {}, () => ({ content: [{ type: 'text', text: 'ok' }] }));
    const client = await pair(server, new Client({ name: 'c', version: '1' }).use(clientTelemetry()));
    await client.callTool('echo');
    outer.end();
    const cs = otel.records().find((s) => s.kind === SpanKind.CLIENT && s.name === 'tools/call echo')!;
    const ss = otel.records().find((s) => s.kind === SpanKind.SERVER && s.name === 'tools/call echo')!;
    assert.equal(ss.parentSpanId, cs.spanId);
    assert.equal(ss.traceId, cs.traceId);
    assert.deepEqual(ss.links, [outer.spanContext().spanId]);
  });

  it('over the memory pair the ambient span is the client span itself: no link to it', async () => {
    otel.spans.reset();
    const { server } = demo();
    const client = await pair(server, new Client({ name: 'c', version: '1' }).use(clientTelemetry()));
    await client.callTool('echo');
    const ss = otel.records().find((s) => s.kind === SpanKind.SERVER && s.name === 'tools/call echo')!;
    assert.deepEqual(ss.links, []);
  });

  it('a local failure on the client is typed by its TSMCP_ code, with no rpc.response.status_code', async () => {
    otel.spans.reset();
    const client = new Client({ name: 'c', version: '1' }).use(clientTelemetry());
    await assert.rejects(client.callTool('echo'), { code: 'TSMCP_NOT_CONNECTED' });
    const [cs] = otel.records();
    assert.equal(cs?.attributes['error.type'], 'TSMCP_NOT_CONNECTED');
    assert.equal(cs?.attributes['rpc.response.status_code'], undefined);
    assert.equal(cs?.attributes['jsonrpc.request.id'], undefined);
  });

  it('the W3C keys travel unprefixed in _meta (traceparent), as the convention says', async () => {
    const { server, seen } = demo();
    const client = await pair(server, new Client({ name: 'c', version: '1' }).use(clientTelemetry()));
    await client.callTool('echo');
    assert.match(String(seen.at(-1)?.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
