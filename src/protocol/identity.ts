// Who sent a request, as the transport (never the message) knows it. A request's `_meta` is written by
// the client and is never an identity; principals come from here.

/** What an authentication layer verified about the caller (a bearer token's claims, a client certificate). */
export interface AuthInfo {
  /** The verified subject (the end user or workload); the default principal. */
  subject?: string;
  /** The OAuth client the credential was issued to. */
  clientId?: string;
  /** Granted scopes. */
  scopes?: readonly string[];
  /** Expiry of the credential, seconds since the epoch. */
  expiresAt?: number;
  /** The raw credential, for handlers that call other services on the caller's behalf. */
  token?: string;
  /** Anything else the layer wants handlers to see. */
  extra?: { readonly [key: string]: unknown };
}

/**
 * The transport's view of the caller of one request. HTTP builds one per request (headers, peer address,
 * what an auth layer attached); message transports (stdio, memory, WebSocket) one per connection.
 */
export interface RequestIdentity {
  /** The carrier: `'http'`, `'stdio'`, `'memory'`, `'websocket'`, or a third-party transport's name. */
  readonly transport: string;
  /** Verified credentials, when an authentication layer checked them; undefined for anonymous callers. */
  readonly auth?: AuthInfo | undefined;
  /** Network address of the peer, when the transport knows it. */
  readonly remoteAddress?: string | undefined;
  /** HTTP (per request) and WebSocket (the upgrade request): a request header by lower-case name. */
  header?(name: string): string | undefined;
  /** stdio: the process at the other end of the pipes (for a server: its parent, the client). */
  readonly process?: { readonly pid: number; readonly uid?: number | undefined } | undefined;
}

/** The identity of a request whose transport said nothing. */
export const UNKNOWN_IDENTITY: RequestIdentity = Object.freeze({ transport: 'unknown' });
