// Benchmark server: tsmcp with one `echo` tool over stdio.
import { McpServer } from '../../src/entries/server.js';
import { StdioServerTransport } from '../../src/transports/stdio/index.js';

const server = new McpServer({ name: 'bench-tsmcp', version: '1' });
server.registerTool(
  'echo',
  { inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
  (args) => ({
    content: [{ type: 'text', text: String(args.text) }],
  }),
);
const conn = await server.connect(new StdioServerTransport());
conn.onclose = () => process.exit(0);
