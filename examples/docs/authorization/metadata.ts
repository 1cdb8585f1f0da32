import express from 'express';
import { jwtVerifier, metadataNodeHandler, metadataWebHandler, protectedResource } from 'tsmcp/auth';
import { createExpressHandler } from 'tsmcp/express';
import { McpServer } from 'tsmcp/server';

const server = new McpServer({ name: 'notes', version: '1.0.0' });
const rs = protectedResource({
  resource: 'http://127.0.0.1:3000/mcp', // loopback may be http; anything else must be https
  authorizationServers: ['https://auth.example.com'],
  verifier: jwtVerifier({
    issuer: 'https://auth.example.com',
    audience: 'http://127.0.0.1:3000/mcp',
    jwksUri: 'https://auth.example.com/jwks',
  }),
});
const app = express();
app.use(metadataNodeHandler(rs)); // GET /.well-known/oauth-protected-resource/mcp (and the root one)
app.all('/mcp', createExpressHandler(server, { auth: rs }));
// Fetch API routers: if (new URL(req.url).pathname.startsWith('/.well-known/')) return metadataWebHandler(rs)(req);

const http = app.listen(0, '127.0.0.1');
await new Promise((resolve) => http.once('listening', resolve));
const { port } = http.address() as { port: number };
const res = await fetch(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`);
console.log(await res.json()); // { resource: 'http://127.0.0.1:3000/mcp', authorization_servers: [...], ... }
console.log(typeof metadataWebHandler(rs)); // 'function': (req: Request) => Promise<Response>
http.close();
