// A tool that always runs as a task, and a client that follows it: `callTool` resolves with the final
// result; `onstatus` sees each status on the way (working … completed).
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'reports', version: '1.0.0' }, { tasks: { pollIntervalMs: 50 } });
server.registerTool('build_report', { task: 'always' }, async (_args, ctx) => {
  await new Promise((resolve) => setTimeout(resolve, 200)); // the long part; ctx.signal fires on cancel
  return { content: [{ type: 'text', text: ctx.signal.aborted ? 'stopped' : 'Report ready.' }] };
});

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client(
  { name: 'app', version: '1.0.0' },
  { tasks: { onstatus: (task) => console.log('task', task.status) } },
);
await client.connect(clientSide);

const result = await client.callTool('build_report');
console.log((result.content[0] as { text: string }).text);
// task working   (once per poll)
// task completed
// Report ready.
await client.close();
