// examples/middleware (the code of docs/middleware.md) runs: logger, guard, trace propagation, fetch middleware.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, createServer, tenantHeader } from '../../examples/middleware/index.js';
import { McpError } from '../../src/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { listenNode } from '../helpers/listen.js';

describe('examples/middleware', () => {
  it('logs both sides, propagates the trace id, lets a signed-in caller through', async () => {
    const lines: string[] = [];
    const server = createServer((l) => lines.push(`server ${l.replace(/\d+ms$/, 'Nms')}`));
    const [ct, st] = createLinkedPair({ identity: { transport: 'memory', auth: { subject: 'ada' } } });
    await server.connect(st);
    const client = createClient((l) => lines.push(`client ${l.replace(/\d+ms$/, 'Nms')}`));
    await client.connect(ct);
    const r = await client.callTool('whoami');
    assert.deepEqual(r.content, [{ type: 'text', text: 'trace t-42' }]);
    assert.deepEqual(lines.slice(-2), ['server tools/call ok Nms', 'client tools/call ok Nms']);
    await client.close();
  });

  it('refuses an anonymous caller over HTTP; the fetch middleware adds its header', async () => {
    const lines: string[] = [];
    const server = createServer((l) => lines.push(l));
    const headers: (string | undefined)[] = [];
    const handler = createNodeHandler(server);
    const port = await listenNode(
      (req, res) => (headers.push(req.headers['x-tenant'] as string | undefined), handler(req, res)),
    );
    const client = createClient(() => {});
    await client.connect(
      new StreamableHttpClientTransport(`http://127.0.0.1:${port}/mcp`, { fetchMiddleware: [tenantHeader] }),
    );
    await assert.rejects(
      client.callTool('whoami'),
      (e: unknown) => e instanceof McpError && e.message === 'Sign in first',
    );
    assert.ok(headers.length > 0 && headers.every((h) => h === 'acme'));
    assert.match(lines.at(-1)!, /^tools\/call error -32600 \d+ms$/);
    await client.close();
  });
});
