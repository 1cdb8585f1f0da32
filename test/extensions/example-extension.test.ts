// The example extension of docs/extensions.md (examples/extensions/echo-ui.ts) over real HTTP: its
// settings in server/discover, its method for declaring clients only, its tool hooks, and the
// registration rule for extension ids that are not installed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ECHO_UI, echoUi, echoUiClient } from '../../examples/extensions/echo-ui.js';
import { Client } from '../../src/entries/client.js';
import { McpError, TsmcpError, type JsonObject } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { listenNode } from '../helpers/listen.js';

async function serve(): Promise<string> {
  const s = new McpServer({ name: 'echo', version: '1' }, { extensions: [echoUi()] });
  s.registerTool(
    'shout',
    {
      extensions: { [ECHO_UI]: { badge: 'loud' } },
      inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
    },
    (args) => ({
      content: [{ type: 'text', text: String(args.text).toUpperCase() }],
    }),
  );
  s.registerTool('plain', {}, () => ({ content: [] }));
  const port = await listenNode(createNodeHandler(s));
  return `http://127.0.0.1:${port}/mcp`;
}

async function connect(url: string, withExtension: boolean): Promise<Client> {
  const client = new Client({ name: 'c', version: '1' }, withExtension ? { extensions: [echoUiClient()] } : {});
  await client.connect(new StreamableHttpClientTransport(url));
  return client;
}

describe('example extension com.example/echo-ui', () => {
  it('advertises its settings, serves its method to declaring clients, and hooks tools', async () => {
    const url = await serve();
    const client = await connect(url, true);
    try {
      assert.equal(client.protocolVersion, '2026-07-28');
      assert.deepEqual((client.serverCapabilities.extensions as JsonObject)[ECHO_UI], { version: 1 });
      assert.deepEqual(await client.request('echo/say', { text: 'hi' }), {
        said: 'hi',
        resultType: 'complete',
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'echo', version: '1' } },
      });
      const { tools } = await client.listTools();
      assert.deepEqual(tools.find((t) => t.name === 'shout')!._meta, { [ECHO_UI]: { badge: 'loud' } });
      assert.equal(tools.find((t) => t.name === 'plain')!._meta, undefined);
      const r = await client.callTool('shout', { text: 'hey' });
      assert.deepEqual(r.content, [{ type: 'text', text: 'HEY' }]);
      assert.deepEqual((r._meta as JsonObject)[ECHO_UI], { badge: 'loud' });
    } finally {
      await client.close();
    }
  });

  it('refuses its method to a client that did not declare the extension (-32021)', async () => {
    const client = await connect(await serve(), false);
    try {
      await assert.rejects(
        client.request('echo/say', { text: 'hi' }),
        (e: unknown) => e instanceof McpError && e.code === -32021,
      );
    } finally {
      await client.close();
    }
  });

  it('refuses a tool configured for an extension that is not installed', () => {
    const s = new McpServer({ name: 'x', version: '1' });
    assert.throws(
      () => s.registerTool('t', { extensions: { [ECHO_UI]: { badge: 'b' } } }, () => ({ content: [] })),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_INVALID_DEFINITION',
    );
  });
});
