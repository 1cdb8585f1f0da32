import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'slow', version: '1.0.0' });
server.registerTool('crawl', {}, async (_args, ctx) => {
  // ctx.signal aborts when the client cancels (or disconnects): stop the work and return.
  while (!ctx.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 10));
  console.log('server: crawl stopped');
  return { content: [] }; // nothing more is sent for a cancelled request
});

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
const controller = new AbortController();
setTimeout(() => controller.abort(new Error('user pressed stop')), 50);
await client
  .callTool('crawl', {}, { signal: controller.signal })
  .catch((e: Error) => console.log('client:', e.message));
await new Promise((resolve) => setTimeout(resolve, 50)); // let the server see it (a real client does not wait)
await client.close();
