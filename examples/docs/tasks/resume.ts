// Tasks outlive the client that started them: keep the task id, and any later client (a restarted
// process) follows it to its result with `resumeTask(id)`.
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'exports', version: '1.0.0' }, { tasks: { pollIntervalMs: 20 } });
server.registerTool('export', { task: 'always' }, async () => {
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { content: [{ type: 'text', text: 'export.csv ready' }] };
});

async function connect(options: ConstructorParameters<typeof Client>[1]) {
  const [clientSide, serverSide] = createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'app', version: '1.0.0' }, options);
  await client.connect(clientSide);
  return client;
}

let seen!: (taskId: string) => void;
const created = new Promise<string>((resolve) => (seen = resolve));
const first = await connect({ tasks: { onstatus: (task) => seen(String(task.taskId)) } });
const abandoned = first.callTool('export').catch(() => 'abandoned');
const taskId = await created; // store it with your job record
await first.close(); // the client process goes away; the task keeps running on the server
console.log(await abandoned); // abandoned

const second = await connect({ tasks: true });
console.log(((await second.resumeTask(taskId)).content[0] as { text: string }).text); // export.csv ready
await second.close();
