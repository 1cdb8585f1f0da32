// The tasks extension (io.modelcontextprotocol/tasks): a long job as a task, input asked through the
// task, the client following it to the result. This replaces 2025-11-25's experimental tasks.
import { createServer } from 'node:http';
import { Client } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';

const server = new McpServer({ name: 'reports', version: '1.0.0' }, { tasks: { pollIntervalMs: 50 } });
server.registerTool(
  'build_report',
  { task: 'always', inputSchema: { type: 'object', properties: { topic: { type: 'string' } } } },
  async (a, ctx) => {
    const ok = await ctx.elicit({
      message: `Build the ${String(a.topic)} report?`,
      requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } } },
    });
    if (ok.action !== 'accept') return { content: [{ type: 'text', text: 'Not built.' }] };
    await new Promise((r) => setTimeout(r, 100)); // the long part
    return { content: [{ type: 'text', text: `Report on ${String(a.topic)} is ready.` }] };
  },
);

const http = createServer(createNodeHandler(server));
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));

const client = new Client(
  { name: 'app', version: '1.0.0' },
  {
    tasks: { onstatus: (t) => console.log(`task ${String(t.status)}`) },
    handlers: { elicitation: () => ({ action: 'accept', content: { confirm: true } }) },
  },
);
await client.connect(
  new StreamableHttpClientTransport(`http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`),
);
const r = await client.callTool('build_report', { topic: 'sales' });
console.log((r.content[0] as { text: string }).text);
await client.close();
http.closeAllConnections();
http.close();
