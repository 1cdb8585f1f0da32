import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'whoami', version: '1.0.0' });
server.registerTool('whoami', {}, (_args, ctx) => {
  const auth = ctx.identity.auth; // { subject, clientId, scopes, expiresAt, token, extra: { claims } }
  const principal = server.server.principal(ctx); // auth.subject, else `oauth-client:<clientId>`
  return { content: [{ type: 'text', text: `${principal} (${auth?.scopes?.join(' ')})` }] };
});
// Bind state to something else (a tenant claim), from verified credentials only, never from _meta:
export const tenants = new McpServer(
  { name: 'tenants', version: '1.0.0' },
  { principalOf: ({ identity }) => (identity.auth?.extra?.claims as { tid?: string } | undefined)?.tid },
);

// Here the memory transport stands for a verified caller (over HTTP, the `auth` option's verifier).
const [clientSide, serverSide] = createLinkedPair({
  identity: { transport: 'memory', auth: { clientId: 'bot', scopes: ['notes:read'] } },
});
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
console.log((await client.callTool('whoami')).content); // [{ type: 'text', text: 'oauth-client:bot (notes:read)' }]
await client.close();
