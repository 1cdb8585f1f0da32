// The OAuth 2.1 client behind the HTTP client transport's `auth` option: on a 401 it discovers (PRM →
// AS metadata), registers (pre-registered → CIMD → DCR), runs authorization code + PKCE S256 through
// the injected `redirect` (or a non-interactive `grant`), and stores the tokens; on 403
// insufficient_scope it steps up. What discovery found is kept in the store, so a restarted client sends
// its stored tokens on the first request.
import type { HttpAuthProvider } from '../../protocol/auth-provider.js';
import { bytesToBase64 } from '../../protocol/base64.js';
import { type AuthChallenge, parseWwwAuthenticate } from './challenge.js';
import {
  type AuthorizationServerMetadata,
  DEFAULT_AUTH_MAX_DOCUMENT_BYTES,
  discoverAuthorizationServer,
  discoverProtectedResource,
  type Fetcher,
  legacyAuthorizationServer,
  readJson,
} from './discovery.js';
import { DPOP_ALG, type DpopOptions, DpopProver } from './dpop.js';
import { AuthError, reason } from './errors.js';
import { ClientAssertionSigner, checkGrant, grantBody, grantClient, type OAuthGrant } from './grants.js';
import { randomToken, s256 } from './pkce.js';
import {
  type ClientInformation,
  MemoryTokenStore,
  type StoredDiscovery,
  type StoredTokens,
  type TokenStore,
} from './store.js';

/** Default of `refreshSkewSeconds`: tokens this close to `expiresAt` are refreshed before use. */
export const DEFAULT_REFRESH_SKEW_S = 30;

/** Default of `discoveryMaxAgeSeconds`: a stored discovery record older than this (7 days) is not used. */
export const DEFAULT_DISCOVERY_MAX_AGE_S = 7 * 24 * 3600;

/** Default of `maxAuthorizationAttempts`. */
export const DEFAULT_AUTH_MAX_ATTEMPTS = 3;

/** The authorization code flow (the default): a user logs in through `redirect`. */
export interface InteractiveOAuthOptions {
  grant?: undefined;
  /**
   * This client's redirect URI (registered, and sent in the authorization and token requests). A function
   * is asked once per registration and once per authorization (whose token request reuses the answer):
   * `loopbackLogin()` of tsmcp/auth/node starts its listener there to learn its port.
   */
  redirectUri: string | (() => string | Promise<string>);
  /**
   * Send the user to `authorizationUrl` and resolve with the callback URL the AS redirected to (with
   * `code`, `state`, maybe `iss`). A browser login, or a headless GET in tests.
   */
  redirect: (authorizationUrl: URL) => Promise<string | URL>;
  /** Pre-registered credentials; with `issuer`, used only at that authorization server. */
  clientInformation?: ClientInformation & { issuer?: string };
  /** A Client ID Metadata Document URL, used as `client_id` where the AS advertises support. */
  clientMetadataUrl?: string;
  /** Sent with dynamic registration (RFC 7591). Defaults: client_name 'tsmcp', application_type 'native'. */
  clientMetadata?: { client_name?: string; application_type?: 'native' | 'web'; [k: string]: unknown };
}

/** A non-interactive grant: no user, no redirect, no registration (the grant names the client, if any). */
export interface GrantOAuthOptions {
  /** client_credentials (secret or private_key_jwt) or jwt_bearer; see `OAuthGrant`. */
  grant: OAuthGrant;
  redirectUri?: undefined;
  redirect?: undefined;
  clientInformation?: undefined;
  clientMetadataUrl?: undefined;
  clientMetadata?: undefined;
}

