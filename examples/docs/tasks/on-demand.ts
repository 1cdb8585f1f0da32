// `task: 'on-demand'`: the handler answers at once when it can, and continues as a task only when the
// work turns out to be long, by returning `runAsTask(work)`. `task: 'optional'` makes every call a task
// for clients that declared the extension and runs it inline for the others.
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer, runAsTask } from 'tsmcp/server';

const cache = new Map<string, string>([['paris', 'sunny']]);
const server = new McpServer({ name: 'weather', version: '1.0.0' }, { tasks: { pollIntervalMs: 20 } });
server.registerTool(
  'forecast',
  { task: 'on-demand', inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  (args) => {
    const city = String(args.city);
    const hit = cache.get(city);
    if (hit) return { content: [{ type: 'text', text: `${city}: ${hit} (cached)` }] };
    return runAsTask(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100)); // a slow upstream
      return { content: [{ type: 'text', text: `${city}: rain (fetched)` }] };
    });
  },
);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client(
  { name: 'app', version: '1.0.0' },
  { tasks: { onstatus: (task) => console.log('  task', task.status) } },
);
await client.connect(clientSide);
for (const city of ['paris', 'oslo']) {
  console.log(((await client.callTool('forecast', { city })).content[0] as { text: string }).text);
}
// paris: sunny (cached)
//   task working
//   task completed
// oslo: rain (fetched)
await client.close();
