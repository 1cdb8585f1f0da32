import { jwtVerifier, protectedResource, requireScopes } from 'tsmcp/auth';
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const rs = protectedResource({
  resource: 'https://mcp.example.com/mcp',
  authorizationServers: ['https://auth.example.com'],
  verifier: jwtVerifier({
    issuer: 'https://auth.example.com',
    audience: 'https://mcp.example.com/mcp',
    jwksUri: 'https://auth.example.com/jwks',
  }),
});
const server = new McpServer({ name: 'files', version: '1.0.0' }, { hideUnauthorized: true });
server.registerTool('delete_file', { scopes: ['files:write'] }, (_args, ctx) => ({
  content: [{ type: 'text', text: `deleted for ${ctx.identity.auth?.subject}` }],
}));
server.registerResource('audit', 'files://audit', { scopes: ['files:audit'] }, () => [
  { uri: 'files://audit', text: '...' },
]);
server.registerPrompt('review', { scopes: ['files:read'] }, () => [
  { role: 'user', content: { type: 'text', text: 'Review the changes' } },
]);
// A table on top (or instead): per tool and per method, both checked, one 403 naming every scope needed.
server.use(requireScopes(rs, { methods: { 'resources/read': ['files:read'] }, tools: { delete_file: ['admin'] } }));

// A memory connection whose caller holds files:write only: delete_file also needs admin.
const [clientSide, serverSide] = createLinkedPair({
  identity: { transport: 'memory', auth: { subject: 'ada', scopes: ['files:write'] } },
});
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
console.log((await client.listTools()).tools.map((t) => t.name)); // ['delete_file'] (review, audit hidden)
console.log(await client.callTool('delete_file').catch((e: Error) => e.message)); // Forbidden: … (files:write admin)
await client.close();
