// PKCE S256 (RFC 7636) and random values on Web Crypto, so the client runs on any runtime.
import { bytesToBase64Url } from '../../protocol/base64.js';

/** 32 random bytes, base64url: a code verifier or a `state`. */
export function randomToken(): string {
  return bytesToBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier. */
export async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return bytesToBase64Url(new Uint8Array(digest));
}
