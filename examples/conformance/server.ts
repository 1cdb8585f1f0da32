// `npm run conformance:server`: the everything server at http://127.0.0.1:$PORT/mcp (PORT defaults to
// 3000), both eras on one endpoint; `-- --stdio` serves it on stdio instead; `-- --middleware` installs a
// pass-through middleware and the request logger (stderr), to show the seam changes nothing on the wire.
import { createServer } from 'node:http';
import { requestLogger } from '../../src/middleware/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { StdioServerTransport } from '../../src/transports/stdio/index.js';
import { createEverythingServer } from './everything.js';

const server = createEverythingServer();
if (process.argv.includes('--middleware')) server.use((_req, next) => next()).use(requestLogger());
if (process.argv.includes('--stdio')) {
  const conn = await server.connect(new StdioServerTransport());
  conn.onclose = () => process.exit(0);
} else {
  const port = Number(process.env.PORT ?? 3000);
  const mcp = createNodeHandler(server);
  const http = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname === '/mcp') return mcp(req, res);
    res.writeHead(404).end();
  });
  http.listen(port, '127.0.0.1', () => {
    const a = http.address();
    console.error(`everything server on http://127.0.0.1:${typeof a === 'object' && a ? a.port : port}/mcp`);
  });
  const stop = () => {
    mcp.core.close();
    http.close(() => process.exit(0));
    http.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
