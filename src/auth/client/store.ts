// Where the OAuth client keeps registrations (per issuer), tokens (per issuer + resource) and what
// discovery found (per MCP server URL). The memory store is the default; FileTokenStore (tsmcp/auth/node)
// keeps them across restarts for CLIs.
import type { AuthorizationServerMetadata } from './discovery.js';
import { AuthError } from './errors.js';

/** A client registration at one authorization server (pre-registered, CIMD or RFC 7591). */
export interface ClientInformation {
  client_id: string;
  client_secret?: string;
  /** 'client_secret_basic' | 'client_secret_post' | 'none'; chosen from the AS's list when absent. */
  token_endpoint_auth_method?: string;
}

/** Tokens with an absolute expiry (ms since the epoch), never a relative `expires_in`. */
export interface StoredTokens {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  /** The scope requested (or granted) for these tokens, space-separated. */
  scope?: string;
  expiresAt?: number;
  /** When the tokens were issued (ms since the epoch): bounds the refresh-ahead skew to half their lifetime. */
  issuedAt?: number;
  /**
   * The private JWK of the DPoP key these tokens are bound to (RFC 9449), so that a restarted client
   * proves possession with the same key. A store that drops it makes stored DPoP tokens unusable (the
   * client authorizes again); a store that keeps it holds a private key, like the refresh token.
   */
  dpopKey?: JsonWebKey;
}

/**
 * What discovery found for one MCP server, so that a restarted client sends its stored tokens on the
 * first request (no 401 round trip, no discovery fetch). Replaced by every discovery, which runs again
 * on any 401 or 403 insufficient_scope; a record older than the client's `discoveryMaxAgeSeconds` is
 * not used.
 */
export interface StoredDiscovery {
  /** The authorization server's issuer (the store key of the client registration and the tokens). */
  issuer: string;
  /** The PRM's `resource`; absent under the 2025-03-26 fallback (no PRM). */
  resource?: string;
  /** The authorization server metadata as discovery checked it (`issuer` equals the one above). */
  metadata: AuthorizationServerMetadata;
  /** The scope the client asked for, space-separated. */
  scope?: string;
  /** Token requests carry DPoP proofs (RFC 9449). */
  dpop?: boolean;
  /** When discovery ran (ms since the epoch). */
  discoveredAt: number;
}

export interface TokenStore {
  getClient(issuer: string): Promise<ClientInformation | undefined>;
  setClient(issuer: string, client: ClientInformation): Promise<void>;
  getTokens(issuer: string, resource: string): Promise<StoredTokens | undefined>;
  setTokens(issuer: string, resource: string, tokens: StoredTokens): Promise<void>;
  /**
   * Optional: run `fn` holding an exclusive lock for issuer+resource, shared by every client of this
   * store (across processes for a file or database). The OAuth client takes it only around a refresh
   * (re-read, token request, store), never across an MCP request or stream. Without it, clients racing
   * one refresh token both ask the AS; the loser then takes the winner's tokens from the store.
   */
  lock?<T>(issuer: string, resource: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Optional, with `setDiscovery`: the discovery record of the MCP server at `serverUrl` (its `href`).
   * A store without them still works; a restarted client then learns the authorization server from
   * its first request's 401, as a new one does.
   */
  getDiscovery?(serverUrl: string): Promise<StoredDiscovery | undefined>;
  /** Optional: keep the record `discover` found for `serverUrl`, replacing the previous one. */
  setDiscovery?(serverUrl: string, discovery: StoredDiscovery): Promise<void>;
}

/** Default of `MemoryTokenStore`'s `maxEntries`. */
export const DEFAULT_TOKEN_STORE_MAX_ENTRIES = 100;

/**
 * In-memory `TokenStore`. Bounded: at most `maxEntries` issuers, as many issuer+resource pairs and as
 * many discovery records (default 100 each, `DEFAULT_TOKEN_STORE_MAX_ENTRIES`); a new key past it fails
 * with `TSMCP_AUTH_STORE_FULL` instead of evicting a live registration, token or record.
 */
export class MemoryTokenStore implements TokenStore {
  readonly #clients = new Map<string, ClientInformation>();
  readonly #tokens = new Map<string, StoredTokens>();
  readonly #discovery = new Map<string, StoredDiscovery>();
  /** The tail of each issuer+resource's lock queue; removed when it runs empty. */
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #max: number;
  constructor(options: { maxEntries?: number } = {}) {
    this.#max = options.maxEntries ?? DEFAULT_TOKEN_STORE_MAX_ENTRIES;
  }
  /** Entries held: for inspection and tests. */
  get size(): { clients: number; tokens: number; discovery: number } {
    return { clients: this.#clients.size, tokens: this.#tokens.size, discovery: this.#discovery.size };
  }
  async getClient(issuer: string) {
    return this.#clients.get(issuer);
  }
  async setClient(issuer: string, client: ClientInformation) {
    this.#room(this.#clients, issuer);
    this.#clients.set(issuer, client);
  }
  async getTokens(issuer: string, resource: string) {
    return this.#tokens.get(JSON.stringify([issuer, resource]));
  }
  async setTokens(issuer: string, resource: string, tokens: StoredTokens) {
    const key = JSON.stringify([issuer, resource]);
    this.#room(this.#tokens, key);
    this.#tokens.set(key, tokens);
  }
  async getDiscovery(serverUrl: string) {
    return this.#discovery.get(serverUrl);
  }
  async setDiscovery(serverUrl: string, discovery: StoredDiscovery) {
    this.#room(this.#discovery, serverUrl);
    this.#discovery.set(serverUrl, discovery);
  }
  /** One holder at a time per issuer+resource, within this process (the store is in memory). */
  lock<T>(issuer: string, resource: string, fn: () => Promise<T>): Promise<T> {
    const key = JSON.stringify([issuer, resource]);
    const run = (this.#locks.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => {});
    this.#locks.set(key, tail);
    void tail.then(() => {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    });
    return run;
  }
  #room(map: Map<string, unknown>, key: string) {
    if (!map.has(key) && map.size >= this.#max)
      throw new AuthError('TSMCP_AUTH_STORE_FULL', 'MemoryTokenStore is full', {
        document: 'token store',
        expected: `at most ${this.#max} entries (maxEntries)`,
        received: `${map.size + 1}`,
      });
  }
}
