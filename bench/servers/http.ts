// Benchmark HTTP server in a child process: `tsmcp`, `official` (v2 createMcpHandler) or `bare` (a
// canned answer), each with one `echo` tool. Reports its port, and its CPU time and heap on request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Session } from 'node:inspector';
import * as z from 'zod';
import { McpServer as V2Server, createMcpHandler } from '@modelcontextprotocol/server';
import { McpServer } from '../../src/entries/server.js';
import { createNodeHandler } from '../../src/transports/http/node.js';

const kind = process.argv[2];
let handler: (req: IncomingMessage, res: ServerResponse) => void;

if (kind === 'tsmcp') {
  const server = new McpServer({ name: 'bench', version: '1' });
  server.registerTool(
    'echo',
    { inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
    (a) => ({ content: [{ type: 'text', text: String(a.text) }] }),
  );
  handler = createNodeHandler(server);
} else if (kind === 'official') {
  const mcp = createMcpHandler(() => {
    const s = new V2Server({ name: 'bench', version: '1' });
    s.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
      content: [{ type: 'text', text }],
    }));
    return s;
  });
  // node:http → Fetch API, as @modelcontextprotocol/node does.
  handler = async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const r = await mcp.fetch(
      new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
      }),
    );
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  };
} else {
  const canned = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    result: { resultType: 'complete', content: [{ type: 'text', text: 'hi' }] },
  });
  handler = (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(canned);
    });
  };
}

const http = createServer(handler);
http.keepAliveTimeout = 60_000;
http.listen(0, '127.0.0.1', () => process.send!({ port: (http.address() as { port: number }).port }));
// Allocation: V8's sampling heap profiler, keeping samples of objects already collected, so the sum
// of sampled sizes estimates every byte allocated between start and stop.
const inspector = new Session();
inspector.connect();
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) =>
    inspector.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))),
  );
type Node = { selfSize: number; children: Node[] };
const total = (n: Node): number => n.selfSize + n.children.reduce((a, c) => a + total(c), 0);
process.on('message', async (m: string) => {
  if (m === 'alloc-start') {
    await post('HeapProfiler.startSampling', {
      samplingInterval: 256,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    process.send!({ started: true });
  }
  if (m === 'alloc-stop') {
    const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
    process.send!({ allocated: total(profile.head) });
  }
  if (m === 'stats') {
    for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
    process.send!({ cpu: process.cpuUsage(), heap: process.memoryUsage().heapUsed });
  }
  if (m === 'exit') process.exit(0);
});
