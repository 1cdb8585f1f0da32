// The 2026-07-28 HTTP client mirrors x-mcp-header arguments into Mcp-Param-* headers (base64 where the
// value is not plain ASCII), drops tools with invalid annotations, and recovers from a -32020 on a tool
// it had not listed yet by refreshing that tool's definition and retrying once.
import assert from 'node:assert/strict';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client, McpError } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

interface Seen {
  method: string;
  headers: IncomingHttpHeaders;
}

/** A tsmcp server (one tool per page, the annotated tools last) behind a tap that notes each POST. */
function build(): McpServer {
  const server = new McpServer({ name: 'headers', version: '1' }, { pageSize: 1 });
  for (const n of ['a', 'b', 'c']) server.registerTool(n, { inputSchema: { type: 'object' } }, () => ({ content: [] }));
  server.registerTool(
    'zz_region',
    {
      inputSchema: {
        type: 'object',
        properties: {
          region: { type: 'string', 'x-mcp-header': 'Region' },
          count: { type: 'integer', 'x-mcp-header': 'Count' },
          dry: { type: 'boolean', 'x-mcp-header': 'Dry' },
        },
      },
    },
    (args) => ({ content: [{ type: 'text', text: `region=${String(args.region)}` }] }),
  );
  return server;
}

describe('HTTP client: Mcp-Param-* headers', () => {
  let http: HttpServer;
  let url: string;
  const seen: Seen[] = [];
  before(async () => {
    const handler = createNodeHandler(build());
    http = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'POST') seen.push({ method: String(req.headers['mcp-method']), headers: req.headers });
      handler(req, res);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  async function connect(): Promise<{ client: Client; recorder: WireRecorder }> {
    const recorder = new WireRecorder();
    const client = new Client({ name: 'c', version: '1' }, { version: '2026-07-28' });
    await client.connect(recordTransport(new StreamableHttpClientTransport(url), recorder, 'client'));
    return { client, recorder };
  }

  it('refreshes an unlisted tool after -32020 and retries once with its headers', async () => {
    const { client, recorder } = await connect();
    seen.length = 0;
    const r = await client.callTool('zz_region', { region: 'eu', count: 7, dry: true });
    assert.deepEqual(r.content, [{ type: 'text', text: 'region=eu' }]);
    const calls = seen.filter((s) => s.method === 'tools/call');
    assert.equal(calls.length, 2, 'the first call is refused, the retry goes through');
    assert.equal(calls[0]!.headers['mcp-param-region'], undefined);
    assert.equal(calls[1]!.headers['mcp-param-region'], 'eu');
    assert.equal(calls[1]!.headers['mcp-param-count'], '7');
    assert.equal(calls[1]!.headers['mcp-param-dry'], 'true');
    assert.equal(
      seen.filter((s) => s.method === 'tools/list').length,
      4,
      'paged (one tool per page) until the tool was found',
    );
    // Known now: the next call needs no refresh.
    seen.length = 0;
    await client.callTool('zz_region', { region: 'us' });
    assert.deepEqual(
      seen.map((s) => s.method),
      ['tools/call'],
    );
    recorder.assertClean();
    await client.close();
  });

  it('encodes a value that is not plain ASCII as =?base64?…?=', async () => {
    const { client, recorder } = await connect();
    await client.listAllTools();
    seen.length = 0;
    const region = 'Zürich ';
    const r = await client.callTool('zz_region', { region });
    assert.deepEqual(r.content, [{ type: 'text', text: `region=${region}` }]);
    assert.deepEqual(
      seen.map((s) => s.method),
      ['tools/call'],
    );
    assert.equal(seen[0]!.headers['mcp-param-region'], `=?base64?${Buffer.from(region, 'utf8').toString('base64')}?=`);
    // A value that merely looks like the sentinel is encoded too, so the server cannot misread it.
    seen.length = 0;
    await client.callTool('zz_region', { region: '=?base64?eA==?=' });
    assert.equal(
      seen[0]!.headers['mcp-param-region'],
      `=?base64?${Buffer.from('=?base64?eA==?=').toString('base64')}?=`,
    );
    recorder.assertClean();
    await client.close();
  });

  it('fails for good on a second -32020', async () => {
    // A server that refuses every call with -32020 (an intermediary, say): one refresh, one retry, then the error.
    let calls = 0;
    let lists = 0;
    const raw = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const msg = JSON.parse(body) as { id: number; method: string };
        const json = (status: number, v: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
        const meta = { 'io.modelcontextprotocol/serverInfo': { name: 'raw', version: '1' } };
        if (msg.method === 'server/discover')
          return json(200, {
            jsonrpc: '2.0',
            id: msg.id,
            result: {
              resultType: 'complete',
              supportedVersions: ['2026-07-28'],
              capabilities: { tools: {} },
              ttlMs: 0,
              cacheScope: 'private',
              _meta: meta,
            },
          });
        if (msg.method === 'tools/list') {
          lists++;
          const tool = {
            name: 't',
            inputSchema: { type: 'object', properties: { k: { type: 'string', 'x-mcp-header': 'K' } } },
          };
          return json(200, {
            jsonrpc: '2.0',
            id: msg.id,
            result: { resultType: 'complete', tools: [tool], ttlMs: 0, cacheScope: 'private', _meta: meta },
          });
        }
        calls++;
        json(400, { jsonrpc: '2.0', id: msg.id, error: { code: -32020, message: 'Header mismatch: Mcp-Param-K' } });
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const recorder = new WireRecorder();
    const client = new Client({ name: 'c', version: '1' }, { version: '2026-07-28' });
    await client.connect(
      recordTransport(
        new StreamableHttpClientTransport(`http://127.0.0.1:${(raw.address() as { port: number }).port}/mcp`),
        recorder,
        'client',
      ),
    );
    await assert.rejects(client.callTool('t', { k: 'v' }), (e: unknown) => e instanceof McpError && e.code === -32020);
    assert.equal(calls, 2);
    assert.equal(lists, 1);
    recorder.assertClean();
    await client.close();
    raw.closeAllConnections();
    await new Promise((r) => raw.close(r));
  });

  it('drops a listed tool whose x-mcp-header annotations are invalid', async () => {
    const raw = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const msg = JSON.parse(body) as { id: number; method: string };
        const meta = { 'io.modelcontextprotocol/serverInfo': { name: 'raw', version: '1' } };
        const result =
          msg.method === 'server/discover'
            ? {
                resultType: 'complete',
                supportedVersions: ['2026-07-28'],
                capabilities: { tools: {} },
                ttlMs: 0,
                cacheScope: 'private',
                _meta: meta,
              }
            : {
                resultType: 'complete',
                ttlMs: 0,
                cacheScope: 'private',
                _meta: meta,
                tools: [
                  {
                    name: 'good',
                    inputSchema: { type: 'object', properties: { k: { type: 'string', 'x-mcp-header': 'K' } } },
                  },
                  {
                    name: 'space',
                    inputSchema: { type: 'object', properties: { k: { type: 'string', 'x-mcp-header': 'Bad Name' } } },
                  },
                  {
                    name: 'twice',
                    inputSchema: {
                      type: 'object',
                      properties: {
                        a: { type: 'string', 'x-mcp-header': 'X' },
                        b: { type: 'string', 'x-mcp-header': 'x' },
                      },
                    },
                  },
                  {
                    name: 'object',
                    inputSchema: { type: 'object', properties: { o: { type: 'object', 'x-mcp-header': 'O' } } },
                  },
                  {
                    name: 'nested',
                    inputSchema: {
                      type: 'object',
                      properties: { o: { type: 'object', properties: { n: { type: 'string', 'x-mcp-header': 'N' } } } },
                    },
                  },
                ],
              };
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const problems: string[] = [];
    const recorder = new WireRecorder();
    const client = new Client(
      { name: 'c', version: '1' },
      { version: '2026-07-28', onprotocolerror: (e) => problems.push(e.message) },
    );
    await client.connect(
      recordTransport(
        new StreamableHttpClientTransport(`http://127.0.0.1:${(raw.address() as { port: number }).port}/mcp`),
        recorder,
        'client',
      ),
    );
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['good'],
    );
    assert.equal(problems.length, 4);
    for (const name of ['space', 'twice', 'object', 'nested'])
      assert.ok(
        problems.some((p) => p.includes(`Dropped tool ${name}`)),
        name,
      );
    recorder.assertClean();
    await client.close();
    raw.closeAllConnections();
    await new Promise((r) => raw.close(r));
  });
});
