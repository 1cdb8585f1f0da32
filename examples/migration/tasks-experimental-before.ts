// Before: the same report job as a 2025-11-25 experimental task (deprecated: prints TSMCP_DEP002).
// The client asks with params.task, polls tasks/get, then collects tasks/result.
import { createServer } from 'node:http';
import { Client } from '../../src/entries/client.js';
import { callToolAsExperimentalTask, enableExperimentalTasks } from '../../src/experimental/index.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';

const server = new McpServer({ name: 'reports', version: '1.0.0' }, { tasks: { pollIntervalMs: 50 } });
server.registerTool(
  'build_report',
  { task: 'always', inputSchema: { type: 'object', properties: { topic: { type: 'string' } } } },
  async (a) => {
    await new Promise((r) => setTimeout(r, 100));
    return { content: [{ type: 'text', text: `Report on ${String(a.topic)} is ready.` }] };
  },
);
enableExperimentalTasks(server);

const http = createServer(createNodeHandler(server));
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
const client = new Client({ name: 'app', version: '1.0.0' }, { version: '2025-11-25' });
await client.connect(
  new StreamableHttpClientTransport(`http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`),
);
const r = await callToolAsExperimentalTask(client, 'build_report', { topic: 'sales' }, { ttl: 60_000 });
console.log((r.content[0] as { text: string }).text);
await client.close();
http.closeAllConnections();
http.close();
