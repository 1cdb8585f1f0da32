// A message that breaks the schema fails its call with TSMCP_WIRE_INVALID, naming what broke and where.
import type { Middleware } from 'tsmcp/server';
import { connectInMemory, WireViolationError } from 'tsmcp/testing';
import { createServer } from './server.js';

// A middleware with a bug: it drops inputSchema, which every listed tool must have.
const dropInputSchema: Middleware = async (req, next) => {
  const result = await next();
  if (req.method !== 'tools/list') return result;
  return { ...result, tools: (result.tools as Record<string, unknown>[]).map(({ inputSchema: _, ...tool }) => tool) };
};

const server = createServer();
server.use(dropInputSchema);
const { client, close } = await connectInMemory(server, { era: 'legacy' });
try {
  await client.listTools();
} catch (e) {
  if (!(e instanceof WireViolationError)) throw e;
  console.log(e.code); // TSMCP_WIRE_INVALID
  console.log(e.message);
  // 1 message(s) on the wire do not match the MCP 2025-11-25 schema:
  // 1. server->client ListToolsResult (tools/list, id 2), sent by the server: /tools/0: Instance does not
  //    have required property "inputSchema". [#/$defs/Tool/required]
  // …
}
await close();
