// `npm run conformance:server -- --stdio`: the everything server on stdio.
// Streamable HTTP follows with the HTTP transport; until then only --stdio is served.
import { StdioServerTransport } from '../../src/transports/stdio/index.js';
import { createEverythingServer } from './everything.js';

const server = createEverythingServer();
if (process.argv.includes('--stdio')) {
  const transport = new StdioServerTransport();
  const conn = await server.connect(transport);
  conn.onclose = () => process.exit(0);
} else {
  console.error('The Streamable HTTP front is not built yet; run with --stdio.');
  process.exit(2);
}
