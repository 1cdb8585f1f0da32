// Test harness: a real authorization server (oidc-provider) on 127.0.0.1:0, configured for MCP:
// resource indicators (JWT or opaque + introspection access tokens, `aud` = the MCP resource), DCR,
// CIMD (documents served through its `fetch` hook), client_credentials, private_key_jwt, DPoP (± nonces),
// refresh rotation, PKCE S256, a headless login + consent route, a test jwt-bearer grant (workload JWTs or
// ID-JAGs) and, as an enterprise IdP, an ID-JAG token exchange (see id-jag.ts).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type JWK, type JWTPayload, SignJWT } from 'jose';
import { ID_JAG_TYP, type IdJagPolicy, registerIdJagExchange, verifyIdJag } from './id-jag.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface TestAsOptions {
  /** Access token format for MCP resources. Default 'jwt'. */
  format?: 'jwt' | 'opaque';
  /** Access token lifetime, seconds. Default 300. */
  accessTokenTTL?: number;
  /** DPoP proofs must carry an AS nonce (RFC 9449 §8). Default false. */
  dpopNonce?: boolean;
  /** Static clients (RFC 7591 metadata with client_id). */
  clients?: Record<string, unknown>[];
  /** Client ID Metadata Documents by URL, served to the AS through its `fetch` hook. */
  cimd?: Record<string, Record<string, unknown>>;
  /** The account the headless login signs in. Default 'alice'. */
  user?: string;
  /** The scope of MCP resources. Default 'mcp:tools'. */
  resourceScope?: string;
  /**
   * Also list the resource scope among the AS's own scopes (its `scopes_supported`, what DCR accepts in
   * `scope`). Default false. The official v2 client registers with the PRM's scopes; oidc-provider refuses
   * a registration naming a scope it does not list (invalid_client_metadata).
   */
  resourceScopeAtAs?: boolean;
  /** As an enterprise IdP: exchange this AS's ID tokens for ID-JAGs (RFC 8693) for the audiences mapped. */
  idJagPolicy?: IdJagPolicy;
  /** As an MCP AS: the enterprise IdP whose ID-JAGs (typ oauth-id-jag+jwt) the jwt-bearer grant accepts. */
  idJagIssuer?: string;
}

export interface TestAs {
  issuer: string;
  provider: any;
  /** Successful token requests by grant_type; AS errors by `<grant_type>:<error>`; other events by name. */
  counts: Map<string, number>;
  /** The workload identity key the jwt-bearer grant trusts: sign a workload JWT with it. */
  workloadJwt(claims: JWTPayload, lifetimeSec?: number): Promise<string>;
  /** Fetches used by the headless login (authorization endpoint → interactions → callback). */
  login(authorizationUrl: URL): Promise<void>;
  close(): Promise<void>;
}

/** oidc-provider warns on Node < 22 and about its dev memory adapter; both expected here. */
async function loadProvider(): Promise<any> {
  const warn = console.warn;
  console.warn = (...a: unknown[]) => {
    if (!String(a[0]).includes('oidc-provider')) warn(...a);
  };
  try {
    return (await import('oidc-provider')).default;
  } finally {
    console.warn = warn;
  }
}

