import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'summarizer', version: '1.0.0' });
server.registerTool(
  'summarize',
  { inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
  async (args, ctx) => {
    // Ask the client's model (deprecated since 2026-07-28, still served on both eras).
    const reply = await ctx.createMessage({
      messages: [{ role: 'user', content: { type: 'text', text: `Summarize in five words: ${args.text}` } }],
      maxTokens: 50,
    });
    return { content: [{ type: 'text', text: JSON.stringify(reply.content) }] };
  },
);

// The client declares sampling by giving a `sampling` handler; it calls its model here.
const client = new Client(
  { name: 'app', version: '1.0.0' },
  {
    handlers: {
      sampling: async () => ({
        role: 'assistant',
        content: { type: 'text', text: 'Cats nap, dogs play.' },
        model: 'demo-model',
      }),
    },
  },
);
const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
await client.connect(clientSide);
console.log((await client.callTool('summarize', { text: 'A long story about pets.' })).content);
await client.close();
