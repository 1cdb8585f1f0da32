// introspectionVerifier(): opaque tokens checked at the authorization server (RFC 7662). Active answers
// are cached until the token's `exp` (at most `cacheTtlSec`), in a bounded cache keyed by the token's hash.
import { TsmcpError } from '../../protocol/errors.js';
import type { AuthInfo } from '../../protocol/identity.js';
import { InvalidTokenError } from './errors.js';
import { checkUrl } from './metadata.js';
import type { TokenVerifier } from './protected-resource.js';

export interface IntrospectionVerifierOptions {
  /** The introspection endpoint (https; http only on loopback). */
  endpoint: string;
  /** This resource server's credentials at the authorization server (HTTP Basic). */
  clientId: string;
  clientSecret: string;
  /** The resource identifier: the answer's `aud` must contain it. Required (an answer without `aud` is refused). */
  audience: string;
  /** When given, the answer's `iss` must equal it. */
  issuer?: string;
  /** Longest time an active answer is reused, seconds (never past the token's `exp`). Default 60; 0 turns the cache off. */
  cacheTtlSec?: number;
  /** Most answers cached. Default 1000; when full, expired entries go first, then the oldest (a cache, not state). */
  maxCacheEntries?: number;
  /** A call to the endpoint that takes longer fails (the MCP request gets 503), ms. Default 5000. */
  timeoutMs?: number;
  /** The fetch to use. Default the global one. */
  fetch?: typeof fetch;
}

/** The introspection answer fields tsmcp reads (RFC 7662 §2.2). */
interface Introspection {
  active?: unknown;
  sub?: unknown;
  client_id?: unknown;
  scope?: unknown;
  exp?: unknown;
  nbf?: unknown;
  aud?: unknown;
  iss?: unknown;
  /** RFC 9449 §6.2: a DPoP-bound token's key thumbprint, `cnf.jkt`. */
  cnf?: unknown;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

async function keyOf(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/**
 * Verify opaque tokens at the authorization server's introspection endpoint.
 * @example introspectionVerifier({ endpoint: 'https://auth.example.com/introspect', clientId: 'rs', clientSecret, audience: 'https://mcp.example.com/mcp' })
 */
export function introspectionVerifier(options: IntrospectionVerifierOptions): TokenVerifier & {
  /** Entries in the cache (for monitoring and tests). */
  readonly cacheSize: number;
} {
  if (!options.audience)
    throw new TsmcpError('TSMCP_AUTH_CONFIG', 'introspectionVerifier: audience (the resource) is required');
  const endpoint = checkUrl('endpoint', options.endpoint);
  const ttl = (options.cacheTtlSec ?? 60) * 1000;
  const max = options.maxCacheEntries ?? 1000;
  const doFetch = options.fetch ?? fetch;
  const basic = `Basic ${btoa(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`)}`;
  const cache = new Map<string, { until: number; info: AuthInfo }>();

  const remember = (key: string, until: number, info: AuthInfo) => {
    if (ttl <= 0 || max <= 0) return;
    if (cache.size >= max) {
      const now = Date.now();
      for (const [k, e] of cache) if (e.until <= now) cache.delete(k);
      // Still full: drop the oldest answer (Map order is insertion order).
      while (cache.size >= max) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, { until, info });
  };

  return {
    get cacheSize() {
      return cache.size;
    },
    async verify(token) {
      const key = await keyOf(token);
      const hit = cache.get(key);
      if (hit && hit.until > Date.now()) return hit.info;
      if (hit) cache.delete(key);
      const r = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: basic,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      if (!r.ok) throw new TsmcpError('TSMCP_HTTP', `introspection endpoint answered ${r.status}`);
      const a = (await r.json()) as Introspection;
      if (a.active !== true)
        throw new InvalidTokenError('inactive', 'invalid token: not active', 'active', true, a.active);
      const aud = Array.isArray(a.aud) ? a.aud : [a.aud];
      if (!aud.includes(options.audience))
        throw new InvalidTokenError('audience', 'invalid token: another audience', 'aud', options.audience, a.aud);
      if (options.issuer !== undefined && a.iss !== options.issuer)
        throw new InvalidTokenError('issuer', 'invalid token: another issuer', 'iss', options.issuer, a.iss);
      const now = Date.now() / 1000;
      const exp = num(a.exp);
      if (exp !== undefined && exp <= now)
        throw new InvalidTokenError('expired', 'invalid token: expired', 'exp', 'a time in the future', exp);
      const nbf = num(a.nbf);
      if (nbf !== undefined && nbf > now)
        throw new InvalidTokenError('not_yet_valid', 'invalid token: not yet valid', 'nbf', 'a time in the past', nbf);
      const scope = str(a.scope);
      const clientId = str(a.client_id);
      const jkt = isRecord(a.cnf) ? str(a.cnf.jkt) : undefined;
      const info: AuthInfo = {
        subject: str(a.sub),
        ...(clientId !== undefined ? { clientId } : {}),
        ...(scope !== undefined ? { scopes: scope.split(' ').filter(Boolean) } : {}),
        ...(exp !== undefined ? { expiresAt: exp } : {}),
        token,
        // A DPoP-bound token: protectedResource accepts it only with a proof by this key.
        ...(jkt !== undefined ? { extra: { cnf: { jkt } } } : {}),
      };
      remember(key, Math.min(Date.now() + ttl, exp !== undefined ? exp * 1000 : Number.POSITIVE_INFINITY), info);
      return info;
    },
  };
}
