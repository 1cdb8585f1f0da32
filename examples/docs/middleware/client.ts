import { Client, type ClientMiddleware } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

export function propagateTrace(traceId: () => string): ClientMiddleware {
  return (req, next) => {
    req.options = { ...req.options, meta: { ...req.options.meta, 'com.example/trace': traceId() } };
    return next();
  };
}

const server = new McpServer({ name: 'demo', version: '1' });
server.registerTool('trace', {}, (_args, ctx) => ({
  content: [{ type: 'text', text: String(ctx.meta['com.example/trace']) }],
}));
const client = new Client({ name: 'app', version: '1' }).use(propagateTrace(() => 't-42'));
const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
await client.connect(clientSide);
console.log((await client.callTool('trace')).content); // [{ type: 'text', text: 't-42' }]
await client.close();
