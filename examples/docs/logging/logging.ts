import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

// Declare `logging` to send log messages to clients (a deprecated feature, still served on both eras).
const server = new McpServer({ name: 'etl', version: '1.0.0' }, { capabilities: { logging: {} } });
server.registerTool('load', {}, async (_args, ctx) => {
  await ctx.log('debug', 'connecting'); // below the level asked for: not sent
  await ctx.log('warning', { skipped: 2, reason: 'bad rows' }, 'loader'); // any JSON value, optional logger name
  return { content: [{ type: 'text', text: 'loaded 98 rows' }] };
});

const client = new Client(
  { name: 'app', version: '1.0.0' },
  { onlog: (m) => console.log(`[${m.level}] ${m.logger}:`, m.data) },
);
const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
await client.connect(clientSide);
// 2026-07-28: the level travels with each request; a legacy session uses client.setLoggingLevel('info').
await client.callTool('load', {}, { logLevel: 'info' });
await client.close();
