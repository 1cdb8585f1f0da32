// Enterprise-managed authorization (SEP-990, draft-ietf-oauth-identity-assertion-authz-grant) on
// oidc-provider: the IdP side (an RFC 8693 token-exchange grant turning the IdP's own ID token into an
// ID-JAG) and the MCP AS side (verifying an ID-JAG presented to the RFC 7523 jwt-bearer grant).
import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import * as oauth from 'oauth4webapi';
import { callbackCatcher } from './mcp.js';
import type { TestAs } from './provider.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_JAG_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';
export const ID_JAG_TYP = 'oauth-id-jag+jwt';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const ID_JAG_TTL = 300;

/** Which resource AS the IdP issues ID-JAGs for, and the client id the requesting app has there. */
export type IdJagPolicy = (audience: string, idpClientId: string) => string | undefined;

/** The public half of the AS's signing keys (what it serves at /jwks). */
export function publicJwks(keys: JWK[]): JSONWebKeySet {
  return { keys: keys.map(({ d, p, q, dp, dq, qi, ...pub }) => pub) };
}

/**
 * The IdP's token-exchange grant (ID-JAG draft §4.3): the subject token must be an ID token this IdP
 * issued to the requesting client; `audience` must be an AS the policy knows. The ID-JAG (typ
 * oauth-id-jag+jwt, signed with the IdP's published key) names the user, the AS, the client there and
 * the resource.
 */
export async function registerIdJagExchange(
  provider: any,
  issuer: string,
  keys: JWK[],
  policy: IdJagPolicy,
): Promise<void> {
  const { InvalidGrant, InvalidRequest, InvalidTarget } = (await import('oidc-provider')).errors;
  const own = createLocalJWKSet(publicJwks(keys));
  const signing = keys.find((k) => k.alg === 'ES256')!;
  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx: any) => {
      const p = ctx.oidc.params;
      const clientId: string = ctx.oidc.client.clientId;
      if (p.requested_token_type !== ID_JAG_TYPE) throw new InvalidRequest('requested_token_type must be an ID-JAG');
      if (p.subject_token_type !== ID_TOKEN_TYPE) throw new InvalidRequest('subject_token_type must be an ID token');
      let sub: string;
      try {
        ({ sub } = (await jwtVerify(p.subject_token, own, { issuer, audience: clientId, requiredClaims: ['sub'] }))
          .payload as { sub: string });
      } catch (e) {
        throw new InvalidGrant(`bad subject_token: ${(e as Error).message}`);
      }
      const atAs = typeof p.audience === 'string' ? policy(p.audience, clientId) : undefined;
      if (atAs === undefined) throw new InvalidTarget('no ID-JAG for this audience');
      const now = Math.floor(Date.now() / 1000);
      const jag = await new SignJWT({
        client_id: atAs,
        jti: randomUUID(),
        ...(p.resource ? { resource: p.resource } : {}),
        ...(p.scope ? { scope: p.scope } : {}),
      })
        .setProtectedHeader({ alg: 'ES256', typ: ID_JAG_TYP, kid: signing.kid! })
        .setIssuer(issuer)
        .setSubject(sub)
        .setAudience(p.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + ID_JAG_TTL)
        .sign(await importJWK(signing, 'ES256'));
      ctx.body = {
        issued_token_type: ID_JAG_TYPE,
        access_token: jag,
        token_type: 'N_A',
        expires_in: ID_JAG_TTL,
        ...(p.scope ? { scope: p.scope } : {}),
      };
    },
    ['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'resource', 'scope'],
  );
}

/**
 * The AS side (ID-JAG draft §5.1): an ID-JAG from the trusted IdP, verified with the IdP's JWKS, typed
 * oauth-id-jag+jwt, `aud` = this issuer, naming the authenticated client. Returns the user and resource.
 */
export async function verifyIdJag(
  jag: string,
  o: { idpIssuer: string; issuer: string; clientId: string | undefined },
): Promise<{ sub: string; resource: string | undefined }> {
  const jwks = createRemoteJWKSet(new URL(`${o.idpIssuer}/jwks`));
  const { payload } = await jwtVerify(jag, jwks, {
    issuer: o.idpIssuer,
    audience: o.issuer,
    typ: ID_JAG_TYP,
    requiredClaims: ['exp', 'iat', 'sub', 'jti', 'client_id'],
  });
  if (payload.client_id !== o.clientId) throw new Error(`client_id ${String(payload.client_id)} is not the client`);
  return { sub: payload.sub!, resource: typeof payload.resource === 'string' ? payload.resource : undefined };
}

/**
 * The user's ID token from the IdP: an authorization code flow (PKCE) by oauth4webapi, the headless user
 * at the IdP, the code caught on a loopback callback.
 */
export async function idTokenFrom(
  idp: TestAs,
  client: { client_id: string; client_secret: string },
  method: 'basic' | 'post' = 'basic',
): Promise<string> {
  const insecure = { [oauth.allowInsecureRequests]: true }; // loopback http only
  const { redirectUri, caught, close } = await callbackCatcher();
  try {
    const issuer = new URL(idp.issuer);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint!);
    for (const [k, v] of Object.entries({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(k, v);
    await idp.login(url);
    const c = { client_id: client.client_id };
    const auth = (method === 'post' ? oauth.ClientSecretPost : oauth.ClientSecretBasic)(client.client_secret);
    const params = oauth.validateAuthResponse(as, c, new URL(`${redirectUri}${caught[0]!.search}`));
    const res = await oauth.authorizationCodeGrantRequest(as, c, auth, params, redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, c, res);
    return tokens.id_token!;
  } finally {
    close();
  }
}
