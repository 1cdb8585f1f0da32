// DPoP (RFC 9449): one ES256 key pair per client on Web Crypto (no jose needed to sign), a fresh proof
// per request, and the server nonces (RFC 9449 §8/§9) remembered per origin.
import { bytesToBase64Url, utf8ToBase64Url } from '../../protocol/base64.js';
import { AuthError } from './errors.js';
import { randomToken } from './pkce.js';

/** Default of `dpop.maxNonces`: origins whose DPoP-Nonce is remembered. */
export const DEFAULT_DPOP_MAX_NONCES = 16;

/** Options of DPoP in `oauthClient`. */
export interface DpopOptions {
  /**
   * Use DPoP even when the resource does not ask for it (the AS must still list ES256 in
   * `dpop_signing_alg_values_supported`). Default false: DPoP when the resource asks (a `DPoP` challenge or
   * PRM `dpop_bound_access_tokens_required`) and the AS supports ES256.
   */
  force?: boolean;
  /**
   * Origins (authorization and resource servers) whose latest `DPoP-Nonce` is kept. Default 16
   * (`DEFAULT_DPOP_MAX_NONCES`); a nonce from one more origin fails with `TSMCP_AUTH_DPOP_NONCES`.
   */
  maxNonces?: number;
}

/** The JWS algorithm of every proof. */
export const DPOP_ALG = 'ES256';

/** Signs DPoP proofs with one key pair, created on first use, and keeps server nonces per origin. */
export class DpopProver {
  readonly #max: number;
  readonly #nonces = new Map<string, string>();
  #key: Promise<{ privateKey: CryptoKey; jwk: JsonWebKey }> | undefined;

  constructor(options: DpopOptions = {}) {
    this.#max = options.maxNonces ?? DEFAULT_DPOP_MAX_NONCES;
  }

  /** A `dpop+jwt` proof for `method url` (query and fragment dropped), with `ath` when a token is given. */
  async proof(method: string, url: string | URL, accessToken?: string): Promise<string> {
    const { privateKey, jwk } = await this.#keys();
    const u = new URL(url);
    const htu = `${u.origin}${u.pathname}`;
    const claims: Record<string, unknown> = {
      jti: randomToken(),
      htm: method.toUpperCase(),
      htu,
      iat: Math.floor(Date.now() / 1000),
    };
    const nonce = this.#nonces.get(u.origin);
    if (nonce !== undefined) claims.nonce = nonce;
    if (accessToken !== undefined) claims.ath = await sha256(accessToken);
    const header = { typ: 'dpop+jwt', alg: DPOP_ALG, jwk };
    const input = `${utf8ToBase64Url(JSON.stringify(header))}.${utf8ToBase64Url(JSON.stringify(claims))}`;
    // Web Crypto's ECDSA signature is r‖s, the JWS encoding (RFC 7518 §3.4).
    const sig = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      privateKey,
      new TextEncoder().encode(input),
    );
    return `${input}.${bytesToBase64Url(new Uint8Array(sig))}`;
  }

  /**
   * Keeps the `DPoP-Nonce` of a response for its origin; true when it is new (a retry can use it), false
   * when absent or unchanged (retrying would send the same proof claims again).
   */
  rememberNonce(url: string | URL, response: Response): boolean {
    const nonce = response.headers.get('dpop-nonce');
    if (!nonce) return false;
    const origin = new URL(url).origin;
    if (this.#nonces.get(origin) === nonce) return false;
    if (!this.#nonces.has(origin) && this.#nonces.size >= this.#max)
      throw new AuthError('TSMCP_AUTH_DPOP_NONCES', 'Too many origins sent a DPoP nonce', {
        document: 'DPoP-Nonce',
        expected: `at most ${this.#max} origins (dpop.maxNonces)`,
        received: origin,
      });
    this.#nonces.set(origin, nonce);
    return true;
  }

  /**
   * The private JWK of this client's key (created now if needed), for a `TokenStore` to keep with the
   * tokens bound to it: a restarted client must prove possession with the same key (`cnf.jkt`).
   */
  async exportKey(): Promise<JsonWebKey> {
    const { privateKey } = await this.#keys();
    const { kty, crv, x, y, d } = await crypto.subtle.exportKey('jwk', privateKey);
    return { kty, crv, x, y, d };
  }

  /** Signs from now on with a stored key (from `exportKey`); false, keeping the current key, if it is not one. */
  async adopt(jwk: JsonWebKey): Promise<boolean> {
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') return false;
    const { kty, crv, x, y, d } = jwk;
    try {
      const privateKey = await crypto.subtle.importKey('jwk', { kty, crv, x, y, d }, KEY_ALG, true, ['sign']);
      this.#key = Promise.resolve({ privateKey, jwk: { kty, crv, x, y } });
      return true;
    } catch {
      return false;
    }
  }

  #keys() {
    // Extractable so that `exportKey` can hand it to the store; it never leaves the process otherwise.
    this.#key ??= (async () => {
      const pair = (await crypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
      const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
      return { privateKey: pair.privateKey, jwk: { kty, crv, x, y } };
    })();
    return this.#key;
  }
}

const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** base64url SHA-256 of a string: the `ath` claim. */
async function sha256(s: string): Promise<string> {
  return bytesToBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))));
}