export type OAuthClientOptions = (InteractiveOAuthOptions | GrantOAuthOptions) & {
  /** The MCP server's URL (the one given to the transport): PRM discovery and the resource check use it. */
  serverUrl: string | URL;
  /** Registrations and tokens. Default: a new `MemoryTokenStore`. */
  store?: TokenStore;
  /** The fetch for discovery, registration and token requests. Default: the global fetch. */
  fetch?: typeof fetch;
  /**
   * Authorizations for the same scope set after 403 `insufficient_scope` before giving up with
   * `TSMCP_AUTH_STEP_UP_LIMIT` (the first authorization counts). Default 3 (`DEFAULT_AUTH_MAX_ATTEMPTS`).
   */
  maxAuthorizationAttempts?: number;
  /** Largest metadata, registration or token response, in bytes. Default 256 KiB (`DEFAULT_AUTH_MAX_DOCUMENT_BYTES`). */
  maxDocumentBytes?: number;
  /** DPoP-bound tokens (RFC 9449): when to use them and how many server nonces to keep; see `DpopOptions`. */
  dpop?: DpopOptions;
  /**
   * A token whose `expiresAt` is less than this many seconds away is refreshed before a request is sent
   * (when it has a refresh token), absorbing clock skew and transit time. Default 30
   * (`DEFAULT_REFRESH_SKEW_S`), then at most half the token's lifetime (a 20 s token is refreshed 10 s
   * before expiry, not before every request); a value given here is used as it is. A token with no
   * `expires_in` is used until the server refuses it.
   */
  refreshSkewSeconds?: number;
  /**
   * A restarted client takes the authorization server, resource, scope and DPoP use from the store's
   * discovery record for this server (`TokenStore.getDiscovery`) and sends its stored tokens on the first
   * request. Every discovery (on any 401, and on 403 insufficient_scope) replaces the record; one older
   * than this many seconds is not used (the first request then goes without a token and its 401
   * discovers). Default 7 days (`DEFAULT_DISCOVERY_MAX_AGE_S`); 0 never uses a stored record.
   */
  discoveryMaxAgeSeconds?: number;
};

interface Session {
  issuer: string;
  /** The PRM's `resource`, verbatim; undefined under the 2025-03-26 fallback. */
  resource: string | undefined;
  meta: AuthorizationServerMetadata;
  /** Undefined for a grant without client authentication (jwt_bearer without clientId). */
  client: ClientInformation | undefined;
  scope: string | undefined;
  /** Token requests carry a DPoP proof (the resource asked or `dpop.force`, and the AS signs ES256). */
  dpop: boolean;
}

const AUTH_RESPONSE = 'authorization response';
const TOKEN_RESPONSE = 'token response';

/** An OAuth 2.1 client for `StreamableHttpClientTransport`'s `auth` option. */
export function oauthClient(options: OAuthClientOptions): OAuthClient {
  return new OAuthClient(options);
}

export class OAuthClient implements HttpAuthProvider {
  readonly #o: OAuthClientOptions;
  readonly #server: URL;
  readonly #store: TokenStore;
  readonly #f: Fetcher;
  readonly #max: number;
  readonly #signer: ClientAssertionSigner | undefined;
  readonly #dpop: DpopProver;
  readonly #skewMs: number;
  /** The default skew is at most half a token's lifetime; an explicit one is used as given. */
  readonly #skewCapped: boolean;
  #session: Session | undefined;
  #tokens: StoredTokens | undefined;
  #pending: Promise<boolean> | undefined;
  /** The session rebuilt from the store's discovery record, once, before the first request. */
  #restoring: Promise<void> | undefined;
  #restored = false;
  readonly #discoveryMaxAgeMs: number;
  /** Refreshes in flight per issuer+resource: concurrent callers share one token request. */
  readonly #refreshing = new Map<string, Promise<boolean>>();
  /** The last refresh token the AS refused: never sent again (RFC 6749 §6 rotation, reuse detection). */
  #refused: string | undefined;
  #lastScope: string | undefined;
  #attempts = 0;

