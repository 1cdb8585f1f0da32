// The thin adapters, each mounted on the real framework: Express (with express.json() in front),
// Hono (on @hono/node-server) and Fastify; both eras served, Origin still checked.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import express from 'express';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import Fastify from 'fastify';
import { Client } from '../../src/entries/client.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createExpressHandler, mcpExpress, type ExpressHandler } from '../../src/transports/http/adapters/express.js';
import { createHonoHandler, mcpHono, type HonoHandler } from '../../src/transports/http/adapters/hono.js';
import { createFastifyHandler, mcpFastify, type FastifyHandler } from '../../src/transports/http/adapters/fastify.js';
import type { HttpCore, ServerLike } from '../../src/transports/http/index.js';
import type { ServerLike as NodeServerLike } from '../../src/transports/http/node.js';
import type { WebSocketLike } from '../../src/transports/websocket/index.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';

const stops: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  for (const s of stops) await s();
});

async function exercise(url: string) {
  for (const version of ['2026-07-28', '2025-11-25'] as const) {
    const client = new Client(
      { name: 'fw', version: '1' },
      { version, handlers: { elicitation: () => ({ action: 'accept', content: { name: 'Ada' } }) } },
    );
    await client.connect(new StreamableHttpClientTransport(url));
    assert.equal(client.protocolVersion, version);
    assert.ok((await client.listAllTools()).length > 10);
    assert.equal(
      ((await client.callTool('test_simple_text')).content[0] as { text: string }).text,
      'This is a simple text response for testing.',
    );
    const seen: number[] = [];
    await client.callTool('test_tool_with_progress', {}, { onprogress: (p) => seen.push(p.progress) });
    assert.deepEqual(seen, [0, 50, 100]);
    await client.close();
  }
  const evil = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      origin: 'https://evil.example',
    },
    body: '{}',
  });
  assert.equal(evil.status, 403);
}

describe('framework adapters', () => {
  it('Express, with express.json() having read the body first', async () => {
    const app = express();
    app.use(express.json());
    app.all('/mcp', createExpressHandler(createEverythingServer()));
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    stops.push(() => (server.closeAllConnections(), server.close()));
    await exercise(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  });

  it('Hono on @hono/node-server', async () => {
    const app = new Hono();
    app.all('/mcp', createHonoHandler(createEverythingServer()));
    const port = await new Promise<number>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
      stops.push(() => new Promise((r) => s.close(r)));
    });
    await exercise(`http://127.0.0.1:${port}/mcp`);
  });

  it('Fastify, with its own JSON body parsing', async () => {
    const app = Fastify();
    app.route({
      method: ['GET', 'POST', 'DELETE'],
      url: '/mcp',
      handler: createFastifyHandler(createEverythingServer()),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    stops.push(() => app.close());
    await exercise(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcp`);
  });

  it('keeps the old names as aliases of the create*Handler functions, with a typed .core', async () => {
    assert.equal(mcpExpress, createExpressHandler);
    assert.equal(mcpHono, createHonoHandler);
    assert.equal(mcpFastify, createFastifyHandler);
    const server: ServerLike = createEverythingServer();
    const same: NodeServerLike = server;
    const handlers: [ExpressHandler, HonoHandler, FastifyHandler] = [
      mcpExpress(same),
      mcpHono(server),
      mcpFastify(server),
    ];
    // `.core` is an HttpCore in each return type (this line type-checks only then).
    const cores: HttpCore[] = handlers.map((h) => h.core);
    for (const core of cores) assert.equal(core.sessionCount, 0);
    for (const core of cores) core.close();
    // WebSocketLike is a public type of tsmcp/websocket: a minimal socket satisfies it.
    const socket: Pick<WebSocketLike, 'send'> = { send: () => {} };
    assert.equal(typeof socket.send, 'function');
  });
});
