import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'notes', version: '1.0.0' });
// A plain JSON Schema (2020-12 by default) is published exactly as written and validated as such.
server.registerTool(
  'add_note',
  {
    inputSchema: {
      type: 'object',
      properties: { text: { type: 'string', minLength: 1 } },
      required: ['text'],
      additionalProperties: false,
    },
    outputSchema: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
  },
  (args) => ({ structuredContent: { id: String(args.text).length } }), // args: { [key: string]: unknown }
);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
console.log((await client.callTool('add_note', { text: 'buy milk' })).structuredContent); // { id: 8 }
// Bad arguments come back as a tool error the model can read and fix:
console.log((await client.callTool('add_note', { text: '' })).content); // 'Invalid arguments: text: String is too short (0 < 1).'
await client.close();
