// DNS rebinding: the same Host/Origin cases against every server front and adapter, each over real
// loopback HTTP (node, web on @hono/node-server, Express, Hono, Fastify, the deprecated HTTP+SSE
// server, the deprecated WebSocket server). Secure by default whatever the front knows of its address.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import Fastify from 'fastify';
import { WebSocket, WebSocketServer } from 'ws';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createWebHandler } from '../../src/transports/http/web.js';
import type { SecurityOptions } from '../../src/transports/shared/security.js';
import { mcpExpress } from '../../src/transports/http/adapters/express.js';
import { mcpHono } from '../../src/transports/http/adapters/hono.js';
import { mcpFastify } from '../../src/transports/http/adapters/fastify.js';
import { sseNodeHandler } from '../../src/transports/sse/server.js';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { listenNode, stops } from '../helpers/listen.js';

/** Each front mounted at /mcp on 127.0.0.1, with `options`; returns its port. */
const FRONTS: { [name: string]: (o: SecurityOptions) => Promise<number> } = {
  node: (o) => listenNode(createNodeHandler(createEverythingServer(), o)),
  web: (o) =>
    new Promise((resolve) => {
      const s = serve(
        { fetch: createWebHandler(createEverythingServer(), o), port: 0, hostname: '127.0.0.1' },
        (info) => resolve(info.port),
      );
      stops.push(() => new Promise((r) => s.close(r)));
    }),
  express: (o) => {
    const app = express();
    app.use(express.json());
    app.all('/mcp', mcpExpress(createEverythingServer(), o));
    return listenNode(app);
  },
  hono: (o) => {
    const app = new Hono();
    app.all('/mcp', mcpHono(createEverythingServer(), o));
    return new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
      stops.push(() => new Promise((r) => s.close(r)));
    });
  },
  fastify: async (o) => {
    const app = Fastify();
    app.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp', handler: mcpFastify(createEverythingServer(), o) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    stops.push(() => app.close());
    return (app.server.address() as AddressInfo).port;
  },
};

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

/** POST an initialize to 127.0.0.1:port with an arbitrary Host (what a rebinding page makes the browser send). */
function post(port: number, host: string, origin?: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {
    host,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'content-length': String(Buffer.byteLength(INIT)),
  };
  if (origin) headers.origin = origin;
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    r.on('error', reject);
    r.end(INIT);
  });
}

/** The cases, given a way to send one request with (host, origin) and read its status and body. */
function rebindingCases(
  open: (o: SecurityOptions) => Promise<number>,
  send: (port: number, host: string, origin?: string) => Promise<{ status: number; body: string }>,
) {
  it('refuses a foreign Host with a matching Origin (the rebinding request), naming allowedHosts', async () => {
    const port = await open({});
    const r = await send(port, `evil.example:${port}`, `http://evil.example:${port}`);
    assert.equal(r.status, 403);
    assert.match(r.body, /allowedHosts: \['evil\.example'\]/);
  });
  it('refuses a foreign Host alone', async () => {
    const port = await open({});
    assert.equal((await send(port, `evil.example:${port}`)).status, 403);
  });
  it('refuses a foreign Origin with a loopback Host, naming allowedOrigins', async () => {
    const port = await open({});
    const r = await send(port, `127.0.0.1:${port}`, 'http://evil.example');
    assert.equal(r.status, 403);
    assert.match(r.body, /allowedOrigins/);
  });
  it('serves loopback names and origins, and clients without Origin', async () => {
    const port = await open({});
    assert.equal((await send(port, `localhost:${port}`, `http://localhost:${port}`)).status, 200);
    assert.equal((await send(port, `[::1]:${port}`, `http://[::1]:${port}`)).status, 200);
    assert.equal((await send(port, `app.localhost:${port}`, 'https://app.localhost')).status, 200);
    assert.equal((await send(port, `127.0.0.1:${port}`)).status, 200);
  });
  it('serves configured hosts and origins, and only those', async () => {
    const port = await open({
      allowedHosts: ['mcp.example.com', '*.corp.example'],
      allowedOrigins: ['https://app.example.com'],
    });
    assert.equal((await send(port, 'mcp.example.com', 'https://app.example.com')).status, 200);
    assert.equal((await send(port, `a.corp.example:${port}`)).status, 200);
    assert.equal((await send(port, 'mcp.example.com', 'https://evil.example')).status, 403);
    assert.equal((await send(port, 'evil.example', 'https://app.example.com')).status, 403);
    assert.equal(
      (await send(port, `localhost:${port}`, `http://localhost:${port}`)).status,
      403,
      'a list replaces the loopback default',
    );
  });
  it('turns both checks off only when told to', async () => {
    const port = await open({ allowedHosts: false, allowedOrigins: false });
    assert.equal((await send(port, `evil.example:${port}`, `http://evil.example:${port}`)).status, 200);
  });
}

for (const [name, open] of Object.entries(FRONTS)) {
  describe(`DNS rebinding: ${name} front`, () => rebindingCases(open, post));
}

describe('DNS rebinding: HTTP+SSE server (deprecated)', () => {
  // Opening the SSE stream is the request to refuse; 200 means the stream opened (then dropped).
  const get = (port: number, host: string, origin?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = request(
        { host: '127.0.0.1', port, path: '/mcp', headers: origin ? { host, origin } : { host }, agent: false },
        (res) => {
          if (res.statusCode === 200) return (res.destroy(), resolve({ status: 200, body: '' }));
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      r.on('error', reject);
      r.end();
    });
  rebindingCases((o) => listenNode(sseNodeHandler(createEverythingServer().server, o)), get);
  it('checks the POST of messages too, before looking at the session', async () => {
    const port = await listenNode(sseNodeHandler(createEverythingServer().server, {}));
    const postTo = (host: string, origin?: string) =>
      new Promise<number>((resolve, reject) => {
        const r = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/mcp?sessionId=none',
            headers: { host, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
            agent: false,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        r.on('error', reject);
        r.end('{"jsonrpc":"2.0","id":1,"method":"ping"}');
      });
    assert.equal(await postTo(`evil.example:${port}`, `http://evil.example:${port}`), 403);
    assert.equal(await postTo(`localhost:${port}`, 'http://evil.example'), 403);
    assert.equal(await postTo(`localhost:${port}`), 404, 'a loopback caller reaches the session lookup');
  });
});

describe('DNS rebinding: WebSocket server (deprecated)', () => {
  const open = async (o: SecurityOptions) => {
    const { createWebSocketHandler, pickMcpSubprotocol } = await import('../../src/transports/websocket/index.js');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: pickMcpSubprotocol });
    wss.on('connection', createWebSocketHandler(createEverythingServer(), o));
    await new Promise((r) => wss.once('listening', r));
    stops.push(() => (wss.clients.forEach((c) => c.terminate()), new Promise((r) => wss.close(r))));
    return (wss.address() as AddressInfo).port;
  };
  // 200 = the socket stayed open and answered initialize; 403 = it was closed with the policy code.
  const connect = (port: number, host: string, origin?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/mcp`, 'mcp', {
        headers: { host },
        ...(origin ? { origin } : {}),
      });
      ws.on('open', () => ws.send(INIT));
      ws.on('message', () => (ws.close(), resolve({ status: 200, body: '' })));
      ws.on('close', (code, reason) => resolve({ status: code === 1008 ? 403 : code, body: reason.toString() }));
      ws.on('error', reject);
    });
  rebindingCases(open, connect);
});
