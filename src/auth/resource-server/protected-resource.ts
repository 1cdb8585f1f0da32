// protectedResource(): an OAuth 2.1 resource server for the HTTP fronts (`auth` option): verifies the
// Bearer or DPoP-bound token of every MCP request, answers 400/401/403 with RFC 6750/9449/9728
// challenges, serves its metadata.
import { McpError, TsmcpError } from '../../protocol/errors.js';
import type { AuthInfo } from '../../protocol/identity.js';
import type { JsonObject } from '../../protocol/jsonrpc.js';
import { AuthRefusal, InvalidTokenError, type AuthRefusalReason } from './errors.js';
import {
  athOf,
  DEFAULT_DPOP_ALGORITHMS,
  DpopNonces,
  DpopReplayCacheFullError,
  InMemoryDpopReplayCache,
  jktOf,
  verifyProof,
  type DpopReplayCache,
} from './dpop.js';
import { checkScopes, checkUrl, metadataLocation } from './metadata.js';

/**
 * Checks an access token; throws `InvalidTokenError` for a bad one (any other throw answers 503). A
 * DPoP-bound token's AuthInfo carries its key thumbprint as `extra.cnf.jkt` (RFC 9449 §6): such a token is
 * accepted only with a proof signed by that key, never as Bearer.
 */
export interface TokenVerifier {
  verify(token: string): Promise<AuthInfo>;
}

/** The request as the resource server sees it (the HTTP core's `AuthenticateRequest`). */
export interface AuthRequest {
  readonly method: string;
  header(name: string): string | undefined;
  /** The request's path (no query), as the front sees it: a DPoP proof's `htu` is the resource's origin + this. */
  readonly path?: string | undefined;
  /** Adds a header to this request's answer, whatever it is (a fresh `DPoP-Nonce`). */
  responseHeader?(name: string, value: string): void;
}

/** DPoP-bound access tokens (RFC 9449) at this resource. */
export interface DpopResourceOptions {
  /** Refuse Bearer tokens: only DPoP (metadata `dpop_bound_access_tokens_required`). Default false. */
  required?: boolean;
  /** Accepted proof algorithms. Default `['ES256', 'EdDSA', 'RS256', 'PS256']`; `none` and `HS*` are refused. */
  algorithms?: readonly string[];
  /**
   * Server nonces (RFC 9449 §9): a proof must carry the current one, else 401 `use_dpop_nonce` with a
   * `DPoP-Nonce` header. A nonce is base64url(HMAC-SHA256(secret, String(floor(unixSeconds / windowSeconds))));
   * the previous window's is still accepted (its answer carries the current one). Give every instance the same
   * `secret` (default: random per process, so instances disagree). `windowSeconds` default 300. Default off.
   */
  nonce?: boolean | { secret?: string | Uint8Array; windowSeconds?: number };
  /** Where proof `jti`s are remembered. Default an `InMemoryDpopReplayCache` (100 000 proofs; 503 when full of live ones). */
  replayCache?: DpopReplayCache;
  /** How far a proof's `iat` may be from now, seconds (a proof is remembered that long after its `iat`). Default 300. */
  maxIatSkewSeconds?: number;
}

