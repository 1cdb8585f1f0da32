// A module for `tsmcp serve`: it only builds and exports the server; the CLI connects it (stdio or --http).
import * as z from 'zod';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'greeter', version: '1.0.0' });

server.registerTool(
  'greet',
  { description: 'Says hello, slowly', inputSchema: z.object({ name: z.string() }) },
  async ({ name }, ctx) => {
    for (let step = 1; step <= 3; step++) await ctx.progress(step, 3, `step ${step} of 3`);
    return { content: [{ type: 'text', text: `Hello, ${name}!` }] };
  },
);

server.registerTool('order', { description: 'Asks what to order', inputSchema: z.object({}) }, async (_args, ctx) => {
  const answer = await ctx.elicit({
    message: 'What would you like?',
    requestedSchema: {
      type: 'object',
      properties: {
        size: { type: 'string', enum: ['small', 'large'] },
        count: { type: 'integer', default: 1 },
      },
      required: ['size'],
    },
  });
  if (answer.action !== 'accept') return { content: [{ type: 'text', text: 'Nothing ordered' }] };
  return { content: [{ type: 'text', text: `Ordered ${answer.content?.count} ${answer.content?.size}` }] };
});

export default server;