async function privateJwk(alg: 'ES256' | 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `as-${alg}` };
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** Start an authorization server; every loopback resource is an MCP resource server at it. */
export async function startAs(o: TestAsOptions = {}): Promise<TestAs> {
  const Provider = await loadProvider();
  const counts = new Map<string, number>();
  const workload = await generateKeyPair('ES256');
  const user = o.user ?? 'alice';
  const resourceScope = o.resourceScope ?? 'mcp:tools';
  const ttl = o.accessTokenTTL ?? 300;
  const jwt = o.format !== 'opaque';
  const http = createServer();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const resourceInfo = (resource: string) => ({
    audience: resource,
    scope: resourceScope,
    accessTokenTTL: ttl,
    accessTokenFormat: jwt ? 'jwt' : 'opaque',
    ...(jwt ? { jwt: { sign: { alg: 'ES256' } } } : {}),
  });

  const warn = console.warn;
  console.warn = (...a: unknown[]) => {
    if (!String(a[0]).includes('oidc-provider')) warn(...a);
  };
  const keys = [await privateJwk('ES256'), await privateJwk('RS256')];
  let provider: any;
  try {
    provider = new Provider(issuer, {
      jwks: { keys },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      clients: o.clients ?? [],
      ...(o.resourceScopeAtAs ? { scopes: ['openid', 'offline_access', resourceScope] } : {}),
      findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
      pkce: { required: () => true },
      rotateRefreshToken: true,
      issueRefreshToken: (_ctx: unknown, client: any) => client.grantTypeAllowed('refresh_token'),
      ttl: {
        AccessToken: ttl,
        ClientCredentials: ttl,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
        RefreshToken: 3600,
        IdToken: 3600,
      },
      // The CIMD documents are served here, not over the network (the AS only fetches https URLs).
      fetch: async (url: string | URL) => {
        const doc = o.cimd?.[String(url)];
        bump(counts, 'cimd.fetch');
        return doc ? Response.json(doc) : new Response('not found', { status: 404 });
      },
      features: {
        devInteractions: { enabled: false },
        registration: { enabled: true },
        clientCredentials: { enabled: true },
        // Resource servers authenticate to introspect; public clients may not.
        introspection: {
          enabled: true,
          allowedPolicy: (_ctx: unknown, client: any) => client.clientAuthMethod !== 'none',
        },
        revocation: { enabled: true },
        dPoP: {
          enabled: true,
          nonceSecret: randomBytes(32),
          requireNonce: () => o.dpopNonce === true,
        },
        clientIdMetadataDocument: { enabled: true, ack: 'draft-02' },
        resourceIndicators: {
          enabled: true,
          defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf?.[0],
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => {
            if (!resource.startsWith('http://127.0.0.1:')) throw new Error('unknown resource');
            return resourceInfo(resource);
          },
        },
      },
    });
  } finally {
    console.warn = warn;
  }

  provider.on('grant.success', (ctx: any) => bump(counts, ctx.oidc.params.grant_type));
  provider.on('grant.error', (ctx: any, err: any) => bump(counts, `${ctx.oidc.params?.grant_type}:${err.error}`));
  for (const e of ['grant.revoked', 'refresh_token.consumed', 'registration_create.success'])
    provider.on(e, () => bump(counts, e));
  provider.on('server_error', (_ctx: unknown, err: Error) => warn('oidc-provider server_error', err));

  if (o.idJagPolicy) await registerIdJagExchange(provider, issuer, keys, o.idJagPolicy);

  // jwt-bearer (RFC 7523 §2.1): a workload JWT signed by the test workload key, aud = issuer, not expired;
  // or, with `idJagIssuer`, an ID-JAG from that IdP (told apart by its typ).
  provider.registerGrantType(
    JWT_BEARER,
    async (ctx: any) => {
      const { InvalidGrant, InvalidTarget } = (await import('oidc-provider')).errors;
      let sub: string;
      let jagResource: string | undefined;
      try {
        if (o.idJagIssuer && decodeProtectedHeader(ctx.oidc.params.assertion).typ === ID_JAG_TYP) {
          const opts = { idpIssuer: o.idJagIssuer, issuer, clientId: ctx.oidc.client?.clientId };
          ({ sub, resource: jagResource } = await verifyIdJag(ctx.oidc.params.assertion, opts));
          bump(counts, 'id-jag.accepted');
        } else {
          const { payload } = await jwtVerify(ctx.oidc.params.assertion, workload.publicKey, {
            audience: issuer,
            issuer: 'https://workload.test',
            requiredClaims: ['exp', 'sub'],
          });
          sub = payload.sub!;
        }
      } catch (e) {
        throw new InvalidGrant(`bad assertion: ${(e as Error).message}`);
      }
      const resource = ctx.oidc.params.resource;
      if (typeof resource !== 'string' || !resource.startsWith('http://127.0.0.1:')) throw new InvalidTarget();
      if (jagResource !== undefined && jagResource !== resource) throw new InvalidTarget('not the ID-JAG resource');
      const token = new provider.AccessToken({
        accountId: sub,
        client: ctx.oidc.client,
        gty: 'jwt_bearer',
        scope: resourceScope,
      });
      token.resourceServer = new provider.ResourceServer(resource, resourceInfo(resource));
      const value = await token.save();
      ctx.body = { access_token: value, token_type: token.tokenType, expires_in: token.expiration, scope: token.scope };
    },
    ['assertion', 'scope', 'resource'],
    ['resource'],
  );

  const callback = provider.callback();
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) interact(req, res).catch((e) => fail(res, e));
    else callback(req, res);
  });

  /** The headless user: logs in as `user`, then grants everything the client asked. */
  async function interact(req: IncomingMessage, res: ServerResponse) {
    const { prompt, params, grantId, session } = await provider.interactionDetails(req, res);
    if (prompt.name === 'login')
      return provider.interactionFinished(req, res, { login: { accountId: user } }, { mergeWithLastSubmission: false });
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const d = prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, (scopes as string[]).join(' '));
    bump(counts, 'consent');
    return provider.interactionFinished(
      req,
      res,
      { consent: { grantId: await grant.save() } },
      {
        mergeWithLastSubmission: true,
      },
    );
  }

  return {
    issuer,
    provider,
    counts,
    workloadJwt: (claims, lifetimeSec = 60) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('https://workload.test')
        .setIssuedAt(now)
        .setExpirationTime(now + lifetimeSec)
        .sign(workload.privateKey);
    },
    login: (url) => walk(url),
    close: () =>
      new Promise<void>((r) => {
        http.close(() => r());
        http.closeAllConnections();
      }),
  };
}

function fail(res: ServerResponse, e: unknown) {
  res.writeHead(500, { 'content-type': 'text/plain' });
  res.end(String(e));
}

/**
 * A headless browser for the authorization endpoint: follows redirects by hand with a cookie jar through
 * the interactions until the AS redirects to a URL outside itself (the client's callback), then GETs it.
 */
async function walk(start: URL): Promise<void> {
  const jar = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop < 12; hop++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    await res.body?.cancel();
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location)
      throw new Error(`headless login stuck at ${url.href}: HTTP ${res.status}`);
    const next = new URL(location, url);
    if (next.origin !== start.origin) {
      await (await fetch(next)).body?.cancel(); // the client's loopback callback
      return;
    }
    url = next;
  }
  throw new Error('headless login: too many redirects');
}
