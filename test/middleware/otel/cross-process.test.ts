// tsmcp/otel across two processes: a client here (clientTelemetry, the SDK in memory) calls a tsmcp server
// in a child process (serverTelemetry, the SDK writing its spans to a file) over Streamable HTTP on both
// eras and over stdio on both eras; each call is one trace whose server span is the client span's child.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Client } from '../../../src/entries/client.js';
import { McpError } from '../../../src/index.js';
import { clientTelemetry } from '../../../src/middleware/otel/index.js';
import { StreamableHttpClientTransport } from '../../../src/transports/http/index.js';
import { StdioClientTransport } from '../../../src/transports/stdio/index.js';
import { type SpanRecord, setupOtel } from '../../helpers/otel.js';
import { distPath } from '../../helpers/raw-stdio.js';

const otel = setupOtel();
const fixture = distPath('test/fixtures/otel-server.js');
const dir = mkdtempSync(join(tmpdir(), 'tsmcp-otel-'));
const children: ChildProcess[] = [];
const clients: Client[] = [];
after(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  for (const c of children.splice(0)) c.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** The spans the child has written so far. */
function childSpans(file: string): SpanRecord[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SpanRecord);
}

/** The child's span with this parent: it ends just after the answer goes out, so wait for it (bounded). */
async function serverSpanOf(file: string, parentSpanId: string): Promise<SpanRecord> {
  for (let i = 0; i < 200; i++) {
    const span = childSpans(file).find((s) => s.parentSpanId === parentSpanId);
    if (span) return span;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`the server wrote no span whose parent is the client span ${parentSpanId}: ${readFileSafe(file)}`);
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(no spans file)';
  }
}

/** The client span of the last call named `name`. */
function clientSpan(name: string): SpanRecord {
  const span = otel
    .records()
    .filter((s) => s.name === name && s.kind === SpanKind.CLIENT)
    .at(-1);
  assert.ok(span, `no client span named ${name}`);
  return span;
}

async function startHttp(file: string): Promise<string> {
  const child = spawn(process.execPath, [fixture, 'http'], {
    env: { ...process.env, OTEL_SPANS_FILE: file },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) resolve(`http://127.0.0.1:${(JSON.parse(line) as { ready: number }).ready}/mcp`);
    });
    child.once('exit', (code) => reject(new Error(`the otel fixture exited with ${code} before listening`)));
  });
}

const cases: { name: string; carrier: 'http' | 'stdio'; version: 'auto' | 'legacy' }[] = [
  { name: 'Streamable HTTP, 2026-07-28', carrier: 'http', version: 'auto' },
  { name: 'Streamable HTTP, legacy session', carrier: 'http', version: 'legacy' },
  { name: 'stdio, 2026-07-28', carrier: 'stdio', version: 'auto' },
  { name: 'stdio, legacy session', carrier: 'stdio', version: 'legacy' },
];

for (const c of cases) {
  describe(`tsmcp/otel across processes: ${c.name}`, () => {
    const file = join(dir, `${c.carrier}-${c.version}.jsonl`);
    let client: Client;
    before(async () => {
      client = new Client({ name: 'otel-test', version: '1' }, { version: c.version }).use(clientTelemetry());
      clients.push(client);
      if (c.carrier === 'http') {
        await client.connect(new StreamableHttpClientTransport(await startHttp(file), { getStream: false }));
      } else {
        const transport = new StdioClientTransport({
          command: process.execPath,
          args: [fixture],
          env: { OTEL_SPANS_FILE: file },
          stderr: 'inherit',
        });
        await client.connect(transport);
      }
    });

    it('one trace: the server span is the child of the client span, both attributed per the conventions', async () => {
      await client.callTool('echo', { text: 'hi' });
      const cs = clientSpan('tools/call echo');
      const ss = await serverSpanOf(file, cs.spanId);
      assert.equal(ss.traceId, cs.traceId);
      assert.equal(ss.name, 'tools/call echo');
      assert.equal(ss.kind, SpanKind.SERVER);
      assert.equal(ss.status.code, SpanStatusCode.UNSET);
      const version = client.protocolVersion!;
      const network =
        c.carrier === 'http'
          ? { 'network.transport': 'tcp', 'network.protocol.name': 'http' }
          : { 'network.transport': 'pipe' };
      const common = {
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'echo',
        'gen_ai.operation.name': 'execute_tool',
        'mcp.protocol.version': version,
        ...network,
      };
      assert.deepEqual(pick(ss.attributes, Object.keys(common)), common);
      assert.deepEqual(pick(cs.attributes, Object.keys(common)), common);
      // Each side names the request by the id it went out under.
      assert.equal(typeof ss.attributes['jsonrpc.request.id'], 'string');
      assert.equal(cs.attributes['jsonrpc.request.id'], ss.attributes['jsonrpc.request.id']);
      if (c.carrier === 'http') {
        assert.equal(cs.attributes['server.address'], '127.0.0.1');
        assert.equal(typeof cs.attributes['server.port'], 'number');
        assert.equal(ss.attributes['client.address'] !== undefined, true);
      }
      if (c.carrier === 'http' && c.version === 'legacy') {
        assert.match(String(ss.attributes['mcp.session.id']), /^[0-9a-f]{48}$/);
        assert.equal(cs.attributes['mcp.session.id'], ss.attributes['mcp.session.id']);
      } else {
        assert.equal(ss.attributes['mcp.session.id'], undefined);
      }
    });

    it('a handler span is a child of the server span (the context is active in the handler)', async () => {
      await client.callTool('nested', {});
      const cs = clientSpan('tools/call nested');
      const ss = await serverSpanOf(file, cs.spanId);
      const inner = childSpans(file).find((s) => s.name === 'nested work' && s.parentSpanId === ss.spanId);
      assert.ok(inner, 'the handler span is not a child of the server span');
      assert.equal(inner.traceId, cs.traceId);
    });

    it('a JSON-RPC error: both spans carry error.type and rpc.response.status_code, status ERROR', async () => {
      await assert.rejects(client.callTool('fail', {}), (e: unknown) => e instanceof McpError && e.code === -32602);
      const cs = clientSpan('tools/call fail');
      const ss = await serverSpanOf(file, cs.spanId);
      for (const span of [cs, ss]) {
        assert.equal(span.attributes['error.type'], '-32602');
        assert.equal(span.attributes['rpc.response.status_code'], '-32602');
        assert.equal(span.status.code, SpanStatusCode.ERROR);
        assert.equal(span.status.message, 'fail refuses every call');
      }
    });

    it('a tool result with isError is error.type tool_error on both sides', async () => {
      const r = await client.callTool('broken', {});
      assert.equal(r.isError, true);
      const cs = clientSpan('tools/call broken');
      const ss = await serverSpanOf(file, cs.spanId);
      for (const span of [cs, ss]) {
        assert.equal(span.attributes['error.type'], 'tool_error');
        assert.equal(span.attributes['rpc.response.status_code'], undefined);
        assert.equal(span.status.code, SpanStatusCode.ERROR);
      }
    });

    it('resources/read: mcp.resource.uri on both spans, not in the span name', async () => {
      await client.readResource('note://one');
      const cs = clientSpan('resources/read');
      const ss = await serverSpanOf(file, cs.spanId);
      assert.equal(cs.attributes['mcp.resource.uri'], 'note://one');
      assert.equal(ss.attributes['mcp.resource.uri'], 'note://one');
      assert.equal(ss.name, 'resources/read');
    });
  });
}

function pick(attributes: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, attributes[k]]));
}
