import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer, ToolError } from 'tsmcp/server';

const server = new McpServer(
  { name: 'files', version: '1.0.0' },
  { onerror: (error, { method }) => console.error(`${method} failed:`, (error as Error).message) },
);
server.registerTool(
  'read_file',
  { inputSchema: { type: 'object', properties: { path: { type: 'string' } } } },
  (args) => {
    // A ToolError is for the model: its message goes back as the tool's result, with isError: true.
    if (!String(args.path).startsWith('/docs/'))
      throw new ToolError(`Only files under /docs/ can be read, not ${args.path}`);
    // Any other error is a bug: the client gets a generic message, the server's onerror the real error.
    throw new Error('disk on fire');
  },
);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
const refused = await client.callTool('read_file', { path: '/etc/passwd' });
console.log(refused.isError, refused.content); // true [{ type: 'text', text: 'Only files under /docs/ …' }]
const failed = await client.callTool('read_file', { path: '/docs/a' });
console.log(failed.isError, failed.content); // true [{ type: 'text', text: 'Tool read_file failed with an internal error' }]
await client.close();
