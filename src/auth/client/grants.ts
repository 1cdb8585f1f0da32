// The OAuth client's non-interactive grants: client_credentials (OAuth 2.1 §4.2, SEP-1046) with a secret or
// a private_key_jwt client assertion (RFC 7523 §2.2), and the JWT-bearer grant (RFC 7523 §2.1: workload
// identity, enterprise ID-JAG) whose assertion comes from a callback.
import { jose } from '../jose.js';
import { TsmcpError } from '../../protocol/errors.js';
import type { AuthorizationServerMetadata } from './discovery.js';
import { AuthError } from './errors.js';
import { randomToken } from './pkce.js';
import type { ClientInformation } from './store.js';

/** Default of `assertionLifetimeSeconds`: a client assertion is good for one token request. */
export const DEFAULT_CLIENT_ASSERTION_LIFETIME_S = 60;

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** JWS algorithms signed with a private key (RFC 7518 §3.1, RFC 8037). */
const ASYMMETRIC = /^(?:RS|PS|ES)(?:256|384|512)$|^ES256K$|^EdDSA$|^Ed25519$|^Ed448$/;

/** client_credentials with a shared secret (client_secret_basic, else client_secret_post, as the AS offers). */
export interface ClientSecretGrant {
  type: 'client_credentials';
  clientId: string;
  clientSecret: string;
  privateKey?: undefined;
}

/** client_credentials authenticated by a signed JWT (private_key_jwt, RFC 7523 §2.2); needs jose. */
export interface PrivateKeyJwtGrant {
  type: 'client_credentials';
  clientId: string;
  clientSecret?: undefined;
  /** A PKCS#8 PEM private key, or a `CryptoKey` usable with `algorithm`. */
  privateKey: string | CryptoKey;
  /**
   * The JWS algorithm. Default: the first asymmetric one of the AS's `token_endpoint_auth_signing_alg_values_supported`
   * the key can be used with (HMAC and `none` skipped), else RS256.
   */
  algorithm?: string;
  /** The assertion's `aud`: the AS `issuer` (default, RFC 7523bis) or its `token_endpoint` URL. */
  audience?: 'issuer' | 'token_endpoint';
  /** Seconds from `iat` to `exp`. Default 60 (`DEFAULT_CLIENT_ASSERTION_LIFETIME_S`). */
  assertionLifetimeSeconds?: number;
}

/** What the JWT-bearer `assertion` callback is told about the token request it feeds. */
export interface AssertionContext {
  /** The authorization server's issuer (the usual `aud` of the assertion). */
  issuer: string;
  tokenEndpoint: string;
  /** The protected resource (RFC 8707), as its metadata publishes it; undefined for 2025-03-26 servers. */
  resource: string | undefined;
  scope: string | undefined;
}

/**
 * The JWT-bearer grant (RFC 7523 §2.1): `assertion` returns a JWT the AS trusts (a workload identity token,
 * an ID-JAG from the enterprise IdP). No registration; `clientId` (+ `clientSecret`, sent as Basic) only
 * where the AS wants client authentication. A refused assertion fails the request with TSMCP_AUTH_TOKEN
 * (the AS's `error` in `received`): no second attempt, no other grant.
 */
export interface JwtBearerGrant {
  type: 'jwt_bearer';
  assertion: (context: AssertionContext) => string | Promise<string>;
  clientId?: string;
  clientSecret?: string;
}

export type OAuthGrant = ClientSecretGrant | PrivateKeyJwtGrant | JwtBearerGrant;

/** The client a grant authenticates as at the token endpoint; undefined = no client authentication. */
export function grantClient(grant: OAuthGrant): ClientInformation | undefined {
  if (grant.type === 'jwt_bearer') {
    if (grant.clientId === undefined) return undefined;
    return grant.clientSecret === undefined
      ? { client_id: grant.clientId, token_endpoint_auth_method: 'none' }
      : { client_id: grant.clientId, client_secret: grant.clientSecret };
  }
  if (grant.privateKey !== undefined)
    return { client_id: grant.clientId, token_endpoint_auth_method: 'private_key_jwt' };
  return { client_id: grant.clientId, client_secret: grant.clientSecret };
}

