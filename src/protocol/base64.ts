// Base64 and base64url over UTF-8 without Node's Buffer, so every runtime shares one implementation.

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Decode standard base64; undefined when it is not valid base64. */
export function base64ToBytes(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return undefined;
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decode unpadded base64url; undefined when it is not valid. */
export function base64UrlToBytes(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return undefined;
  return base64ToBytes(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
}

export function utf8ToBase64Url(s: string): string {
  return bytesToBase64Url(enc.encode(s));
}

/** undefined when not base64url or not valid UTF-8. */
export function base64UrlToUtf8(s: string): string | undefined {
  const bytes = base64UrlToBytes(s);
  if (!bytes) return undefined;
  try {
    return dec.decode(bytes);
  } catch {
    return undefined;
  }
}
