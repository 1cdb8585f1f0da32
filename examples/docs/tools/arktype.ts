import { type } from 'arktype';
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'greeter', version: '1.0.0' });
server.registerTool('greet', { inputSchema: type({ name: 'string', 'excited?': 'boolean' }) }, ({ name, excited }) => ({
  content: [{ type: 'text', text: `Hello, ${name}${excited ? '!' : '.'}` }],
}));

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
console.log((await client.callTool('greet', { name: 'Ada', excited: true })).content); // [{ type: 'text', text: 'Hello, Ada!' }]
await client.close();
