// v1's `server.server.elicitInput()` and the client's `setRequestHandler(ElicitRequestSchema, …)` become
// `ctx.elicit()` and the client's `handlers.elicitation`; the same code serves 2026-07-28 clients
// (a multi round-trip) and legacy sessions (a real elicitation/create request).
import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer, ToolError } from 'tsmcp/server';

const server = new McpServer({ name: 'files', version: '1.0.0' });
server.registerTool('delete_all', {}, async (_args, ctx) => {
  const answer = await ctx.elicit({
    message: 'Delete every file?',
    requestedSchema: { type: 'object', properties: { sure: { type: 'boolean' } }, required: ['sure'] },
  });
  if (answer.action !== 'accept' || answer.content?.sure !== true) throw new ToolError('Cancelled by the user');
  return { content: [{ type: 'text', text: 'Deleted.' }] };
});

for (const version of ['auto', 'legacy'] as const) {
  const [clientSide, serverSide] = createLinkedPair();
  await server.connect(serverSide);
  const client = new Client(
    { name: 'app', version: '1.0.0' },
    { version, handlers: { elicitation: () => ({ action: 'accept', content: { sure: true } }) } },
  );
  await client.connect(clientSide);
  const result = await client.callTool('delete_all');
  console.log(client.era, (result.content[0] as { text: string }).text); // modern Deleted. / legacy Deleted.
  await client.close();
}
