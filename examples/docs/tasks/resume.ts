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

const taskId = await new Promise<string>((resolve) => {
  void connect({ tasks: { onstatus: (task) => resolve(String(task.taskId)) } }).then((first) => {
    first.callTool('export').catch(() => {}); // abandoned: `first` closes below
    setTimeout(() => void first.close(), 50);
  });
});
console.log('kept task id:', taskId.length > 0);

const second = await connect({ tasks: true });
console.log(((await second.resumeTask(taskId)).content[0] as { text: string }).text); // export.csv ready
await second.close();