/** Checks a grant from untyped callers before any request is made. */
export function checkGrant(grant: OAuthGrant): void {
  const bad = (message: string) => new TsmcpError('TSMCP_AUTH_CONFIG', `oauthClient grant: ${message}`);
  if (grant.type === 'jwt_bearer') {
    if (typeof grant.assertion !== 'function') throw bad('jwt_bearer needs an assertion callback');
    if (grant.clientSecret !== undefined && grant.clientId === undefined) throw bad('clientSecret without clientId');
    return;
  }
  if (grant.type !== 'client_credentials') throw bad(`unknown type ${String((grant as { type: unknown }).type)}`);
  if (typeof grant.clientId !== 'string' || !grant.clientId) throw bad('client_credentials needs a clientId');
  if ((grant.clientSecret === undefined) === (grant.privateKey === undefined))
    throw bad('client_credentials needs exactly one of clientSecret and privateKey');
  const life = grant.privateKey !== undefined ? grant.assertionLifetimeSeconds : undefined;
  if (life !== undefined && !(Number.isInteger(life) && life > 0))
    throw bad('assertionLifetimeSeconds must be a positive integer');
}

/** The grant's token request body (without client authentication, `resource` or `scope`). */
export async function grantBody(grant: OAuthGrant, context: AssertionContext): Promise<URLSearchParams> {
  if (grant.type === 'client_credentials') return new URLSearchParams({ grant_type: 'client_credentials' });
  let assertion: unknown;
  try {
    assertion = await grant.assertion(context);
  } catch (e) {
    if (e instanceof AuthError) throw e; // already typed (idJagAssertion's IdP refusal): keep its code
    throw new AuthError('TSMCP_AUTH_ASSERTION', 'The assertion callback failed', { document: 'jwt_bearer grant' }, e);
  }
  if (typeof assertion !== 'string' || !assertion)
    throw new AuthError('TSMCP_AUTH_ASSERTION', 'The assertion callback returned no JWT', {
      document: 'jwt_bearer grant',
      field: 'assertion',
      expected: 'a non-empty string',
      received: typeof assertion,
    });
  return new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion });
}

/** Signs private_key_jwt client assertions; the key is imported once, jose loaded on first use. */
export class ClientAssertionSigner {
  readonly #grant: PrivateKeyJwtGrant;
  #key: Promise<{ key: CryptoKey; alg: string }> | undefined;

  constructor(grant: PrivateKeyJwtGrant) {
    this.#grant = grant;
  }

  /** Sets client_assertion_type and client_assertion on `body`. */
  async apply(body: URLSearchParams, meta: AuthorizationServerMetadata): Promise<void> {
    const g = this.#grant;
    const supported = meta.token_endpoint_auth_signing_alg_values_supported;
    // An AS lists its HMAC algorithms too (oidc-provider puts HS256 first): only asymmetric ones fit a private key.
    const offered = Array.isArray(supported)
      ? supported.filter((a) => typeof a === 'string' && ASYMMETRIC.test(a))
      : [];
    const candidates = g.algorithm !== undefined ? [g.algorithm] : offered.length ? offered : ['RS256'];
    const j = await jose('private_key_jwt');
    this.#key ??= (async () => {
      if (typeof g.privateKey !== 'string') return { key: g.privateKey, alg: candidates[0]! };
      // A PEM does not name its algorithm: the first candidate that imports it (bounded by the AS's list).
      let error: unknown;
      for (const alg of candidates)
        try {
          return { key: await j.importPKCS8(g.privateKey, alg), alg };
        } catch (e) {
          error = e;
        }
      throw error;
    })();
    let key: CryptoKey;
    let alg: string;
    try {
      ({ key, alg } = await this.#key);
    } catch (e) {
      this.#key = undefined;
      throw new AuthError(
        'TSMCP_AUTH_ASSERTION',
        'The private key cannot be imported',
        {
          document: 'private_key_jwt',
          field: 'privateKey',
          expected: `a PKCS#8 PEM key for ${candidates.join(' or ')}`,
        },
        e,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new j.SignJWT({})
      .setProtectedHeader({ alg, typ: 'JWT' })
      .setIssuer(g.clientId)
      .setSubject(g.clientId)
      .setAudience(g.audience === 'token_endpoint' ? meta.token_endpoint : meta.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + (g.assertionLifetimeSeconds ?? DEFAULT_CLIENT_ASSERTION_LIFETIME_S))
      .setJti(randomToken())
      .sign(key);
    body.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
    body.set('client_assertion', jwt);
  }
}
