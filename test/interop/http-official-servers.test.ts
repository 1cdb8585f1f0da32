// The tsmcp client drives servers built with the official SDKs over Streamable HTTP on loopback: the
// v2 `createMcpHandler` (modern, with its stateless legacy fallback) and a stateful v1 server. Also:
// a legacy session the server forgot is re-initialized without losing the caller's request.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import * as z from 'zod';
import { McpServer as V2Server, createMcpHandler } from '@modelcontextprotocol/server';
import { McpServer as V1Server } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport as V1Transport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Client } from '../../src/entries/client.js';
import { McpError } from '../../src/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';
import { fetchBridge } from '../helpers/fetch-bridge.js';

const servers: HttpServer[] = [];
const recorders: WireRecorder[] = [];
after(() => {
  for (const s of servers) s.closeAllConnections(), s.close();
  for (const r of recorders) r.assertClean();
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<URL> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return new URL(`http://127.0.0.1:${(s.address() as { port: number }).port}/mcp`);
}

function v2Factory() {
  const server = new V2Server({ name: 'official-v2-http', version: '1.0.0' });
  server.registerTool(
    'add',
    {
      description: 'Adds',
      inputSchema: z.object({ a: z.number(), b: z.number() }),
      outputSchema: z.object({ sum: z.number() }),
    },
    async ({ a, b }) => ({
      content: [{ type: 'text', text: String(a + b) }],
      structuredContent: { sum: a + b },
    }),
  );
  return server;
}

async function connect(url: URL, version?: 'auto' | 'legacy') {
  const recorder = new WireRecorder({ only: 'client->server' });
  recorders.push(recorder);
  const client = new Client({ name: 'tsmcp-http', version: '1.0.0' }, version ? { version } : {});
  await client.connect(recordTransport(new StreamableHttpClientTransport(url), recorder, 'client'));
  return client;
}

describe('tsmcp client → official v2 createMcpHandler (HTTP)', () => {
  it('speaks the modern era, with structured output checked against the outputSchema', async () => {
    const url = await listen(fetchBridge((r) => createMcpHandler(v2Factory).fetch(r)));
    const client = await connect(url);
    assert.equal(client.era, 'modern');
    assert.deepEqual(
      (await client.listAllTools()).map((t) => t.name),
      ['add'],
    );
    const r = await client.callTool('add', { a: 20, b: 22 });
    assert.deepEqual(r.structuredContent, { sum: 42 });
    await assert.rejects(client.callTool('missing'), (e: unknown) => e instanceof McpError);
    await client.close();
  });

  it('works against its legacy fallback too', async () => {
    const url = await listen(fetchBridge((r) => createMcpHandler(v2Factory).fetch(r)));
    const client = await connect(url, 'legacy');
    assert.equal(client.era, 'legacy');
    assert.equal(((await client.callTool('add', { a: 1, b: 2 })).content[0] as { text: string }).text, '3');
    await client.close();
  });
});

describe('tsmcp client → stateful official v1 server (HTTP)', () => {
  it('falls back to the legacy era and keeps its session', async () => {
    const transports = new Map<string, V1Transport>();
    const url = await listen(async (req, res) => {
      const sid = req.headers['mcp-session-id'] as string | undefined;
      let t = sid ? transports.get(sid) : undefined;
      if (!t) {
        const server = new V1Server({ name: 'official-v1-http', version: '1.0.0' });
        server.registerTool('echo', { description: 'Echoes', inputSchema: { text: z.string() } }, async ({ text }) => ({
          content: [{ type: 'text', text }],
        }));
        t = new V1Transport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => void transports.set(id, t!),
        });
        await server.connect(t);
      }
      await t.handleRequest(req, res);
    });
    const client = await connect(url);
    assert.equal(client.era, 'legacy');
    assert.equal(client.serverInfo?.name, 'official-v1-http');
    assert.equal(((await client.callTool('echo', { text: 'hi' })).content[0] as { text: string }).text, 'hi');
    assert.equal(transports.size, 1);
    await client.close();
  });
});

describe('legacy session recovery', () => {
  it('re-initializes after a 404 and completes the request that met it', async () => {
    const handler = createNodeHandler(createEverythingServer());
    const url = await listen(handler);
    const client = await connect(url, 'legacy');
    assert.equal(
      ((await client.callTool('test_simple_text')).content[0] as { text: string }).text,
      'This is a simple text response for testing.',
    );
    handler.core.close(); // the server forgets every session (a restart, an idle timeout)
    assert.equal(handler.core.sessionCount, 0);
    const r = await client.callTool('test_simple_text');
    assert.equal((r.content[0] as { text: string }).text, 'This is a simple text response for testing.');
    assert.equal(handler.core.sessionCount, 1);
    await client.close();
  });
});
