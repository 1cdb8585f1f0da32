// The resource server's errors: a token that failed verification (local, typed), and the HTTP refusal
// (401/403 with its `WWW-Authenticate` challenge) that the HTTP core sends as it is.
import { ErrorCode, McpError, TsmcpError } from '../../protocol/errors.js';

/** Why a token was refused: the check that failed. */
export type InvalidTokenReason =
  | 'malformed'
  | 'signature'
  | 'algorithm'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not_yet_valid'
  | 'claims'
  | 'inactive'
  /** The JWT's `typ` is not an access token's (RFC 9068 §2.1): see jwtVerifier's `typ` option. */
  | 'type'
  /** A DPoP-bound token presented without its proof (as Bearer), or with a proof by another key (`cnf.jkt`). */
  | 'dpop_binding'
  /** The DPoP proof failed a check of RFC 9449 §4.3 (`field` names it: htm, htu, iat, ath, jti, alg, jwk...). */
  | 'dpop_proof'
  /** The DPoP proof lacks the server's current nonce (RFC 9449 §9). */
  | 'dpop_nonce';

/**
 * A token (or its DPoP proof) failed verification (`TSMCP_INVALID_TOKEN`); answered as 401 `invalid_token`
 * (`invalid_dpop_proof`, `use_dpop_nonce` for the proof). protectedResource's `onrefusal` sees it.
 */
export class InvalidTokenError extends TsmcpError {
  constructor(
    readonly reason: InvalidTokenReason,
    message: string,
    /** The claim or header field checked, when one was (`aud`, `iss`, `exp`, `alg`). */
    readonly field?: string,
    readonly expected?: unknown,
    readonly received?: unknown,
    options?: { cause?: unknown },
  ) {
    super('TSMCP_INVALID_TOKEN', message, options);
    this.name = 'InvalidTokenError';
  }
}

/** The RFC 6750 error code of a refusal; undefined for a request that carried no token. */
export type AuthRefusalReason =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | undefined;

/**
 * An HTTP auth refusal: the status (400, 401, 403) and the `WWW-Authenticate` challenge go out as they
 * are, from the `authenticate` hook or from inside a request (a tool the token has no scope for).
 */
export class AuthRefusal extends McpError {
  constructor(
    readonly reason: AuthRefusalReason,
    status: number,
    challenge: string,
    message: string,
    /** The scopes the refused operation needs (403). */
    readonly requiredScopes?: readonly string[],
    /** More headers for the answer (`DPoP-Nonce`). */
    headers?: { readonly [name: string]: string },
  ) {
    super(
      ErrorCode.InvalidRequest,
      message,
      reason === undefined ? undefined : { error: reason, ...(requiredScopes ? { scopes: requiredScopes } : {}) },
      status,
      { ...headers, 'www-authenticate': challenge },
    );
    this.name = 'AuthRefusal';
  }
}
