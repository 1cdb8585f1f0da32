import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer, type ServerExtension } from 'tsmcp/server';

const echoUi: ServerExtension = {
  id: 'com.example/echo-ui',
  settings: { version: 1 }, // capabilities.extensions['com.example/echo-ui']
  install(host) {
    host.setRequestHandler('echo/say', (p) => ({ said: String(p.text) }), { era: 'modern' });
    host.addToolHooks({
      list: (tool, config) => (config ? { ...tool, _meta: { 'com.example/echo-ui': config } } : tool),
    });
  },
};
const server = new McpServer({ name: 'demo', version: '1' }, { extensions: [echoUi] });
server.registerTool('shout', { extensions: { 'com.example/echo-ui': { badge: 'loud' } } }, () => ({
  content: [{ type: 'text', text: 'HEY' }],
}));

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1' });
await client.connect(clientSide);
console.log(await client.request('echo/say', { text: 'hi' })); // { said: 'hi', … }
console.log((await client.listTools()).tools[0]?._meta); // { 'com.example/echo-ui': { badge: 'loud' } }
await client.close();
