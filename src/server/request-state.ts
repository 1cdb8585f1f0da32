// Integrity-protected `requestState` for multi round-trip requests: HMAC-SHA-256 over a JSON payload,
// with expiry and a digest of the request it belongs to. Web Crypto only, so it runs on every runtime.
import { base64UrlToBytes as unb64url, bytesToBase64Url as b64url } from '../protocol/base64.js';
import { canonicalJson } from '../protocol/canonical-json.js';
import { invalidParams } from '../protocol/errors.js';

export interface RequestStateOptions {
  /**
   * HMAC key. Default: 32 random bytes per process, which is fine for one process; every instance
   * behind a load balancer must share one key (a string of ≥ 32 characters or the raw bytes).
   */
  key?: string | Uint8Array;
  /**
   * Keys that signed states still in flight when `key` was rotated: states are signed with `key` only
   * and opened with `key` or any of these. Drop a previous key once `ttlMs` has passed since the
   * rotation. At most 4 (each costs one more HMAC on a state that fails to verify); more throw a TypeError.
   */
  previousKeys?: readonly (string | Uint8Array)[];
  /** How long a state stays valid, in ms. Default 10 minutes. */
  ttlMs?: number;
}

export interface StatePayload {
  /** Digest of the request identity (method + name/uri + arguments). */
  d: string;
  /** Expiry, ms since the epoch. */
  e: number;
  /** Answers gathered in earlier rounds, by input key. */
  a: { [key: string]: unknown };
  /** Keys asked in the round this state was issued with, and their methods. */
  q: { [key: string]: string };
  /** Optional principal the state is bound to. */
  p?: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export async function digest(value: unknown): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(canonicalJson(value))));
  return b64url(bytes);
}

/** Most `previousKeys` a codec accepts. */
export const MAX_PREVIOUS_KEYS = 4;

function importKey(key: string | Uint8Array, what: string): Promise<CryptoKey> {
  const raw = typeof key === 'string' ? enc.encode(key) : key;
  if (raw.length < 16) throw new TypeError(`${what} must be at least 16 bytes`);
  return crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

/** Seals request states with the current key and opens them with the current or a previous one. Build once per server. */
export class RequestStateCodec {
  #key: Promise<CryptoKey> | undefined;
  readonly #previous: Promise<CryptoKey>[];
  readonly ttlMs: number;
  /** Whether a key was given (one a fleet can share) rather than drawn at random for this process. */
  readonly configured: boolean;

  constructor(options: RequestStateOptions = {}) {
    this.configured = options.key !== undefined;
    // A given key is checked now; the random one is drawn on first use, because Workers forbid random
    // values at global scope, where a server is usually built.
    if (options.key !== undefined) this.#key = importKey(options.key, 'requestState key');
    const previous = options.previousKeys ?? [];
    if (previous.length > MAX_PREVIOUS_KEYS)
      throw new TypeError(`requestState previousKeys: at most ${MAX_PREVIOUS_KEYS} keys, got ${previous.length}`);
    this.#previous = previous.map((k) => importKey(k, 'requestState previous key'));
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
  }

  /** The signing key (the random default drawn here, on first use). */
  #signingKey(): Promise<CryptoKey> {
    this.#key ??= importKey(crypto.getRandomValues(new Uint8Array(32)), 'requestState key');
    return this.#key;
  }

  /**
   * A short public id of the signing key (an HMAC of a fixed label, so it reveals no more than any sealed
   * state does): instances of one fleet compare it to see that they share the key.
   */
  async fingerprint(): Promise<string> {
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await this.#signingKey(), enc.encode('tsmcp key id')));
    return b64url(mac.subarray(0, 9));
  }

  async seal(payload: StatePayload): Promise<string> {
    const body = enc.encode(JSON.stringify(payload));
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await this.#signingKey(), body));
    return `v1.${b64url(body)}.${b64url(mac)}`;
  }

  /** Open and verify a state; throws -32602 when it was tampered with, expired, or belongs to another request. */
  async open(state: string, expectedDigest: string, principal?: string): Promise<StatePayload> {
    const bad = (why: string) => invalidParams(`Invalid requestState: ${why}`);
    const parts = state.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') throw bad('malformed');
    const body = unb64url(parts[1]!);
    const mac = unb64url(parts[2]!);
    if (!body || !mac) throw bad('malformed');
    let ok = false;
    for (const key of [this.#signingKey(), ...this.#previous]) {
      ok = await crypto.subtle.verify(
        'HMAC',
        await key,
        mac as Uint8Array<ArrayBuffer>,
        body as Uint8Array<ArrayBuffer>,
      );
      if (ok) break;
    }
    if (!ok) throw bad('integrity check failed');
    let payload: StatePayload;
    try {
      payload = JSON.parse(dec.decode(body)) as StatePayload;
    } catch {
      throw bad('malformed');
    }
    if (typeof payload.e !== 'number' || payload.e < Date.now()) throw bad('expired');
    if (payload.d !== expectedDigest) throw bad('issued for a different request');
    if (payload.p !== principal) throw bad('issued to a different principal');
    return payload;
  }
}
