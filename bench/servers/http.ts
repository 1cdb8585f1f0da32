// Benchmark HTTP server in a child process: `tsmcp`, `official` (v2 createMcpHandler; 2025 traffic to sessionful transports) or `bare` (a
// canned answer), each with one `echo` tool. Reports its port over IPC; figures come from probe.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import {
  McpServer as V2Server,
  WebStandardStreamableHTTPServerTransport,
  createMcpHandler,
  isLegacyRequest,
} from '@modelcontextprotocol/server';
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
  // One loader address holds every session of the RSS row: the default 1000 per client is raised, as the
  // option's documentation says to behind a proxy.
  handler = createNodeHandler(server, { maxSessionsPerClient: 10_000 });
} else if (kind === 'official') {
  const factory = () => {
    const s = new V2Server({ name: 'bench', version: '1' });
    s.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
      content: [{ type: 'text', text }],
    }));
    return s;
  };
  // createMcpHandler serves 2025 traffic statelessly only; a sessionful legacy deployment routes it, as the
  // SDK documents (isLegacyRequest), to a session map of WebStandardStreamableHTTPServerTransport.
  const modern = createMcpHandler(factory, { legacy: 'reject' });
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const legacy = async (request: Request, parsedBody: unknown) => {
    const sid = request.headers.get('mcp-session-id');
    if (sid) {
      const t = sessions.get(sid);
      return t ? t.handleRequest(request, { parsedBody }) : new Response(null, { status: 404 });
    }
    const t: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, t),
    });
    await factory().connect(t);
    return t.handleRequest(request, { parsedBody });
  };
  const mcp = {
    fetch: async (request: Request) => {
      const body = request.method === 'POST' ? await request.json().catch(() => undefined) : undefined;
      return (await isLegacyRequest(request, body))
        ? legacy(request, body)
        : modern.fetch(request, { parsedBody: body });
    },
  };
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
  // Bare: no MCP work, a canned answer. It keeps a session map like a legacy server must (an id and a
  // small record per session, 404 for an unknown id), so the legacy rows and RSS per session compare.
  const canned = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    result: { resultType: 'complete', content: [{ type: 'text', text: 'hi' }] },
  });
  const initialized = JSON.stringify({
    jsonrpc: '2.0',
    id: 0,
    result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'bare', version: '1' } },
  });
  const sessions = new Map<string, { protocolVersion: string; createdAt: number; initialized: boolean }>();
  handler = (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const sid = req.headers['mcp-session-id'];
      if (typeof sid === 'string') {
        const s = sessions.get(sid);
        if (!s) return void res.writeHead(404).end();
        if (body.includes('"notifications/initialized"'))
          return void ((s.initialized = true), res.writeHead(202).end());
      } else if (body.includes('"initialize"')) {
        const id = randomUUID();
        sessions.set(id, { protocolVersion: '2025-11-25', createdAt: Date.now(), initialized: false });
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': id });
        return void res.end(initialized);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(canned);
    });
  };
}

const http = createServer(handler);
http.keepAliveTimeout = 60_000;
http.listen(0, '127.0.0.1', () => process.send!({ port: (http.address() as { port: number }).port }));
