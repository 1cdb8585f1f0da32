// tsmcp/testing: the same in one call, on each era, with the wire checked against the MCP schema.
import { connectInMemory } from 'tsmcp/testing';
import { createServer } from './server.js';

for (const era of ['modern', 'legacy', '2025-03-26'] as const) {
  const { client, wire, close } = await connectInMemory(createServer(), { era });
  const result = await client.callTool('add', { a: 2, b: 3 });
  console.log(wire.revision, result.content, `${wire.messages.length} messages checked`);
  await close(); // throws if a message outside a call broke the schema
}
