import { Client, type ClientExtension } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const echoUiClient: ClientExtension = {
  id: 'com.example/echo-ui',
  install: (host) => host.declareCapability({ version: 1 }),
};
const client = new Client({ name: 'app', version: '1' }, { extensions: [echoUiClient] });

// A server that shows what the client declared on its request.
const server = new McpServer({ name: 'demo', version: '1' });
server.registerTool('declared', {}, (_args, ctx) => ({
  content: [{ type: 'text', text: JSON.stringify(ctx.clientCapabilities.extensions) }],
}));
const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
await client.connect(clientSide);
console.log((await client.callTool('declared')).content); // [{ type: 'text', text: '{"com.example/echo-ui":{"version":1}}' }]
await client.close();
