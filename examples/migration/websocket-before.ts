// Before: a server and client on the deprecated WebSocket transport (prints a TSMCP_DEP001 warning).
import { WebSocketServer } from 'ws';
import { Client } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import {
  WebSocketClientTransport,
  createWebSocketHandler,
  pickMcpSubprotocol,
} from '../../src/transports/websocket/index.js';

const server = new McpServer({ name: 'greeter', version: '1.0.0' });
server.registerTool('greet', { inputSchema: { type: 'object', properties: { name: { type: 'string' } } } }, (a) => ({
  content: [{ type: 'text', text: `Hello, ${String(a.name)}!` }],
}));

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: pickMcpSubprotocol });
wss.on('connection', createWebSocketHandler(server));
await new Promise((r) => wss.once('listening', r));

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(new WebSocketClientTransport(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`));
const r = await client.callTool('greet', { name: 'Ada' });
console.log((r.content[0] as { text: string }).text);
await client.close();
wss.close();
