// The thin adapters, each mounted on the real framework: Express (with express.json() in front),
// Hono (on @hono/node-server) and Fastify; both eras served, Origin still checked.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import express from 'express';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import Fastify from 'fastify';
import { Client } from '../../src/client/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { mcpExpress } from '../../src/transports/http/adapters/express.js';
import { mcpHono } from '../../src/transports/http/adapters/hono.js';
import { mcpFastify } from '../../src/transports/http/adapters/fastify.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';

const stops: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  for (const s of stops) await s();
});

async function exercise(url: string) {
  for (const version of ['2026-07-28', '2025-11-25'] as const) {
    const client = new Client({ name: 'fw', version: '1' }, { version, handlers: { elicitation: () => ({ action: 'accept', content: { name: 'Ada' } }) } });
    await client.connect(new StreamableHttpClientTransport(url));
    assert.equal(client.protocolVersion, version);
    assert.ok((await client.listAllTools()).length > 10);
    assert.equal(((await client.callTool('test_simple_text')).content[0] as { text: string }).text, 'This is a simple text response for testing.');
    const seen: number[] = [];
    await client.callTool('test_tool_with_progress', {}, { onprogress: (p) => seen.push(p.progress) });
    assert.deepEqual(seen, [0, 50, 100]);
    await client.close();
  }
  const evil = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', origin: 'https://evil.example' }, body: '{}' });
  assert.equal(evil.status, 403);
}

describe('framework adapters', () => {
  it('Express, with express.json() having read the body first', async () => {
    const app = express();
    app.use(express.json());
    app.all('/mcp', mcpExpress(createEverythingServer()));
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    stops.push(() => (server.closeAllConnections(), server.close()));
    await exercise(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  });

  it('Hono on @hono/node-server', async () => {
    const app = new Hono();
    app.all('/mcp', mcpHono(createEverythingServer()));
    const port = await new Promise<number>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
      stops.push(() => new Promise((r) => s.close(r)));
    });
    await exercise(`http://127.0.0.1:${port}/mcp`);
  });

  it('Fastify, with its own JSON body parsing', async () => {
    const app = Fastify();
    app.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp', handler: mcpFastify(createEverythingServer()) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    stops.push(() => app.close());
    await exercise(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcp`);
  });
});
