// jwtVerifier(): JWT access tokens (RFC 9068) checked against the issuer's JWKS: signature with an
// allow-listed asymmetric algorithm, `typ` (at+jwt), `iss`, `aud` (always: the resource), `exp`/`nbf` with skew.
import type { JWTPayload, JWTVerifyGetKey, JSONWebKeySet } from 'jose';
import { TsmcpError } from '../../protocol/errors.js';
import type { AuthInfo } from '../../protocol/identity.js';
import { InvalidTokenError } from './errors.js';
import { jose } from '../jose.js';
import { checkUrl } from './metadata.js';
import type { TokenVerifier } from './protected-resource.js';

export interface JwtVerifierOptions {
  /** The authorization server's issuer identifier: `iss` must equal it exactly. */
  issuer: string;
  /** The resource identifier (as given to `protectedResource`): `aud` must contain it. Required. */
  audience: string;
  /** The issuer's JWKS URL (https; http only on loopback). Keys are cached (10 min) and refetched on an unknown `kid`. */
  jwksUri?: string;
  /**
   * Least time between two JWKS fetches, seconds: tokens with unknown `kid`s cannot make the server
   * fetch more often (they are refused while it cools down). Default 30.
   */
  jwksCooldownSec?: number;
  /** Fixed keys instead of `jwksUri`. */
  jwks?: JSONWebKeySet;
  /** Accepted `alg` values. Default `['RS256', 'ES256', 'EdDSA', 'PS256']`; `none` and HMAC (`HS*`) are refused. */
  algorithms?: readonly string[];
  /** Clock skew allowed on `exp`/`nbf`, seconds. Default 60. */
  clockToleranceSec?: number;
  /**
   * Accepted JWT `typ` header values (compared without case and an `application/` prefix). Default
   * `['at+jwt']` (RFC 9068 §2.1: an ID token or another JWT of the issuer is no access token). Give your
   * authorization server's value when it types access tokens otherwise (Keycloak: `['JWT']`), or null to
   * accept any `typ` (and none).
   */
  typ?: readonly string[] | null;
}

const DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'PS256'] as const;

/** Space-separated `scope` (RFC 9068) or an `scp` array/string (some issuers). */
function scopesOf(p: JWTPayload): string[] | undefined {
  const v = p.scope ?? p.scp;
  if (typeof v === 'string') return v.split(' ').filter(Boolean);
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  return undefined;
}

/** The verified claims as the handlers see them; a DPoP key binding as `extra.cnf.jkt` (RFC 9449 §6.1). */
function authInfoOf(p: JWTPayload, token: string): AuthInfo {
  const clientId = typeof p.client_id === 'string' ? p.client_id : typeof p.azp === 'string' ? p.azp : undefined;
  const scopes = scopesOf(p);
  const jkt = (p.cnf as { jkt?: unknown } | undefined)?.jkt;
  return {
    subject: p.sub,
    ...(clientId !== undefined ? { clientId } : {}),
    ...(scopes ? { scopes } : {}),
    expiresAt: p.exp,
    token,
    extra: { claims: p, ...(typeof jkt === 'string' ? { cnf: { jkt } } : {}) },
  };
}

/** A `typ` value as RFC 7515 §4.1.9 compares it: no case, no `application/` prefix. */
const typOf = (t: string) => t.toLowerCase().replace(/^application\//, '');

/** A jose failure as the typed error naming the field, expected and received. */
function refusal(e: unknown, o: JwtVerifierOptions): InvalidTokenError {
  const err = e as { code?: string; claim?: string; message?: string; payload?: JWTPayload };
  const msg = `invalid token: ${err.message ?? String(e)}`;
  switch (err.code) {
    case 'ERR_JWT_EXPIRED':
      return new InvalidTokenError('expired', msg, 'exp', 'a time in the future', err.payload?.exp, { cause: e });
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (err.claim === 'iss')
        return new InvalidTokenError('issuer', msg, 'iss', o.issuer, err.payload?.iss, { cause: e });
      if (err.claim === 'aud')
        return new InvalidTokenError('audience', msg, 'aud', o.audience, err.payload?.aud, { cause: e });
      if (err.claim === 'nbf')
        return new InvalidTokenError('not_yet_valid', msg, 'nbf', 'a time in the past', err.payload?.nbf, { cause: e });
      return new InvalidTokenError('claims', msg, err.claim, undefined, undefined, { cause: e });
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new InvalidTokenError('algorithm', msg, 'alg', o.algorithms ?? DEFAULT_ALGORITHMS, undefined, {
        cause: e,
      });
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new InvalidTokenError('signature', msg, undefined, undefined, undefined, { cause: e });
    default:
      return new InvalidTokenError('malformed', msg, undefined, undefined, undefined, { cause: e });
  }
}

/** Errors that are about the token; anything else (the JWKS endpoint down) is the server's problem. */
const TOKEN_ERRORS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JOSE_NOT_SUPPORTED',
]);

/**
 * Verify JWT access tokens with the issuer's keys (jose, an optional peer dependency).
 * @example jwtVerifier({ issuer: 'https://auth.example.com', audience: 'https://mcp.example.com/mcp', jwksUri: 'https://auth.example.com/jwks' })
 */
export function jwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  if (!options.audience) throw new TsmcpError('TSMCP_AUTH_CONFIG', 'jwtVerifier: audience (the resource) is required');
  if (!options.issuer) throw new TsmcpError('TSMCP_AUTH_CONFIG', 'jwtVerifier: issuer is required');
  if (!options.jwksUri === !options.jwks)
    throw new TsmcpError('TSMCP_AUTH_CONFIG', 'jwtVerifier: give exactly one of jwksUri and jwks');
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  for (const alg of algorithms)
    if (alg === 'none' || /^HS/i.test(alg))
      throw new TsmcpError(
        'TSMCP_AUTH_CONFIG',
        `jwtVerifier: algorithm ${alg} is not allowed (no key is shared with the issuer)`,
      );
  const jwksUrl = options.jwksUri ? checkUrl('jwksUri', options.jwksUri) : undefined;
  const types = options.typ === null ? undefined : (options.typ ?? ['at+jwt']).map(typOf);
  let keys: JWTVerifyGetKey | undefined;
  return {
    async verify(token) {
      const j = await jose('JWT verification');
      keys ??= jwksUrl
        ? j.createRemoteJWKSet(jwksUrl, { cooldownDuration: (options.jwksCooldownSec ?? 30) * 1000 })
        : j.createLocalJWKSet(options.jwks!);
      try {
        const { payload, protectedHeader } = await j.jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          clockTolerance: options.clockToleranceSec ?? 60,
          requiredClaims: ['exp'],
        });
        const typ = protectedHeader.typ;
        if (types && !(typeof typ === 'string' && types.includes(typOf(typ))))
          throw new InvalidTokenError(
            'type',
            `invalid token: typ ${JSON.stringify(typ ?? null)} is not an access token's (RFC 9068 wants at+jwt); ` +
              "if your authorization server types its access tokens so, set jwtVerifier's `typ` option (e.g. ['JWT'], or null for any)",
            'typ',
            options.typ ?? ['at+jwt'],
            typ,
          );
        return authInfoOf(payload, token);
      } catch (e) {
        if (TOKEN_ERRORS.has((e as { code?: string }).code ?? '')) throw refusal(e, options);
        throw e;
      }
    },
  };
}
