import { Client } from 'tsmcp/client';
import { createLinkedPair } from 'tsmcp/memory';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'review', version: '1.0.0' });
server.registerPrompt(
  'code_review',
  {
    description: 'Review a change',
    arguments: [
      { name: 'language', required: true },
      { name: 'focus', description: 'What to look at first' },
    ],
  },
  // Arguments are strings; a missing required one is refused before the handler runs.
  ({ language, focus }) => [
    {
      role: 'user',
      content: { type: 'text', text: `Review this ${language} change${focus ? `, focusing on ${focus}` : ''}.` },
    },
  ],
);

const [clientSide, serverSide] = createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'app', version: '1.0.0' });
await client.connect(clientSide);
console.log((await client.listAllPrompts()).map((p) => p.name)); // ['code_review']
const prompt = await client.getPrompt('code_review', { language: 'TypeScript', focus: 'errors' });
console.log(prompt.messages[0]?.content); // { type: 'text', text: 'Review this TypeScript change, focusing on errors.' }
console.log(await client.getPrompt('code_review', {}).catch((e: Error) => e.message)); // names the missing argument
await client.close();
