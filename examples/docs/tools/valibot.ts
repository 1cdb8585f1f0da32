import { toStandardJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

// valibot publishes its JSON Schema through @valibot/to-json-schema's Standard JSON Schema wrapper.
const input = toStandardJsonSchema(v.object({ a: v.number(), b: v.number() }));
const output = toStandardJsonSchema(v.object({ sum: v.number() }));

const server = new McpServer({ name: 'math', version: '1.0.0' });
server.registerTool('add', { inputSchema: input, outputSchema: output }, ({ a, b }) => ({
  structuredContent: { sum: a + b },
}));

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
console.log((await client.callTool('add', { a: 2, b: 3 })).structuredContent); // { sum: 5 }
await client.close();