  constructor(options: OAuthClientOptions) {
    this.#o = options;
    this.#server = new URL(options.serverUrl);
    this.#store = options.store ?? new MemoryTokenStore();
    this.#f = {
      fetch: options.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a)),
      maxDocumentBytes: options.maxDocumentBytes ?? DEFAULT_AUTH_MAX_DOCUMENT_BYTES,
    };
    this.#max = options.maxAuthorizationAttempts ?? DEFAULT_AUTH_MAX_ATTEMPTS;
    this.#dpop = new DpopProver(options.dpop);
    this.#skewMs = (options.refreshSkewSeconds ?? DEFAULT_REFRESH_SKEW_S) * 1000;
    this.#skewCapped = options.refreshSkewSeconds === undefined;
    this.#discoveryMaxAgeMs = (options.discoveryMaxAgeSeconds ?? DEFAULT_DISCOVERY_MAX_AGE_S) * 1000;
    const g = options.grant;
    if (g) checkGrant(g);
    this.#signer =
      g?.type === 'client_credentials' && g.privateKey !== undefined ? new ClientAssertionSigner(g) : undefined;
  }

  /**
   * Synchronous for a live Bearer token; a DPoP token needs a proof signed per exchange, and a token due
   * within `refreshSkewSeconds` is refreshed first (one refresh shared by concurrent exchanges). The
   * first call reads the store's discovery record and tokens (a restarted client).
   */
  headers(request?: { method: string; url: string }): Record<string, string> | Promise<Record<string, string>> {
    // Nothing to restore once a session exists, or from a store without discovery records.
    if (!this.#restored && !this.#session && this.#store.getDiscovery) {
      // A failure (an unreadable store) fails this exchange with its typed error; the next one tries again.
      this.#restoring ??= this.#restore().then(
        () => void (this.#restored = true),
        (e) => {
          this.#restoring = undefined;
          throw e;
        },
      );
      return this.#restoring.then(() => this.headers(request));
    }
    const t = this.#tokens;
    const s = this.#session;
    if (t && s && this.#due(t) && this.#refreshable(t))
      // A failed refresh still sends the old token: the server's 401 then runs the full recovery.
      return this.#refreshOnce(s, t).then(
        () => this.#headersFor(this.#tokens, request),
        () => this.#headersFor(this.#tokens, request),
      );
    return this.#headersFor(t, request);
  }

  #headersFor(
    t: StoredTokens | undefined,
    request?: { method: string; url: string },
  ): Record<string, string> | Promise<Record<string, string>> {
    if (!t) return {};
    if (t.token_type !== 'DPoP') return { authorization: `Bearer ${t.access_token}` };
    // A proof per exchange: a fresh jti, this method and URL, bound to the token by ath.
    return this.#dpop
      .proof(request?.method ?? 'POST', request?.url ?? this.#server, t.access_token)
      .then((proof) => ({ authorization: `DPoP ${t.access_token}`, dpop: proof }));
  }

  /** A DPoP `use_dpop_nonce` 401 from the resource (RFC 9449 §9): keep the nonce; retry when it is new. */
  onNonce(response: Response): boolean {
    if (this.#tokens?.token_type !== 'DPoP') return false;
    if (challengeOf(response, 'dpop')?.params.error !== 'use_dpop_nonce') return false;
    return this.#dpop.rememberNonce(response.url || this.#server, response);
  }

  /**
   * A DPoP-Nonce on any other response (RFC 9449 §8: servers may rotate it on success) serves the next
   * proof to that origin; a 401's nonce goes through `onNonce`, whose answer decides the retry.
   */
  onResponse(response: Response, request: { method: string; url: string }): void {
    if (this.#tokens?.token_type !== 'DPoP' || response.status === 401) return;
    this.#dpop.rememberNonce(request.url, response);
  }

  onUnauthorized(
    response: Response,
    request?: { method: string; url: string; authorization?: string | undefined },
  ): Promise<boolean> {
    // Refused for a token this client no longer holds (a concurrent refresh or authorization replaced
    // it, or there was none yet): send again with the current one instead of refreshing once more.
    const t = this.#tokens;
    if (request && t && !this.#due(t) && request.authorization?.replace(/^\S+ +/, '') !== t.access_token)
      return Promise.resolve(true);
    const challenge = challengeOf(response);
    const asksDpop = challengeOf(response, 'dpop') !== undefined;
    return this.#once(async () => {
      const s = await this.#discover(challenge?.params.resource_metadata, challenge?.params.scope, asksDpop);
      if (await this.#recover(s)) return true;
      this.#count(s.scope, true);
      await this.#obtain(s);
      return true;
    });
  }

  onForbidden(response: Response): Promise<boolean> {
    const challenge = challengeOf(response);
    if (challenge?.params.error !== 'insufficient_scope') return Promise.resolve(false);
    return this.#once(async () => {
      const held = this.#session?.scope?.split(' ') ?? [];
      const wanted = challenge.params.scope?.split(' ') ?? [];
      const scope = [...new Set([...held, ...wanted].filter(Boolean))].join(' ') || undefined;
      const s = await this.#discover(challenge.params.resource_metadata, scope, this.#session?.dpop === true, true);
      this.#count(s.scope, false);
      await this.#obtain(s);
      return true;
    });
  }

  /** One authorization at a time: concurrent 401s share it. */
  #once(run: () => Promise<boolean>): Promise<boolean> {
    this.#pending ??= run().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Bounds re-authorizations for one scope set; a 401 (expired or revoked token) starts a new count. */
  #count(scope: string | undefined, fresh: boolean) {
    const key = scope ?? '';
    if (fresh || key !== this.#lastScope) {
      this.#lastScope = key;
      this.#attempts = 1;
      return;
    }
    if (++this.#attempts > this.#max)
      throw new AuthError('TSMCP_AUTH_STEP_UP_LIMIT', 'The server keeps refusing the scopes it asked for', {
        document: 'WWW-Authenticate',
        field: 'scope',
        expected: `at most ${this.#max} authorizations for one scope set (maxAuthorizationAttempts)`,
        received: `${this.#attempts}`,
      });
  }

  /**
   * The session the store's discovery record describes, with the stored tokens, when both are there and
   * usable without the network (a known client: a registration waits for the 401). Never replaces a
   * session a 401 set meanwhile.
   */
  async #restore(): Promise<void> {
    const d = await this.#store.getDiscovery?.(this.#server.href);
    if (!d || this.#session || d.metadata.issuer !== d.issuer) return;
    if (this.#discoveryMaxAgeMs <= 0 || !(Date.now() - d.discoveredAt <= this.#discoveryMaxAgeMs)) return;
    const client = this.#o.grant ? grantClient(this.#o.grant) : await this.#knownClient(d.issuer, d.metadata);
    if (!this.#o.grant && !client) return;
    const s: Session = {
      issuer: d.issuer,
      resource: d.resource,
      meta: d.metadata,
      client,
      scope: d.scope,
      dpop: d.dpop === true,
    };
    const t = await this.#load(s);
    if (!t || this.#session) return;
    this.#session = s;
    this.#tokens = t;
  }

  /**
   * PRM (else the 2025-03-26 fallback) → AS metadata → registration; re-read on every (re)authorization
   * and kept in the store for a restart. `exactScope`: the scope is `challengeScope` as given (a step-up).
   */
  async #discover(
    resourceMetadata: string | undefined,
    challengeScope: string | undefined,
    asksDpop = false,
    exactScope = false,
  ): Promise<Session> {
    const prm = await discoverProtectedResource(this.#f, this.#server, resourceMetadata);
    let meta: AuthorizationServerMetadata | undefined;
    if (prm) {
      const issuer = prm.authorization_servers![0]!;
      meta = await discoverAuthorizationServer(this.#f, issuer, { interactive: !this.#o.grant });
      if (!meta)
        throw new AuthError('TSMCP_AUTH_NO_METADATA', `No metadata found for ${issuer}`, {
          document: 'authorization server metadata',
          field: 'issuer',
          expected: 'RFC 8414 or OpenID Connect discovery metadata',
          received: `nothing for ${issuer}`,
        });
    } else meta = await legacyAuthorizationServer(this.#f, this.#server, { interactive: !this.#o.grant });
    const base = exactScope ? challengeScope : (challengeScope ?? prm?.scopes_supported?.join(' ') ?? undefined);
    const scope = this.#o.grant ? base : withOfflineAccess(base, meta);
    const issuer = meta.issuer;
    if (this.#session && this.#session.issuer !== issuer) this.#tokens = undefined; // a new AS: nothing carries over
    const client = this.#o.grant ? grantClient(this.#o.grant) : await this.#client(issuer, meta);
    const wantsDpop = this.#o.dpop?.force === true || asksDpop || prm?.dpop_bound_access_tokens_required === true;
    const algs = meta.dpop_signing_alg_values_supported;
    const dpop = wantsDpop && Array.isArray(algs) && algs.includes(DPOP_ALG);
    const session: Session = { issuer, resource: prm?.resource, meta, client, scope, dpop };
    this.#session = session;
    const record: StoredDiscovery = { issuer, metadata: meta, dpop, discoveredAt: Date.now() };
    if (session.resource !== undefined) record.resource = session.resource;
    if (scope !== undefined) record.scope = scope;
    await this.#store.setDiscovery?.(this.#server.href, record);
    return session;
  }

  /** Pre-registered → stored → CIMD; undefined when only a registration would give one. */
  async #knownClient(issuer: string, meta: AuthorizationServerMetadata): Promise<ClientInformation | undefined> {
    const pre = this.#o.clientInformation;
    if (pre && (pre.issuer === undefined || pre.issuer === issuer)) {
      const { issuer: _, ...info } = pre;
      return info;
    }
    const stored = await this.#store.getClient(issuer);
    if (stored) return stored;
    if (this.#o.clientMetadataUrl && meta.client_id_metadata_document_supported === true)
      return { client_id: this.#o.clientMetadataUrl, token_endpoint_auth_method: 'none' };
    return undefined;
  }

  /** A known client (`#knownClient`) → dynamic registration → error. */
  async #client(issuer: string, meta: AuthorizationServerMetadata): Promise<ClientInformation> {
    const known = await this.#knownClient(issuer, meta);
    if (known) return known;
    if (!meta.registration_endpoint)
      throw new AuthError('TSMCP_AUTH_NO_REGISTRATION', 'No way to obtain a client_id at this authorization server', {
        document: 'authorization server metadata',
        field: 'registration_endpoint',
        expected: 'pre-registered credentials, CIMD support or a registration endpoint',
        received: 'nothing',
      });
    const supported = meta.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    const method = ['none', 'client_secret_basic', 'client_secret_post'].find((m) => supported.includes(m)) ?? 'none';
    const res = await this.#post(meta.registration_endpoint, 'registration', {
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        client_name: 'tsmcp',
        application_type: 'native',
        ...this.#o.clientMetadata,
        redirect_uris: [await this.#redirectUri()],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: method,
      }),
    });
    const doc = await readJson(this.#f, res, 'registration response');
    if (!res.ok || typeof doc.client_id !== 'string')
      throw new AuthError('TSMCP_AUTH_REGISTRATION', `Dynamic registration failed (HTTP ${res.status})`, {
        document: 'registration response',
        field: 'client_id',
        expected: 'a string',
        received: String(doc.error ?? doc.client_id),
      });
    const info: ClientInformation = { client_id: doc.client_id };
    if (typeof doc.client_secret === 'string') info.client_secret = doc.client_secret;
    if (typeof doc.token_endpoint_auth_method === 'string')
      info.token_endpoint_auth_method = doc.token_endpoint_auth_method;
    await this.#store.setClient(issuer, info);
    return info;
  }

  /** The configured grant, else authorization code + PKCE. */
  async #obtain(s: Session): Promise<void> {
    const grant = this.#o.grant;
    if (!grant) return this.#authorize(s);
    const body = await grantBody(grant, {
      issuer: s.issuer,
      tokenEndpoint: s.meta.token_endpoint,
      resource: s.resource,
      scope: s.scope,
    });
    if (s.scope) body.set('scope', s.scope);
    this.#tokens = await this.#token(s, body);
  }

  async #authorize(s: Session): Promise<void> {
    const client = s.client!; // every interactive session has one (#client)
    const verifier = randomToken();
    const state = randomToken();
    const redirectUri = await this.#redirectUri();
    const url = new URL(s.meta.authorization_endpoint!); // checked by discovery for interactive clients
    const q = url.searchParams;
    q.set('response_type', 'code');
    q.set('client_id', client.client_id);
    q.set('redirect_uri', redirectUri);
    q.set('code_challenge', await s256(verifier));
    q.set('code_challenge_method', 'S256');
    q.set('state', state);
    if (s.scope) q.set('scope', s.scope);
    if (s.resource !== undefined) q.set('resource', s.resource);
    const callback = new URL(await this.#o.redirect!(url));
    const r = callback.searchParams;
    if (r.get('state') !== state)
      throw new AuthError('TSMCP_AUTH_STATE_MISMATCH', "The callback does not carry this request's state", {
        document: AUTH_RESPONSE,
        field: 'state',
        expected: 'the state sent',
        received: r.get('state') ?? 'nothing',
      });
    const iss = r.get('iss');
    if (iss !== null && iss !== s.issuer)
      throw new AuthError(
        'TSMCP_AUTH_ISS_MISMATCH',
        'The authorization response comes from another issuer (RFC 9207)',
        {
          document: AUTH_RESPONSE,
          field: 'iss',
          expected: s.issuer,
          received: iss,
        },
      );
    if (iss === null && s.meta.authorization_response_iss_parameter_supported === true)
      throw new AuthError(
        'TSMCP_AUTH_ISS_MISSING',
        'The issuer advertises iss but the authorization response lacks it',
        {
          document: AUTH_RESPONSE,
          field: 'iss',
          expected: s.issuer,
          received: 'nothing',
        },
      );
    const error = r.get('error');
    const code = r.get('code');
    if (error !== null || !code)
      throw new AuthError('TSMCP_AUTH_DENIED', 'The authorization server refused the authorization', {
        document: AUTH_RESPONSE,
        field: error !== null ? 'error' : 'code',
        expected: 'a code',
        received: error ?? 'nothing',
      });
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    this.#tokens = await this.#token(s, body);
  }

  async #redirectUri(): Promise<string> {
    const r = this.#o.redirectUri!; // interactive sessions only
    return typeof r === 'string' ? r : await r();
  }

  /** The store key of a session's tokens: the PRM's resource, else (2025-03-26 fallback) the server URL. */
  #resource(s: Session): string {
    return s.resource ?? this.#server.href;
  }

  /** Due for refresh: within the skew of its expiry (the default skew at most half the token's lifetime). */
  #due(t: StoredTokens): boolean {
    if (t.expiresAt === undefined) return false;
    const life = this.#skewCapped && t.issuedAt !== undefined ? t.expiresAt - t.issuedAt : Number.POSITIVE_INFINITY;
    return t.expiresAt - Math.min(this.#skewMs, life / 2) <= Date.now();
  }

  #refreshable(t: StoredTokens): boolean {
    return t.refresh_token !== undefined && t.refresh_token !== this.#refused;
  }

  /**
   * The stored tokens of this session, if this client can present them: a DPoP token only with its
   * stored key, which then signs every proof (the token is bound to it).
   */
  async #load(s: Session): Promise<StoredTokens | undefined> {
    const t = await this.#store.getTokens(s.issuer, this.#resource(s));
    if (t?.token_type !== 'DPoP') return t;
    return s.dpop && t.dpopKey && (await this.#dpop.adopt(t.dpopKey)) ? t : undefined;
  }

  /**
   * After a 401, before authorizing again: newer tokens in the store (another client or process, or this
   * one before a restart) are used as they are; else the refresh token of the stored or held tokens.
   */
  async #recover(s: Session): Promise<boolean> {
    const held = this.#tokens;
    const stored = await this.#load(s);
    if (stored && stored.access_token !== held?.access_token && !this.#due(stored)) {
      this.#tokens = stored;
      return true;
    }
    const t = stored ?? held;
    return t !== undefined && this.#refreshable(t) && this.#refreshOnce(s, t);
  }

  /** Single-flight per issuer+resource: concurrent callers wait for the same refresh. */
  #refreshOnce(s: Session, t: StoredTokens): Promise<boolean> {
    const key = JSON.stringify([s.issuer, this.#resource(s)]);
    let p = this.#refreshing.get(key);
    if (!p) {
      p = this.#refresh(s, t).finally(() => this.#refreshing.delete(key));
      this.#refreshing.set(key, p);
    }
    return p;
  }

  /**
   * RFC 6749 §6 under the store's lock (if it has one, held only for this): re-read the store, since
   * the lock's previous holder may have refreshed already; else spend the refresh token. A refused
   * refresh token may have been rotated by another client first: its tokens are in the store then. Never
   * deletes stored tokens. False when nothing usable is left (the caller authorizes again).
   */
  #refresh(s: Session, held: StoredTokens): Promise<boolean> {
    const run = async () => {
      const now = await this.#load(s);
      if (now && now.access_token !== held.access_token && !this.#due(now)) {
        this.#tokens = now;
        return true;
      }
      const from = now?.refresh_token !== undefined && this.#refreshable(now) ? now : held;
      const rt = from.refresh_token;
      if (rt === undefined || rt === this.#refused) return false;
      try {
        this.#tokens = await this.#token(
          s,
          // The scope these tokens were granted (RFC 6749 §6: not more): asking again for one the AS
          // left out, e.g. offline_access without consent, would be refused with invalid_scope.
          new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: rt,
            ...(from.scope ? { scope: from.scope } : {}),
          }),
          rt,
        );
        return true;
      } catch (e) {
        if (!(e instanceof AuthError && e.code === 'TSMCP_AUTH_TOKEN')) throw e;
        this.#refused = rt;
        const after = await this.#load(s);
        if (after && after.refresh_token !== rt && after.access_token !== from.access_token) {
          this.#tokens = after;
          return true;
        }
        return false;
      }
    };
    return this.#store.lock ? this.#store.lock(s.issuer, this.#resource(s), run) : run();
  }

  async #token(s: Session, body: URLSearchParams, oldRefresh?: string): Promise<StoredTokens> {
    if (s.resource !== undefined) body.set('resource', s.resource);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const c = s.client;
    if (c) await this.#authenticate(s, c, body, headers);
    const endpoint = s.meta.token_endpoint;
    const send = async () => {
      if (s.dpop) headers.dpop = await this.#dpop.proof('POST', endpoint); // no ath: no token yet
      const res = await this.#post(endpoint, TOKEN_RESPONSE, { headers, body: body.toString() });
      return { res, doc: await readJson(this.#f, res, TOKEN_RESPONSE) };
    };
    let { res, doc } = await send();
    // RFC 9449 §8: the AS wants its nonce in the proof; one retry with a new proof when the nonce is new.
    if (s.dpop && res.status === 400 && doc.error === 'use_dpop_nonce' && this.#dpop.rememberNonce(endpoint, res))
      ({ res, doc } = await send());
    else if (s.dpop) this.#dpop.rememberNonce(endpoint, res); // a rotated nonce on success serves the next request
    if (!res.ok || typeof doc.access_token !== 'string')
      throw new AuthError('TSMCP_AUTH_TOKEN', `The token request failed (HTTP ${res.status}${reason(doc)})`, {
        document: TOKEN_RESPONSE,
        field: doc.error !== undefined ? 'error' : 'access_token',
        expected: 'an access_token',
        received: doc.error !== undefined ? String(doc.error) : typeof doc.access_token,
      });
    const tokenType = typeof doc.token_type === 'string' ? doc.token_type.toLowerCase() : '';
    if (tokenType !== 'bearer' && !(s.dpop && tokenType === 'dpop'))
      throw new AuthError('TSMCP_AUTH_TOKEN', 'Unsupported token type', {
        document: TOKEN_RESPONSE,
        field: 'token_type',
        expected: s.dpop ? 'Bearer or DPoP' : 'Bearer',
        received: tokenType,
      });
    const tokens: StoredTokens = {
      access_token: doc.access_token,
      token_type: tokenType === 'dpop' ? 'DPoP' : 'Bearer',
    };
    const refresh = typeof doc.refresh_token === 'string' ? doc.refresh_token : oldRefresh;
    if (refresh) tokens.refresh_token = refresh;
    // RFC 6749 §5.1: the AS names the granted scope when it differs from the request.
    const granted = typeof doc.scope === 'string' && doc.scope.trim() !== '' ? doc.scope : s.scope;
    if (granted) tokens.scope = granted;
    if (typeof doc.expires_in === 'number' && doc.expires_in > 0) {
      tokens.issuedAt = Date.now();
      tokens.expiresAt = tokens.issuedAt + doc.expires_in * 1000;
    }
    if (tokens.token_type === 'DPoP') tokens.dpopKey = await this.#dpop.exportKey(); // bound to this key
    await this.#store.setTokens(s.issuer, this.#resource(s), tokens); // stored before use
    return tokens;
  }

  /** Client authentication at the token endpoint: Basic, post, private_key_jwt or just client_id. */
  async #authenticate(s: Session, c: ClientInformation, body: URLSearchParams, headers: Record<string, string>) {
    const supported = s.meta.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    const method =
      c.token_endpoint_auth_method ??
      (c.client_secret === undefined
        ? 'none'
        : supported.includes('client_secret_basic')
          ? 'client_secret_basic'
          : 'client_secret_post');
    if (method === 'private_key_jwt' && this.#signer) await this.#signer.apply(body, s.meta);
    else if (method === 'client_secret_basic' && c.client_secret !== undefined)
      headers.authorization = `Basic ${bytesToBase64(new TextEncoder().encode(`${formEncode(c.client_id)}:${formEncode(c.client_secret)}`))}`;
    else {
      body.set('client_id', c.client_id);
      if (method === 'client_secret_post' && c.client_secret !== undefined) body.set('client_secret', c.client_secret);
    }
  }

  async #post(
    url: string,
    document: string,
    init: { headers: Record<string, string>; body: string },
  ): Promise<Response> {
    try {
      return await this.#f.fetch(url, { method: 'POST', redirect: 'manual', ...init });
    } catch (e) {
      throw new AuthError('TSMCP_AUTH_FETCH', `POST ${url} failed`, { document }, e);
    }
  }
}

