// docs/authorization.md, runnable (npm run example:auth): an MCP server protected by protectedResource, a
// client with the client_credentials grant that steps up on 403, and a tiny authorization server for the demo.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AuthError, jwtVerifier, oauthClient, protectedResource } from '../../src/auth/index.js';
import { Client } from '../../src/entries/client.js';
import { McpServer, type RequestContext } from '../../src/entries/server.js';
import { TsmcpError } from '../../src/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';

// --- The MCP server: what a real deployment writes --------------------------------------------------------

/** Tools that need scopes, declared at registration; each answers with what its handler saw. */
export function notesServer(): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  const seen = (ctx: RequestContext) => {
    const auth = ctx.identity.auth; // what the verifier returned, never a claim from _meta
    return `principal=${server.server.principal(ctx)} client=${auth?.clientId} scopes=${auth?.scopes?.join(',')}`;
  };
  server.registerTool('read_notes', { scopes: ['notes:read'] }, (_args, ctx) => ({
    content: [{ type: 'text', text: seen(ctx) }],
  }));
  server.registerTool('add_note', { scopes: ['notes:write'] }, (_args, ctx) => ({
    content: [{ type: 'text', text: seen(ctx) }],
  }));
  server.registerTool('purge_notes', { scopes: ['notes:admin'] }, () => ({
    content: [{ type: 'text', text: 'purged' }],
  }));
  return server;
}

/** Serve `server` on 127.0.0.1 behind protectedResource; `issuer` is the authorization server it trusts. */
export async function serveProtected(server: McpServer, issuer: string): Promise<{ url: string; http: Server }> {
  const http = createServer();
  await listen(http);
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  const auth = protectedResource({
    resource: url, // tokens must name it as audience (RFC 8707)
    authorizationServers: [issuer],
    requiredScopes: ['notes:read'], // every request; the 401 challenge asks for it
    scopesSupported: ['notes:read', 'notes:write', 'notes:admin'],
    verifier: jwtVerifier({ issuer, audience: url, jwksUri: `${issuer}/jwks` }),
  });
  http.on('request', createNodeHandler(server, { auth }));
  return { url, http };
}

// --- The client: a service with its own credentials -----------------------------------------------------

export async function connectService(url: string): Promise<Client> {
  const client = new Client({ name: 'notes-bot', version: '1.0.0' });
  const auth = oauthClient({
    serverUrl: url,
    grant: { type: 'client_credentials', clientId: 'notes-bot', clientSecret: 'demo-secret' },
  });
  await client.connect(new StreamableHttpClientTransport(url, { auth }));
  return client;
}

// --- A tiny authorization server, only for the demo -------------------------------------------------------
// RFC 8414 metadata, a JWKS and a client_credentials token endpoint that signs RFC 9068 at+jwt access tokens
// for the `resource` asked. It grants notes:read and notes:write to notes-bot, nothing else.

const CLIENTS = new Map([['notes-bot', { secret: 'demo-secret', scopes: ['notes:read', 'notes:write'] }]]);

export async function demoAuthorizationServer(log: (line: string) => void): Promise<{ issuer: string; http: Server }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'demo', alg: 'ES256', use: 'sig' };
  const http = createServer(async (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/.well-known/oauth-authorization-server')
      return json(200, {
        issuer,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        scopes_supported: ['notes:read', 'notes:write', 'notes:admin'],
      });
    if (req.method === 'GET' && req.url === '/jwks') return json(200, { keys: [jwk] });
    if (req.method !== 'POST' || req.url !== '/token') return json(404, { error: 'not_found' });
    const form = new URLSearchParams(await text(req));
    const [id, secret] = basicCredentials(req.headers.authorization);
    const client = id === undefined ? undefined : CLIENTS.get(id);
    if (!client || client.secret !== secret) return json(401, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
    const scope = form.get('scope') ?? '';
    const denied = scope.split(' ').filter((s) => s && !client.scopes.includes(s));
    log(`token request: scope "${scope}"${denied.length ? `, refused (${denied.join(' ')})` : ''}`);
    if (denied.length) return json(400, { error: 'invalid_scope', error_description: `not for ${id}` });
    const accessToken = await new SignJWT({ client_id: id, scope })
      .setProtectedHeader({ alg: 'ES256', kid: 'demo', typ: 'at+jwt' })
      .setIssuer(issuer)
      .setSubject(id!) // RFC 9068 §2.2: for client_credentials, the client itself
      .setAudience(form.get('resource') ?? '')
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(crypto.randomUUID())
      .sign(privateKey);
    return json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300, scope });
  });
  await listen(http);
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { issuer, http };
}

function basicCredentials(header: string | undefined): [string?, string?] {
  const m = /^Basic (.+)$/i.exec(header ?? '');
  if (!m) return [];
  const [id, secret] = Buffer.from(m[1]!, 'base64').toString().split(':');
  return [decodeURIComponent(id ?? '').replace(/\+/g, ' '), decodeURIComponent(secret ?? '').replace(/\+/g, ' ')];
}

async function text(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s;
}

const listen = (http: Server) => new Promise<void>((r) => http.listen(0, '127.0.0.1', r));

// --- The run ----------------------------------------------------------------------------------------------

/** Runs the demo, writing one line per step to `log`. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const as = await demoAuthorizationServer(log);
  const mcp = await serveProtected(notesServer(), as.issuer);
  const client = await connectService(mcp.url);
  const text = async (name: string) => {
    const r = await client.callTool(name);
    return (r.content[0] as { text: string }).text;
  };
  try {
    log(`read_notes: ${await text('read_notes')}`);
    // 403 insufficient_scope naming notes:write: the client asks for held ∪ needed scopes, then calls again.
    log(`add_note: ${await text('add_note')}`);
    try {
      await text('purge_notes');
    } catch (e) {
      // The authorization server refuses notes:admin: the transport's TSMCP_HTTP error carries its AuthError.
      const cause = e instanceof TsmcpError ? e.cause : undefined;
      if (!(cause instanceof AuthError)) throw e;
      log(`purge_notes: failed, ${cause.code} (${cause.received})`);
    }
  } finally {
    await client.close();
    for (const http of [mcp.http, as.http]) {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await main();
