// The MCP side of the end-to-end tests: a tsmcp server protected by a real AS (see provider.ts), and
// a tsmcp client connected through the HTTP transport with an `auth` provider.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '../../../src/entries/client.js';
import {
  introspectionVerifier,
  jwtVerifier,
  protectedResource,
  type ProtectedResourceOptions,
  type TokenVerifier,
} from '../../../src/auth/index.js';
import type { HttpAuthProvider } from '../../../src/protocol/auth-provider.js';
import { StreamableHttpClientTransport } from '../../../src/transports/http/index.js';
import { authedServer, serveAuthed } from '../helpers.js';
import type { TestAs } from './provider.js';

/** The resource server's own credentials at the AS (for introspection); register it as a static client. */
export const RS_CLIENT = {
  client_id: 'mcp-rs',
  client_secret: 'rs-secret-rs-secret-rs-secret-rs-secret',
  grant_types: [],
  response_types: [],
  redirect_uris: [],
};

export interface Rs {
  /** The MCP endpoint, also the resource identifier (RFC 8707). */
  url: string;
  origin: string;
}

/**
 * A tsmcp server (`whoami` echoes the verified identity) at `<origin>/mcp`, accepting `as`'s tokens:
 * JWTs via its JWKS, or opaque ones via introspection. `wrap` may wrap the verifier (to count calls).
 */
export async function startRs(
  as: TestAs,
  o: {
    verifier?: 'jwt' | 'introspection';
    wrap?: (v: TokenVerifier) => TokenVerifier;
    dpop?: ProtectedResourceOptions['dpop'];
  } = {},
): Promise<Rs> {
  const { origin } = await serveAuthed('node', authedServer(), (origin) => {
    const resource = `${origin}/mcp`;
    const base =
      o.verifier === 'introspection'
        ? introspectionVerifier({
            endpoint: `${as.issuer}/token/introspection`,
            clientId: RS_CLIENT.client_id,
            clientSecret: RS_CLIENT.client_secret,
            audience: resource,
            issuer: as.issuer,
          })
        : jwtVerifier({ issuer: as.issuer, audience: resource, jwksUri: `${as.issuer}/jwks`, clockToleranceSec: 0 });
    return protectedResource({
      resource,
      authorizationServers: [as.issuer],
      scopesSupported: ['mcp:tools'],
      verifier: o.wrap ? o.wrap(base) : base,
      ...(o.dpop ? { dpop: o.dpop } : {}),
    });
  });
  return { url: `${origin}/mcp`, origin };
}

/** A connected tsmcp client; `close` it. */
export async function connect(url: string, auth: HttpAuthProvider, fetch?: typeof globalThis.fetch): Promise<Client> {
  const c = new Client({ name: 'oidc-e2e', version: '1.0.0' });
  await c.connect(new StreamableHttpClientTransport(url, { auth, ...(fetch ? { fetch } : {}) }));
  return c;
}

/** `whoami`'s answer: the identity the handler saw. */
export async function whoami(c: Client): Promise<{ subject?: string; clientId?: string; scopes?: string[] }> {
  const r = await c.callTool('whoami', {});
  return JSON.parse((r.content[0] as { text: string }).text);
}

/** A loopback redirect target for a third-party client's code flow: keeps the first callback URL it gets. */
export async function callbackCatcher(): Promise<{ redirectUri: string; caught: URL[]; close(): void }> {
  const caught: URL[] = [];
  const cb = createServer((req, res) => {
    if (caught.length < 1) caught.push(new URL(req.url!, 'http://127.0.0.1'));
    res.end('ok');
  });
  await new Promise<void>((r) => cb.listen(0, '127.0.0.1', r));
  const redirectUri = `http://127.0.0.1:${(cb.address() as AddressInfo).port}/cb`;
  return { redirectUri, caught, close: () => cb.close() };
}
