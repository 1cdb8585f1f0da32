// Who is calling comes from the transport, never from `_meta`: the `authenticate` option verifies every
// request before MCP sees it. Handlers read `ctx.identity.auth`; its `subject` is the principal that
// tasks, multi round-trip state and legacy sessions are bound to. For OAuth use tsmcp/auth's
// `protectedResource()` as the `auth` option instead (docs/authorization.md).
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport, createWebHandler } from 'tsmcp/http';
import { McpServer } from 'tsmcp/server';

const keys = new Map([['key-of-ada', 'ada']]); // e.g. API keys from your database

const server = new McpServer({ name: 'private', version: '1.0.0' });
server.registerTool('whoami', {}, (_args, ctx) => ({
  content: [{ type: 'text', text: `You are ${ctx.identity.auth?.subject}` }],
}));
const handler = createWebHandler(server, {
  authenticate: ({ header }) => {
    const subject = keys.get(header('authorization')?.replace(/^Bearer /, '') ?? '');
    if (!subject) throw new Error('no valid API key'); // 401 (an McpError with httpStatus picks another)
    return { subject };
  },
});
const fetchHandler = (input: RequestInfo | URL, init?: RequestInit) => handler(new Request(input, init));

const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(
  new StreamableHttpClientTransport('http://localhost/mcp', {
    fetch: fetchHandler,
    headers: { authorization: 'Bearer key-of-ada' },
  }),
);
console.log(((await client.callTool('whoami')).content[0] as { text: string }).text); // You are ada
await client.close();

const anonymous = new Client({ name: 'app', version: '1.0.0' });
await anonymous
  .connect(new StreamableHttpClientTransport('http://localhost/mcp', { fetch: fetchHandler }))
  .catch((error: Error) => console.log('without a key:', error.message));
handler.core.close();
