import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'crm', version: '1.0.0' });
server.registerTool('connect_account', {}, async (_args, ctx) => {
  // URL mode: the user goes to a page of yours (OAuth consent, payment…); nothing sensitive passes the client.
  const answer = await ctx.elicit({
    mode: 'url',
    message: 'Connect your CRM account',
    url: 'https://crm.example.com/connect?session=42',
  });
  if (answer.action !== 'accept') return { content: [{ type: 'text', text: 'Not connected.' }] };
  // 2025-11-25: say when the out-of-band step is done (a no-op returning false on 2026-07-28).
  if (answer.elicitationId) await ctx.completeElicitation(answer.elicitationId);
  return { content: [{ type: 'text', text: 'Connected.' }] };
});

// A client takes URL requests only when it declares `elicitation: { url: {} }`.
const client = new Client(
  { name: 'app', version: '1.0.0' },
  {
    capabilities: { elicitation: { form: {}, url: {} } },
    handlers: {
      elicitation: async (params) => {
        if (params.mode === 'url') console.log(`open ${params.url} for: ${params.message}`); // a real app asks first
        return { action: 'accept' };
      },
    },
  },
);
const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
await client.connect(clientSide);
console.log((await client.callTool('connect_account')).content); // [{ type: 'text', text: 'Connected.' }]
await client.close();
