// DPoP (RFC 9449) at the resource server: the proof checks of §4.3 and §7.1 (jose, loaded lazily), a
// bounded replay cache for `jti`, and stateless server nonces (§9) that instances sharing a secret agree on.
import type { JWK } from 'jose';
import { bytesToBase64Url } from '../../protocol/base64.js';
import { TsmcpError } from '../../protocol/errors.js';
import { jose } from '../jose.js';
import { InvalidTokenError } from './errors.js';

/** Default of `dpop.algorithms`: asymmetric only (`none` and `HS*` are never accepted). */
export const DEFAULT_DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'RS256', 'PS256'] as const;
/** Default of `InMemoryDpopReplayCache`'s `maxEntries`. */
export const DEFAULT_DPOP_REPLAY_ENTRIES = 100_000;

/**
 * Remembers the `jti` of accepted proofs until they expire. `seen` records `jti` (until `expiresAt`, ms since
 * the epoch) and answers whether it was already there. Share one across instances (e.g. Redis `SET NX PX`).
 * Throw `DpopReplayCacheFullError` when it cannot remember one more: the request is answered 503, never accepted.
 */
export interface DpopReplayCache {
  seen(jti: string, expiresAt: number): boolean | Promise<boolean>;
}

/** A replay cache refused to remember a proof (full of live entries): the request gets 503 with `Retry-After`. */
export class DpopReplayCacheFullError extends TsmcpError {
  constructor(readonly maxEntries: number) {
    super('TSMCP_AUTH_DPOP_REPLAY_FULL', `DPoP replay cache full: ${maxEntries} live proofs (maxEntries)`);
    this.name = 'DpopReplayCacheFullError';
  }
}

/**
 * The default replay cache, in memory (one process). Holds at most `maxEntries` (default 100 000) proofs,
 * each until its `iat` window ends; when every entry is still live, new proofs are refused (503) rather
 * than a live one forgotten (which would let it be replayed).
 */
export class InMemoryDpopReplayCache implements DpopReplayCache {
  readonly #max: number;
  readonly #entries = new Map<string, number>();
  #sweptAt = 0;

  constructor(options: { maxEntries?: number } = {}) {
    this.#max = options.maxEntries ?? DEFAULT_DPOP_REPLAY_ENTRIES;
  }

  /** Proofs remembered (for monitoring and tests). */
  get size(): number {
    return this.#entries.size;
  }

