// Cancelling a task: abort the call's signal. The client sends tasks/cancel, the work's `ctx.signal`
// fires, the task ends `cancelled`, and the call rejects with TSMCP_CANCELLED.
import { TsmcpError } from 'tsmcp';
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'jobs', version: '1.0.0' }, { tasks: { pollIntervalMs: 20 } });
server.registerTool('crunch', { task: 'always' }, async (_args, ctx) => {
  // A long job that stops as soon as it is cancelled (bounded here to 5 s).
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
  console.log('work saw cancel:', ctx.signal.aborted);
  return { content: [{ type: 'text', text: 'done' }] };
});

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
let taskId = '';
const client = new Client(
  { name: 'app', version: '1.0.0' },
  { tasks: { onstatus: (t) => (taskId = String(t.taskId)) } },
);
await client.connect(clientSide);

const stop = new AbortController();
const call = client.callTool('crunch', {}, { signal: stop.signal });
setTimeout(() => stop.abort(), 100);
try {
  await call;
} catch (error) {
  console.log('call:', error instanceof TsmcpError ? error.code : error); // call: TSMCP_CANCELLED
}
const task = await client.request('tasks/get', { taskId }, { noCache: true });
console.log('task:', task.status); // task: cancelled
await client.close();
