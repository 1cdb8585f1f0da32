import { createServer, request } from 'node:http';
import { jwtVerifier, protectedResource } from 'tsmcp/auth';
import { createNodeHandler } from 'tsmcp/node';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'notes', version: '1.0.0' });
const rs = protectedResource({
  resource: 'https://mcp.example.com/mcp',
  authorizationServers: ['https://auth.example.com'],
  requiredScopes: ['mcp'],
  verifier: jwtVerifier({
    issuer: 'https://auth.example.com',
    audience: 'https://mcp.example.com/mcp',
    jwksUri: 'https://auth.example.com/jwks',
  }),
  onrefusal: (e) => console.warn(`token refused: ${e.reason} ${e.field}: expected ${e.expected}, got ${e.received}`),
});
const http = createServer(createNodeHandler(server, { auth: rs, allowedHosts: ['mcp.example.com'] })).listen(
  0,
  '127.0.0.1',
);
// or a Fetch API runtime (Bun, Deno, Workers): createWebHandler(server, { auth: rs, allowedHosts: ['mcp.example.com'] })

// A request without a token (sent to this process, as if through a proxy for mcp.example.com):
await new Promise((resolve) => http.once('listening', resolve));
const { port } = http.address() as { port: number };
const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', headers: { host: 'mcp.example.com' } });
req.end('{}');
const res = await new Promise<import('node:http').IncomingMessage>((resolve) => req.once('response', resolve));
console.log(res.statusCode, res.headers['www-authenticate']); // 401 Bearer resource_metadata="…", scope="mcp"
res.resume();
http.close();
