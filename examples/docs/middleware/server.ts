import { ErrorCode, McpError } from 'tsmcp';
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { requestLogger } from 'tsmcp/middleware';
import { McpServer, type Middleware } from 'tsmcp/server';

/** Refuse tool calls from anonymous callers (the principal comes from the transport, never from `_meta`). */
export const requireSignIn: Middleware = async (req, next) => {
  if (req.method === 'tools/call' && req.principal === undefined)
    throw new McpError(ErrorCode.InvalidRequest, 'Sign in first');
  return next();
};
const server = new McpServer({ name: 'demo', version: '1' });
server.registerTool('whoami', {}, (_args, ctx) => ({
  content: [{ type: 'text', text: `${ctx.identity.auth?.subject}` }],
}));
server.use(requestLogger()).use(requireSignIn);

// An anonymous memory connection, then one whose transport vouches for "ada".
for (const identity of [undefined, { transport: 'memory', auth: { subject: 'ada' } }]) {
  const [clientSide, serverSide] = createLinkedPair(identity ? { identity } : {});
  await server.connect(serverSide);
  const client = new Client({ name: 'app', version: '1' });
  await client.connect(clientSide);
  const answer = await client.callTool('whoami').then(
    (r) => r.content,
    (e: Error) => e.message,
  );
  console.log(answer); // 'Sign in first', then [{ type: 'text', text: 'ada' }]
  await client.close();
}
