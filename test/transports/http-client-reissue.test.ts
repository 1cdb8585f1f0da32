// 2026-07-28 has no stream resumption: a response stream that breaks before the answer loses the request,
// and the client re-issues it as a new request with a new id (SEP-2575), a bounded number of times, with
// backoff, and never once the caller gave up.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { Client, TsmcpError } from '../../src/entries/client.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

interface Call {
  id: number | string;
  progressToken: unknown;
}
type Drop = (res: ServerResponse, call: Call, n: number) => boolean;

const META = { 'io.modelcontextprotocol/serverInfo': { name: 'raw', version: '1' } };

/** A modern raw server; `drop(res, call, n)` may break the n-th tools/call (from 0) and return true. */
async function rawServer(drop: Drop): Promise<{ url: string; calls: Call[]; close: () => Promise<void> }> {
  const calls: Call[] = [];
  const http: HttpServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const msg = JSON.parse(body) as {
        id: number | string;
        method: string;
        params: { _meta?: { progressToken?: unknown } };
      };
      const json = (v: unknown) =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: v }));
      if (msg.method === 'server/discover')
        return json({
          resultType: 'complete',
          supportedVersions: ['2026-07-28'],
          capabilities: { tools: {} },
          ttlMs: 0,
          cacheScope: 'private',
          _meta: META,
        });
      if (msg.method === 'tools/list')
        return json({ resultType: 'complete', tools: [], ttlMs: 0, cacheScope: 'private', _meta: META });
      const call = { id: msg.id, progressToken: msg.params._meta?.progressToken };
      calls.push(call);
      if (drop(res, call, calls.length - 1)) return;
      json({ resultType: 'complete', content: [{ type: 'text', text: `answered ${String(msg.id)}` }], _meta: META });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`,
    calls,
    close: async () => {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    },
  };
}

/** The start of an SSE stream: a progress notification when the call asked for progress, else a comment. */
const begin = (res: ServerResponse, call: Call) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (call.progressToken === undefined) res.write(': working\n\n');
  else
    res.write(
      `data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: call.progressToken, progress: 1 } })}\n\n`,
    );
};
/** An SSE stream that begins, then the connection goes. */
const dropSse: Drop = (res, call) => {
  begin(res, call);
  setImmediate(() => res.destroy());
  return true;
};
/** A JSON body cut in the middle. */
const dropJson: Drop = (res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
  res.write('{"jsonrpc":"2.0","id":');
  setImmediate(() => res.destroy());
  return true;
};

async function connect(url: string, options: ConstructorParameters<typeof StreamableHttpClientTransport>[1]) {
  const recorder = new WireRecorder();
  const client = new Client({ name: 'c', version: '1' }, { version: '2026-07-28' });
  await client.connect(recordTransport(new StreamableHttpClientTransport(url, options), recorder, 'client'));
  return { client, recorder };
}

describe('HTTP client: a dropped 2026-07-28 response stream', () => {
  for (const [kind, drop] of [
    ['SSE', dropSse],
    ['JSON', dropJson],
  ] as const) {
    it(`re-issues a request whose ${kind} response broke, under a new id`, async () => {
      const server = await rawServer((res, call, n) => n === 0 && drop(res, call, n));
      const { client, recorder } = await connect(server.url, { reissue: { initialDelayMs: 1 } });
      let progress = 0;
      const r = await client.callTool('t', {}, { onprogress: () => progress++ });
      assert.equal(server.calls.length, 2);
      assert.notEqual(server.calls[1]!.id, server.calls[0]!.id, 'a new request id');
      assert.deepEqual(r.content, [{ type: 'text', text: `answered ${String(server.calls[1]!.id)}` }]);
      if (kind === 'SSE') assert.equal(progress, 1);
      recorder.assertClean();
      await client.close();
      await server.close();
    });
  }

  it('gives up with a typed error after maxReissues', async () => {
    const server = await rawServer(dropSse);
    const { client, recorder } = await connect(server.url, { reissue: { maxReissues: 2, initialDelayMs: 1 } });
    await assert.rejects(
      client.callTool('t'),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_HTTP' && /maxReissues/.test(e.message),
    );
    assert.equal(server.calls.length, 3, 'the request and two re-issues');
    assert.equal(new Set(server.calls.map((c) => c.id)).size, 3);
    // The connection still serves.
    await client.listTools();
    recorder.assertClean();
    await client.close();
    await server.close();
  });

  it("stops re-issuing when the caller's timeout ends the call", async () => {
    const server = await rawServer(dropSse);
    const { client, recorder } = await connect(server.url, {
      reissue: { maxReissues: 1_000_000, initialDelayMs: 2, maxDelayMs: 2 },
    });
    await assert.rejects(
      client.callTool('t', {}, { timeoutMs: 150 }),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_TIMEOUT',
    );
    const atTimeout = server.calls.length;
    assert.ok(atTimeout >= 2, `re-issued within the timeout (${atTimeout} tries)`);
    await new Promise((r) => setTimeout(r, 50));
    await client.listTools();
    assert.ok(server.calls.length <= atTimeout + 1, 'at most the try in flight at the timeout, nothing after');
    recorder.assertClean();
    await client.close();
    await server.close();
  });

  it('does not re-issue once the caller aborted', async () => {
    const server = await rawServer((res, call) => {
      begin(res, call);
      return true; // held open until the client goes
    });
    const { client, recorder } = await connect(server.url, { reissue: { initialDelayMs: 1 } });
    const controller = new AbortController();
    await assert.rejects(
      client.callTool('t', {}, { signal: controller.signal, onprogress: () => controller.abort() }),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CANCELLED',
    );
    // Let any (wrong) re-issue happen: several backoff periods, then another request over the same client.
    await new Promise((r) => setTimeout(r, 50));
    await client.listTools();
    assert.equal(server.calls.length, 1);
    recorder.assertClean();
    await client.close();
    await server.close();
  });
});
