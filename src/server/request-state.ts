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

/** Seals and opens request states with one key. Build once per server. */
export class RequestStateCodec {
  readonly #key: Promise<CryptoKey>;
  readonly ttlMs: number;

  constructor(options: RequestStateOptions = {}) {
    const raw =
      options.key === undefined
        ? crypto.getRandomValues(new Uint8Array(32))
        : typeof options.key === 'string'
          ? enc.encode(options.key)
          : options.key;
    if (raw.length < 16) throw new TypeError('requestState key must be at least 16 bytes');
    this.#key = crypto.subtle.importKey(
      'raw',
      raw as Uint8Array<ArrayBuffer>,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
  }

  async seal(payload: StatePayload): Promise<string> {
    const body = enc.encode(JSON.stringify(payload));
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await this.#key, body));
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
    const ok = await crypto.subtle.verify(
      'HMAC',
      await this.#key,
      mac as Uint8Array<ArrayBuffer>,
      body as Uint8Array<ArrayBuffer>,
    );
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
