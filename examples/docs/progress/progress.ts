import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'indexer', version: '1.0.0' });
server.registerTool('reindex', {}, async (_args, ctx) => {
  for (let done = 1; done <= 3; done++) {
    await new Promise((resolve) => setTimeout(resolve, 10)); // the work
    await ctx.progress(done, 3, `batch ${done} of 3`); // sent only if the caller asked for progress
  }
  return { content: [{ type: 'text', text: 'reindexed' }] };
});

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
// `onprogress` asks for progress; each notification also resets the call's timeout.
const result = await client.callTool(
  'reindex',
  {},
  { onprogress: (p) => console.log(`${p.progress}/${p.total} ${p.message}`) },
);
console.log(result.content); // after 1/3, 2/3, 3/3
await client.close();
