import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { jsonSchema, McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'weather', version: '1.0.0' });
// Kept in a variable, a JSON Schema needs jsonSchema() (or `as const`) to keep its literal type.
const reading = jsonSchema({
  type: 'object',
  properties: { temp: { type: 'number' }, unit: { enum: ['C', 'F'] } },
  required: ['temp', 'unit'],
});
server.registerTool('weather', { outputSchema: reading }, () => ({
  // structuredContent: { temp: 21, unit: 'C' as const }: { temp: number; unit: 'C' | 'F' }
  // `{ temp: '21' }` or a missing `unit` would not compile.
  structuredContent: { temp: 21, unit: 'C' as const },
}));

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
console.log((await client.callTool('weather')).structuredContent); // { temp: 21, unit: 'C' }
await client.close();
