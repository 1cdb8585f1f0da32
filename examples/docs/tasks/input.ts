// Input through the task: `ctx.elicit()` inside a task sets it `input_required`; the client's
// elicitation handler answers (tasks/update) and the work goes on. The handler is the same one that
// answers elicitation outside tasks.
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'deploys', version: '1.0.0' }, { tasks: { pollIntervalMs: 50 } });
server.registerTool('deploy', { task: 'always' }, async (_args, ctx) => {
  const answer = await ctx.elicit({
    message: 'Deploy to production?',
    requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] },
  });
  const go = answer.action === 'accept' && answer.content?.confirm === true;
  return { content: [{ type: 'text', text: go ? 'Deployed.' : 'Not deployed.' }] };
});

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client(
  { name: 'app', version: '1.0.0' },
  {
    tasks: { onstatus: (task) => console.log('task', task.status) },
    handlers: {
      elicitation: (params) => (
        console.log('asked:', params.message), { action: 'accept', content: { confirm: true } }
      ),
    },
  },
);
await client.connect(clientSide);
console.log(((await client.callTool('deploy')).content[0] as { text: string }).text);
// task working, task input_required, asked: Deploy to production?, task completed, Deployed.
await client.close();