export interface ProtectedResourceOptions {
  /** This server's resource identifier (RFC 8707), e.g. `https://mcp.example.com/mcp`: tokens must name it as audience. Used verbatim. */
  resource: string;
  /** Issuers of the authorization servers whose tokens are accepted (metadata `authorization_servers`). */
  authorizationServers: readonly string[];
  /** Checks tokens: `jwtVerifier()`, `introspectionVerifier()` or your own. */
  verifier: TokenVerifier;
  /** Scopes every request needs: in the 401 challenge's `scope`, 403 `insufficient_scope` without them. Default none. */
  requiredScopes?: readonly string[];
  /** Metadata `scopes_supported`. */
  scopesSupported?: readonly string[];
  /** Metadata `resource_name`. */
  resourceName?: string;
  /** Metadata `resource_documentation`. */
  resourceDocumentation?: string;
  /** More metadata fields (RFC 9728 §2); they cannot replace the fields above. */
  metadata?: JsonObject;
  /** Sees a verifier failure that is not about the token (a JWKS or introspection endpoint down): answered 503. */
  onerror?: (error: unknown) => void;
  /**
   * Sees every refused token or DPoP proof (answered 401) with the check that failed (`reason`, `field`,
   * `expected`, `received`): for logs, and to find the option to set (e.g. jwtVerifier's `typ`).
   */
  onrefusal?: (error: InvalidTokenError) => void;
  /**
   * Accept DPoP-bound tokens (`Authorization: DPoP` + a `DPoP` proof header). The proof's `htu` must be the
   * resource's origin + the request path the front sees: behind a proxy that rewrites paths, configure the
   * resource so that holds. A DPoP-bound token sent as Bearer is refused whether or not this is set. Default off.
   */
  dpop?: DpopResourceOptions;
}

/** A configured resource server: pass it as the HTTP fronts' `auth` option. */
export interface ProtectedResource {
  /** The resource identifier, exactly as configured. */
  readonly resource: string;
  /** The path-inserted metadata URL (the challenge's `resource_metadata`). */
  readonly metadataUrl: string;
  /** The paths the metadata is served at: path-inserted, then root. */
  readonly metadataPaths: readonly string[];
  /** The metadata document. */
  readonly document: JsonObject;
  /** Verify a request's token (the HTTP fronts call it); throws an `AuthRefusal` (or a 503 McpError). */
  authenticate(request: AuthRequest): Promise<AuthInfo>;
  /** The metadata JSON for a GET of `path`, or undefined when `path` is not a metadata path. */
  metadataAt(path: string): string | undefined;
  /** The refusal (403 `insufficient_scope`) for a caller lacking some of `scopes`, or undefined when it holds them all. */
  checkScopes(auth: AuthInfo | undefined, scopes: readonly string[]): AuthRefusal | undefined;
  /**
   * The 403 `insufficient_scope` refusal for an operation that needs `scopes`: its challenge names them
   * with `requiredScopes` (the HTTP fronts call it for a tool, resource or prompt registered with `scopes`).
   */
  insufficientScope(scopes: readonly string[], auth?: AuthInfo): AuthRefusal;
}

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const quoted = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * An OAuth resource server for `createNodeHandler`/`createWebHandler` (`auth` option).
 * @example
 * const rs = protectedResource({ resource: 'https://mcp.example.com/mcp', authorizationServers: ['https://auth.example.com'],
 *   verifier: jwtVerifier({ issuer: 'https://auth.example.com', audience: 'https://mcp.example.com/mcp', jwksUri: 'https://auth.example.com/jwks' }) });
 * http.createServer(createNodeHandler(server, { auth: rs }));
 */
