// Test helper: a local issuer: a JWKS endpoint on 127.0.0.1 (counting its fetches, keys swappable) and
// tokens minted with jose.
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { listenNode } from '../helpers/listen.js';

export interface Issuer {
  readonly issuer: string;
  readonly jwksUri: string;
  /** Requests the JWKS endpoint served. */
  fetches: number;
  /**
   * Sign `claims` (iat, exp in 5 min, iss by default) with the key of `alg` (or `key`), typed `at+jwt`
   * (RFC 9068) like a real AS; `typ` gives another one, null none.
   */
  mint(
    claims: JWTPayload,
    opts?: { alg?: string; kid?: string; key?: CryptoKey | Uint8Array; noExp?: boolean; typ?: string | null },
  ): Promise<string>;
  /** Add a key to the served set (rotation); returns its kid. */
  rotate(alg: string): Promise<string>;
}

export async function startIssuer(): Promise<Issuer> {
  const keys = new Map<string, { alg: string; priv: CryptoKey; jwk: JWK }>();
  const add = async (alg: string, kid: string) => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    keys.set(kid, { alg, priv: privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } });
    return kid;
  };
  for (const alg of ['RS256', 'ES256', 'EdDSA', 'PS256']) await add(alg, `k-${alg}`);
  const served = new Set(keys.keys());
  const state = { fetches: 0 };
  const port = await listenNode((_req, res) => {
    state.fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [...served].map((k) => keys.get(k)!.jwk) }));
  });
  const issuer = `http://127.0.0.1:${port}`;
  let n = 0;
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    get fetches() {
      return state.fetches;
    },
    set fetches(v) {
      state.fetches = v;
    },
    async mint(claims, opts = {}) {
      const alg = opts.alg ?? 'RS256';
      const kid = opts.kid ?? `k-${alg}`;
      const key = opts.key ?? keys.get(kid)!.priv;
      const typ = opts.typ === undefined ? 'at+jwt' : opts.typ;
      let jwt = new SignJWT({ iss: issuer, ...claims })
        .setProtectedHeader({ alg, kid, ...(typ === null ? {} : { typ }) })
        .setIssuedAt();
      if (!opts.noExp && claims.exp === undefined) jwt = jwt.setExpirationTime('5m');
      return jwt.sign(key);
    },
    async rotate(alg) {
      const kid = await add(alg, `rotated-${++n}`);
      served.add(kid);
      return kid;
    },
  };
}