  seen(jti: string, expiresAt: number): boolean {
    const now = Date.now();
    const at = this.#entries.get(jti);
    if (at !== undefined && at > now) return true;
    if (at === undefined && this.#entries.size >= this.#max) {
      // Sweep at most once a second: a full cache under load must not cost a scan per request.
      if (now - this.#sweptAt >= 1000) {
        this.#sweptAt = now;
        for (const [k, until] of this.#entries) if (until <= now) this.#entries.delete(k);
      }
      if (this.#entries.size >= this.#max) throw new DpopReplayCacheFullError(this.#max);
    }
    this.#entries.set(jti, expiresAt);
    return false;
  }
}

/** Stateless nonces: base64url(HMAC-SHA256(secret, String(floor(unixSeconds / windowSeconds)))). */
export class DpopNonces {
  readonly #key: Promise<CryptoKey>;
  readonly #window: number;
  constructor(secret: string | Uint8Array | undefined, windowSeconds: number) {
    const raw =
      secret === undefined
        ? crypto.getRandomValues(new Uint8Array(32))
        : typeof secret === 'string'
          ? new TextEncoder().encode(secret)
          : new Uint8Array(secret);
    this.#key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    this.#window = windowSeconds;
  }
  async #of(index: number): Promise<string> {
    const mac = await crypto.subtle.sign('HMAC', await this.#key, new TextEncoder().encode(String(index)));
    return bytesToBase64Url(new Uint8Array(mac));
  }
  /** The current nonce. */
  current(): Promise<string> {
    return this.#of(Math.floor(Date.now() / 1000 / this.#window));
  }
  /** 'current', 'previous' (still good: a fresh one goes out with the answer), or undefined (refused). */
  async check(nonce: unknown): Promise<'current' | 'previous' | undefined> {
    if (typeof nonce !== 'string') return undefined;
    const index = Math.floor(Date.now() / 1000 / this.#window);
    if (nonce === (await this.#of(index))) return 'current';
    if (nonce === (await this.#of(index - 1))) return 'previous';
    return undefined;
  }
}

/** A verified proof: its claims and the RFC 7638 thumbprint of its key. */
export interface DpopProof {
  jti: string;
  iat: number;
  ath: unknown;
  nonce: unknown;
  jkt: string;
}

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
/** Longest `jti` remembered: an entry's memory is bounded too. */
const MAX_JTI = 256;

const bad = (message: string, field?: string, expected?: unknown, received?: unknown) =>
  new InvalidTokenError('dpop_proof', `invalid DPoP proof: ${message}`, field, expected, received);

/**
 * Check a `DPoP` header value against the request (RFC 9449 §4.3 steps 1-10, except `ath`, the key binding,
 * the nonce and replay, which need the token or state): throws `InvalidTokenError` (`dpop_proof`).
 */
export async function verifyProof(
  value: string | undefined,
  expect: { method: string; url: string; algorithms: readonly string[]; skewSec: number },
): Promise<DpopProof> {
  // Two DPoP header fields reach us joined with a comma, which no compact JWS contains (§4.3 step 1).
  if (value === undefined) throw bad('the DPoP header is missing', 'DPoP');
  if (!JWS.test(value)) throw bad('expected exactly one DPoP header holding a JWT', 'DPoP');
  const j = await jose('DPoP proof verification');
  let header: ReturnType<typeof j.decodeProtectedHeader>;
  try {
    header = j.decodeProtectedHeader(value);
  } catch {
    throw bad('unreadable JWS header', 'DPoP');
  }
  if (header.typ !== 'dpop+jwt') throw bad('typ must be dpop+jwt', 'typ', 'dpop+jwt', header.typ);
  if (typeof header.alg !== 'string' || !expect.algorithms.includes(header.alg))
    throw bad('algorithm not allowed', 'alg', expect.algorithms, header.alg);
  const jwk = header.jwk as JWK | undefined;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk) || jwk.kty === 'oct')
    throw bad('the jwk header must be a public key', 'jwk');
  for (const m of PRIVATE_MEMBERS)
    if (m in jwk) throw bad('the jwk header holds private key material', 'jwk', 'a public key', `a "${m}" member`);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await j.jwtVerify(value, j.EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...expect.algorithms],
    }));
  } catch (e) {
    throw new InvalidTokenError(
      'dpop_proof',
      `invalid DPoP proof: ${(e as Error).message}`,
      'signature',
      undefined,
      undefined,
      { cause: e },
    );
  }
  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI)
    throw bad(`jti must be a string of 1 to ${MAX_JTI} characters`, 'jti');
  if (htm !== expect.method) throw bad('htm is not the request method', 'htm', expect.method, htm);
  if (typeof htu !== 'string' || urlOf(htu) !== urlOf(expect.url))
    throw bad('htu is not the request URL', 'htu', expect.url, htu);
  const now = Date.now() / 1000;
  if (typeof iat !== 'number' || Math.abs(now - iat) > expect.skewSec)
    throw bad(`iat is not within ${expect.skewSec} s of now`, 'iat', Math.floor(now), iat);
  return { jti, iat, ath: payload.ath, nonce: payload.nonce, jkt: await j.calculateJwkThumbprint(jwk, 'sha256') };
}

/** A URL without query and fragment, normalized (scheme and host case, default port), or '' when invalid. */
function urlOf(s: string): string {
  try {
    const u = new URL(s);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '';
  }
}

/** base64url(SHA-256(token)): the `ath` a proof must carry (§4.2). */
export async function athOf(token: string): Promise<string> {
  return bytesToBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))));
}

/** The DPoP key thumbprint a verifier found in the token (`AuthInfo.extra.cnf.jkt`), if any. */
export function jktOf(extra: { readonly [key: string]: unknown } | undefined): string | undefined {
  const cnf = extra?.cnf as { jkt?: unknown } | undefined;
  return typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
}
