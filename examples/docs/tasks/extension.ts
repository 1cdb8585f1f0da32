// The same extension without the sugar: `tasks()` and `tasksClient()` from tsmcp/tasks, given to
// `extensions`. This is where the seams are: `store` (where task state lives) and `coordinator` (a
// fleet: which instance runs a task); tsmcp/redis has RedisTaskStore and RedisTaskCoordinator.
import { McpServer } from 'tsmcp/server';
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { InMemoryTaskStore, TASKS_EXTENSION, tasks, tasksClient } from 'tsmcp/tasks';

const taskExtension = tasks({
  store: new InMemoryTaskStore({ maxTasks: 1000 }), // the default store, bounded (10 000 by default)
  ttlMs: 10 * 60_000, // keep a task and its result 10 minutes
  maxTasksPerPrincipal: 10, // unfinished tasks per caller
  pollIntervalMs: 20,
});
const server = new McpServer({ name: 'jobs', version: '1.0.0' }, { extensions: [taskExtension] });
server.registerTool('job', { extensions: { [TASKS_EXTENSION]: 'always' } }, () => ({
  content: [{ type: 'text', text: 'job done' }],
}));

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' }, { extensions: [tasksClient()] });
await client.connect(clientSide);
console.log(client.serverCapabilities.extensions); // { 'io.modelcontextprotocol/tasks': {} }
console.log(((await client.callTool('job')).content[0] as { text: string }).text); // job done
await client.close();
