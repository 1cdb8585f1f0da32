// The code of docs/authorization.md that index.ts does not run: type-checked with the rest, and
// test/auth/example.test.ts checks that every line of the page's code blocks is found here or in index.ts.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import {
  AuthError,
  type DpopReplayCache,
  InMemoryDpopReplayCache,
  idJagAssertion,
  InvalidTokenError,
  introspectionVerifier,
  jwtVerifier,
  metadataNodeHandler,
  metadataWebHandler,
  oauthClient,
  type ProtectedResource,
  protectedResource,
  requireScopes,
  type StoredTokens,
  type TokenStore,
  type TokenVerifier,
} from '../../src/auth/index.js';
import { FileTokenStore, loopbackLogin } from '../../src/auth/node/index.js';
import { Client } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import { TsmcpError } from '../../src/index.js';
import { createExpressHandler } from '../../src/transports/http/adapters/express.js';
import { createWebHandler, StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';

declare const server: McpServer;
declare const rs: ProtectedResource;
declare const url: string;

// --- Server: protect a server ---------------------------------------------------------------------------

export function protect() {
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
  createServer(createNodeHandler(server, { auth: rs, allowedHosts: ['mcp.example.com'] })).listen(3000);
  // or a Fetch API runtime (Bun, Deno, Workers): createWebHandler(server, { auth: rs, allowedHosts: ['mcp.example.com'] })
  return createWebHandler(server, { auth: rs, allowedHosts: ['mcp.example.com'] });
}

export function mountedBelowTheRoot() {
  const app = express();
  app.use(metadataNodeHandler(rs)); // GET /.well-known/oauth-protected-resource/mcp (and the root one)
  app.all('/mcp', createExpressHandler(server, { auth: rs, allowedHosts: ['mcp.example.com'] }));
  // Fetch API routers: if (new URL(req.url).pathname.startsWith('/.well-known/')) return metadataWebHandler(rs)(req);
  return [app, metadataWebHandler(rs)] as const;
}

// --- Server: verifiers ------------------------------------------------------------------------------------

export function keycloakStyle() {
  const verifier = jwtVerifier({
    issuer: 'https://sso.example.com/realms/acme',
    audience: 'https://mcp.example.com/mcp',
    jwksUri: 'https://sso.example.com/realms/acme/protocol/openid-connect/certs',
    typ: ['JWT'], // Keycloak and Entra ID type their access tokens `JWT`, not RFC 9068's `at+jwt`
  });
  return verifier;
}

export function opaqueTokens() {
  const verifier = introspectionVerifier({
    endpoint: 'https://auth.example.com/introspect',
    clientId: 'mcp-resource-server',
    clientSecret: process.env.INTROSPECTION_SECRET!,
    audience: 'https://mcp.example.com/mcp',
    issuer: 'https://auth.example.com',
  });
  return verifier;
}

/** Your own check (API keys here): throw InvalidTokenError for a bad token (401); any other throw is a 503. */
export function apiKeyVerifier(keys: Map<string, { owner: string; scopes: string[] }>): TokenVerifier {
  return {
    async verify(token) {
      const key = keys.get(token);
      if (!key) throw new InvalidTokenError('inactive', 'unknown API key', 'token', 'a known key', 'another');
      return { subject: key.owner, scopes: key.scopes, token };
    },
  };
}

// --- Server: scopes ---------------------------------------------------------------------------------------

export function scopes() {
  const server = new McpServer({ name: 'files', version: '1.0.0' }, { hideUnauthorized: true });
  server.registerTool('delete_file', { scopes: ['files:write'] }, (_args, ctx) => ({
    content: [{ type: 'text', text: `deleted for ${ctx.identity.auth?.subject}` }],
  }));
  server.registerResource('audit', 'files://audit', { scopes: ['files:audit'] }, () => [
    { uri: 'files://audit', text: '...' },
  ]);
  server.registerPrompt('review', { scopes: ['files:read'] }, () => [
    { role: 'user', content: { type: 'text', text: 'Review the changes' } },
  ]);
  // A table on top (or instead): per tool and per method, both checked, one 403 naming every scope needed.
  server.use(requireScopes(rs, { methods: { 'resources/read': ['files:read'] }, tools: { delete_file: ['admin'] } }));
  return server;
}

// --- Server: DPoP -----------------------------------------------------------------------------------------

/** A replay cache every instance shares; `kv` stands for your store (Redis: `SET key 1 NX PX ttl`). */
export function sharedReplayCache(kv: { setIfAbsent(key: string, ttlMs: number): Promise<boolean> }): DpopReplayCache {
  return { seen: async (jti, expiresAt) => !(await kv.setIfAbsent(`dpop:${jti}`, expiresAt - Date.now())) };
}

export function dpopResource(replayCache: DpopReplayCache) {
  const rs = protectedResource({
    resource: 'https://mcp.example.com/mcp',
    authorizationServers: ['https://auth.example.com'],
    verifier: keycloakStyle(),
    dpop: {
      required: true, // Bearer refused; metadata says dpop_bound_access_tokens_required
      nonce: { secret: process.env.DPOP_NONCE_SECRET! }, // the same secret on every instance
      replayCache, // shared by the fleet; default: new InMemoryDpopReplayCache() per process
    },
  });
  return rs;
}
export const oneProcess = new InMemoryDpopReplayCache({ maxEntries: 200_000 });

// --- Server: what handlers see ------------------------------------------------------------------------------

export function whoami() {
  const server = new McpServer({ name: 'whoami', version: '1.0.0' });
  server.registerTool('whoami', {}, (_args, ctx) => {
    const auth = ctx.identity.auth; // { subject, clientId, scopes, expiresAt, token, extra: { claims } }
    const principal = server.server.principal(ctx); // auth.subject, else `oauth-client:<clientId>`
    return { content: [{ type: 'text', text: `${principal} (${auth?.scopes?.join(' ')})` }] };
  });
  // Bind state to something else (a tenant claim), from verified credentials only, never from _meta:
  const tenants = new McpServer(
    { name: 'tenants', version: '1.0.0' },
    { principalOf: ({ identity }) => (identity.auth?.extra?.claims as { tid?: string } | undefined)?.tid },
  );
  return [server, tenants];
}

// --- Client: interactive login (CLI, desktop) -----------------------------------------------------------------

export async function interactive() {
  const login = loopbackLogin({ open: (u) => console.error(`Log in at ${u.href}`) });
  const auth = oauthClient({
    serverUrl: url,
    store: new FileTokenStore(join(homedir(), '.config', 'my-cli', 'tokens.json')),
    clientMetadata: { client_name: 'My CLI' }, // sent with dynamic registration
    ...login,
  });
  const client = new Client({ name: 'my-cli', version: '1.0.0' });
  await client.connect(new StreamableHttpClientTransport(url, { auth }));
  return client;
}

// --- Client: non-interactive grants -------------------------------------------------------------------------

export async function privateKeyJwt() {
  const auth = oauthClient({
    serverUrl: url,
    grant: {
      type: 'client_credentials',
      clientId: 'reporting-job',
      privateKey: await readFile(process.env.CLIENT_KEY_PEM!, 'utf8'), // PKCS#8 PEM; jose signs the assertion
    },
  });
  return auth;
}

export function workloadIdentity() {
  const auth = oauthClient({
    serverUrl: url,
    grant: { type: 'jwt_bearer', assertion: () => readFile(process.env.WORKLOAD_TOKEN_FILE!, 'utf8') },
  });
  return auth;
}

export function enterpriseManaged(idToken: () => Promise<string>) {
  const auth = oauthClient({
    serverUrl: url,
    grant: {
      type: 'jwt_bearer',
      clientId: 'my-agent', // this client at the MCP server's authorization server
      clientSecret: process.env.MCP_AS_SECRET!,
      assertion: idJagAssertion({
        idpTokenEndpoint: 'https://idp.example.com/oauth2/token',
        subjectToken: idToken, // the user's ID token from your SSO login
        clientId: 'my-agent-at-idp',
        clientSecret: process.env.IDP_SECRET!,
      }),
    },
  });
  return auth;
}

// --- Client: DPoP, refresh, stores --------------------------------------------------------------------------

export function dpopAlways() {
  const auth = oauthClient({
    serverUrl: url,
    grant: { type: 'client_credentials', clientId: 'svc', clientSecret: process.env.CLIENT_SECRET! },
    dpop: { force: true }, // DPoP even where the resource does not ask (the AS must offer ES256)
  });
  return auth;
}

export function refreshEarlier(store: TokenStore) {
  const auth = oauthClient({ serverUrl: url, store, refreshSkewSeconds: 120, ...loopbackLogin() });
  return auth;
}

/** A TokenStore over your database; `lock` makes a fleet spend a rotating refresh token once. */
export function databaseStore(db: {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}): TokenStore {
  const read = async <T>(key: string) => {
    const v = await db.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  };
  const store: TokenStore = {
    getClient: (issuer) => read(`client ${issuer}`),
    setClient: (issuer, client) => db.put(`client ${issuer}`, JSON.stringify(client)),
    getTokens: (issuer, resource) => read<StoredTokens>(`tokens ${issuer} ${resource}`),
    setTokens: (issuer, resource, tokens) => db.put(`tokens ${issuer} ${resource}`, JSON.stringify(tokens)),
    lock: (issuer, resource, fn) => db.withLock(`tokens ${issuer} ${resource}`, fn),
  };
  return store;
}

// --- Client: errors ---------------------------------------------------------------------------------------

/** The AuthError behind a failed call: thrown as is, or the cause of the transport's TSMCP_HTTP error. */
export function authErrorOf(e: unknown): AuthError | undefined {
  for (let x = e, depth = 0; x instanceof TsmcpError && depth < 3; x = x.cause, depth++)
    if (x instanceof AuthError) return x;
  return undefined;
}

export async function callWithAuthErrors(client: Client) {
  try {
    return await client.callTool('deploy');
  } catch (e) {
    const auth = authErrorOf(e);
    if (auth?.code === 'TSMCP_AUTH_TOKEN') console.error(`the authorization server said ${auth.received}`);
    throw e;
  }
}
