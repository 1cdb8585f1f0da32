// Demo client: spawns the demo server over stdio and drives every feature, printing a short transcript.
import { fileURLToPath } from 'node:url';
import { Client } from '../../src/entries/client.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';

const serverPath = fileURLToPath(new URL('./server.js', import.meta.url));
const say = (who: string, what: string) => console.log(`${who.padEnd(7)} ${what}`);

const client = new Client(
  { name: 'tsmcp-demo-client', version: '0.1.0' },
  {
    handlers: {
      // A real application would show a form; the demo traveller always says 3 nights.
      elicitation: (params) => {
        say('user', `was asked "${params.message}" and answered 3`);
        return { action: 'accept', content: { nights: 3 } };
      },
    },
  },
);

await client.connect(new StdioClientTransport({ command: process.execPath, args: [serverPath], stderr: 'inherit' }));
say('client', `connected to ${client.serverInfo?.name} using protocol ${client.protocolVersion} (${client.era} era)`);

const tools = await client.listAllTools();
say('server', `offers tools: ${tools.map((t) => t.name).join(', ')}`);

const forecast = await client.callTool(
  'forecast',
  { city: 'Lisbon' },
  { onprogress: (p) => say('server', `progress ${p.progress}/${p.total}: ${p.message}`) },
);
say('server', `forecast → ${JSON.stringify(forecast.structuredContent)}`);

const missing = await client.callTool('forecast', { city: 'Atlantis' });
say('server', `forecast for Atlantis → isError=${missing.isError}: ${(missing.content[0] as { text: string }).text}`);

const booking = await client.callTool('book_trip', { city: 'Oslo' });
say('server', `book_trip → ${(booking.content[0] as { text: string }).text}`);

const about = await client.readResource('demo://about');
say('server', `demo://about → ${(about.contents[0] as { text: string }).text}`);
const templates = await client.listAllResourceTemplates();
say('server', `templates: ${templates.map((t) => t.uriTemplate).join(', ')}`);
const city = await client.readResource('demo://cities/paris');
say('server', `demo://cities/paris → ${(city.contents[0] as { text: string }).text}`);
const completion = await client.complete({
  ref: { type: 'ref/resource', uri: 'demo://cities/{city}' },
  argument: { name: 'city', value: 'o' },
});
say('server', `completions for city "o…": ${completion.values.join(', ')}`);

const prompt = await client.getPrompt('packing_list', { city: 'Oslo' });
say('server', `packing_list prompt → ${JSON.stringify(prompt.messages[0]?.content)}`);

await client.close();
say('client', 'closed the connection; the server exited');