export function protectedResource(options: ProtectedResourceOptions): ProtectedResource {
  const { resource, verifier } = options;
  const where = metadataLocation(resource);
  if (options.authorizationServers.length === 0)
    throw new TypeError('protectedResource: authorizationServers must name at least one issuer');
  for (const as of options.authorizationServers) checkUrl('authorizationServers', as);
  const required = checkScopes('requiredScopes', options.requiredScopes ?? []);
  const dpop = options.dpop ? dpopConfig(options.dpop) : undefined;
  const document: JsonObject = {
    ...options.metadata,
    resource,
    authorization_servers: [...options.authorizationServers],
    bearer_methods_supported: ['header'],
    ...(options.scopesSupported ? { scopes_supported: [...options.scopesSupported] } : {}),
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
    ...(options.resourceDocumentation ? { resource_documentation: options.resourceDocumentation } : {}),
    ...(dpop ? { dpop_signing_alg_values_supported: [...dpop.algorithms] } : {}),
    ...(dpop?.required ? { dpop_bound_access_tokens_required: true } : {}),
  };
  const json = JSON.stringify(document);
  const params = (error: string | undefined, scopes: readonly string[]) =>
    `resource_metadata=${quoted(where.url)}` +
    (scopes.length ? `, scope=${quoted(scopes.join(' '))}` : '') +
    (error ? `, error=${quoted(error)}` : '');
  /** The challenges offered; the error goes on the scheme the request used (RFC 9449 §7.1). */
  const challenge = (scheme: Scheme, error: string | undefined, scopes: readonly string[]) => {
    const bearer = `Bearer ${params(scheme === 'bearer' ? error : undefined, scopes)}`;
    if (!dpop) return bearer;
    const proof = `DPoP algs=${quoted(dpop.algorithms.join(' '))}, ${params(scheme === 'dpop' ? error : undefined, scopes)}`;
    return dpop.required ? proof : `${bearer}, ${proof}`;
  };
  const refuse = (
    scheme: Scheme,
    error: AuthRefusalReason,
    why?: InvalidTokenError,
    headers?: { [name: string]: string },
  ) => {
    if (why) options.onrefusal?.(why);
    const status = error === 'invalid_request' ? 400 : 401;
    const message = error === undefined ? 'Unauthorized: an access token is required' : `Unauthorized: ${error}`;
    return new AuthRefusal(error, status, challenge(scheme, error, required), message, undefined, headers);
  };

  const insufficient = (scopes: readonly string[], auth?: AuthInfo): AuthRefusal => {
    const all = [...new Set([...required, ...scopes])];
    return new AuthRefusal(
      'insufficient_scope',
      403,
      challenge(jktOf(auth?.extra) ? 'dpop' : 'bearer', 'insufficient_scope', all),
      `Forbidden: the token lacks a scope this needs (${all.join(' ')})`,
      all,
    );
  };
  const lacking = (auth: AuthInfo | undefined, scopes: readonly string[]): AuthRefusal | undefined => {
    const held = new Set(auth?.scopes ?? []);
    return scopes.every((s) => held.has(s)) ? undefined : insufficient(scopes, auth);
  };

  /**
   * The proof checks of RFC 9449 §4.3 and §7.1: the request's own (and the nonce) now, then a function for
   * those that need the verified token (ath, key binding) and the replay cache, last, so only good proofs fill it.
   */
  const checkProof = async (request: AuthRequest, token: string) => {
    const d = dpop!;
    const url = `${where.origin}${request.path ?? where.path}`;
    let proof: Awaited<ReturnType<typeof verifyProof>>;
    try {
      proof = await verifyProof(request.header('dpop'), {
        method: request.method,
        url,
        algorithms: d.algorithms,
        skewSec: d.skewSec,
      });
    } catch (e) {
      if (e instanceof InvalidTokenError) throw refuse('dpop', 'invalid_dpop_proof', e);
      throw e;
    }
    if (d.nonces) {
      const state = await d.nonces.check(proof.nonce);
      const current = state === 'current' ? undefined : await d.nonces.current();
      if (state === undefined)
        throw refuse(
          'dpop',
          'use_dpop_nonce',
          new InvalidTokenError('dpop_nonce', 'DPoP proof without the current nonce', 'nonce', current, proof.nonce),
          { 'dpop-nonce': current! },
        );
      if (current !== undefined) request.responseHeader?.('dpop-nonce', current);
    }
    return async (auth: AuthInfo) => {
      const ath = await athOf(token);
      if (proof.ath !== ath)
        throw refuse(
          'dpop',
          'invalid_dpop_proof',
          new InvalidTokenError(
            'dpop_proof',
            'invalid DPoP proof: ath is not the hash of the token',
            'ath',
            ath,
            proof.ath,
          ),
        );
      const jkt = jktOf(auth.extra);
      if (jkt !== proof.jkt)
        throw refuse(
          'dpop',
          'invalid_token',
          new InvalidTokenError('dpop_binding', 'the token is not bound to the proof key', 'cnf.jkt', jkt, proof.jkt),
        );
      let replayed: boolean;
      try {
        replayed = await d.cache.seen(proof.jti, (proof.iat + d.skewSec) * 1000);
      } catch (e) {
        if (!(e instanceof DpopReplayCacheFullError)) options.onerror?.(e);
        throw new McpError(-32603, 'Service Unavailable: the DPoP proof could not be recorded', undefined, 503, {
          'retry-after': String(RETRY_AFTER_S),
        });
      }
      if (replayed)
        throw refuse(
          'dpop',
          'invalid_dpop_proof',
          new InvalidTokenError('dpop_proof', 'invalid DPoP proof: jti was used before', 'jti', 'a new jti', proof.jti),
        );
    };
  };

  return {
    resource,
    metadataUrl: where.url,
    metadataPaths: where.paths,
    document,
    metadataAt: (path) => (where.paths.includes(path) ? json : undefined),
    checkScopes: lacking,
    insufficientScope: insufficient,
    async authenticate(request) {
      const header = request.header('authorization');
      const m = header === undefined ? null : /^(Bearer|DPoP) +(\S*)$/i.exec(header.trim());
      const scheme: Scheme = m?.[1]?.toLowerCase() === 'dpop' ? 'dpop' : 'bearer';
      // A scheme this resource does not offer is no credential: the plain challenge.
      if (!m || (scheme === 'dpop' && !dpop) || (scheme === 'bearer' && dpop?.required))
        throw refuse(scheme, undefined);
      const token = m[2]!;
      if (!TOKEN68.test(token)) throw refuse(scheme, 'invalid_request');
      // The proof first: it is cheap and local; the verifier may call the authorization server.
      const bound = scheme === 'dpop' ? await checkProof(request, token) : undefined;
      let auth: AuthInfo;
      try {
        auth = await verifier.verify(token);
      } catch (e) {
        if (e instanceof InvalidTokenError) throw refuse(scheme, 'invalid_token', e);
        options.onerror?.(e);
        throw new McpError(-32603, 'Service Unavailable: the token could not be checked', undefined, 503);
      }
      // A custom verifier may not check expiry; a token past it is never accepted.
      if (auth.expiresAt !== undefined && auth.expiresAt * 1000 <= Date.now())
        throw refuse(
          scheme,
          'invalid_token',
          new InvalidTokenError('expired', 'invalid token: expired', 'exp', 'a time in the future', auth.expiresAt),
        );
      if (bound) await bound(auth);
      else if (jktOf(auth.extra) !== undefined)
        // RFC 9449 §7.2: a DPoP-bound token is no bearer token.
        throw refuse(
          'bearer',
          'invalid_token',
          new InvalidTokenError('dpop_binding', 'a DPoP-bound token sent as Bearer', 'Authorization', 'DPoP', 'Bearer'),
        );
      const refusal = lacking(auth, required);
      if (refusal) throw refusal;
      return auth.token === undefined ? { ...auth, token } : auth;
    },
  };
}

type Scheme = 'bearer' | 'dpop';
/** Seconds a 503 (replay cache full) asks the client to wait: old proofs expire meanwhile. */
const RETRY_AFTER_S = 10;

function dpopConfig(o: DpopResourceOptions) {
  const algorithms = Object.freeze([...(o.algorithms ?? DEFAULT_DPOP_ALGORITHMS)]);
  if (algorithms.length === 0) throw new TsmcpError('TSMCP_AUTH_CONFIG', 'dpop.algorithms: name at least one');
  for (const alg of algorithms)
    if (alg === 'none' || /^HS/i.test(alg))
      throw new TsmcpError('TSMCP_AUTH_CONFIG', `dpop.algorithms: ${alg} is not allowed (a proof needs a public key)`);
  const nonce = o.nonce === true ? {} : o.nonce || undefined;
  return {
    required: o.required === true,
    algorithms,
    skewSec: o.maxIatSkewSeconds ?? 300,
    cache: o.replayCache ?? new InMemoryDpopReplayCache(),
    nonces: nonce ? new DpopNonces(nonce.secret, nonce.windowSeconds ?? 300) : undefined,
  };
}