/**
 * 2026-07-28 (SEP-2207): an interactive client asks for `offline_access` (a refresh token) only when the AS
 * lists it in `scopes_supported`. Not added to an empty request: a scope of just `offline_access` would
 * replace the AS's default scope instead of adding to it.
 */
function withOfflineAccess(
  scope: string | undefined,
  meta: Pick<AuthorizationServerMetadata, 'scopes_supported'>,
): string | undefined {
  if (!scope || !Array.isArray(meta.scopes_supported) || !meta.scopes_supported.includes('offline_access'))
    return scope;
  const parts = scope.split(' ').filter(Boolean);
  return parts.includes('offline_access') ? parts.join(' ') : [...parts, 'offline_access'].join(' ');
}

/** The challenge of a 401/403 for `scheme`, or else the Bearer one, else the DPoP one (RFC 9449 §7.1). */
function challengeOf(response: Response, scheme?: 'bearer' | 'dpop'): AuthChallenge | undefined {
  const h = response.headers.get('www-authenticate');
  if (!h) return undefined;
  const all = parseWwwAuthenticate(h);
  if (scheme) return all.find((c) => c.scheme === scheme);
  return all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'dpop');
}

/** RFC 6749 §2.3.1: client_id and secret are form-encoded before Basic. */
function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+');
}
