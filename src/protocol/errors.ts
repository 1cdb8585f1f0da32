// Typed errors: McpError for JSON-RPC errors on the wire, TsmcpError for local failures.

/** JSON-RPC and MCP error codes (spec §Error Codes). */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** 2026-07-28: HTTP headers missing, malformed or different from the body. */
  HeaderMismatch: -32020,
  /** 2026-07-28: the request lacks a client capability the server needs. */
  MissingRequiredClientCapability: -32021,
  /** 2026-07-28: the requested protocol version is not supported. */
  UnsupportedProtocolVersion: -32022,
  /** Legacy (≤ 2025-11-25) resource-not-found code. */
  LegacyResourceNotFound: -32002,
} as const;

const MCP_ERROR = Symbol.for('tsmcp.McpError');
const TSMCP_ERROR = Symbol.for('tsmcp.TsmcpError');

/** A JSON-RPC error: sent by a peer, or thrown by a handler to be sent as one. */
export class McpError extends Error {
  readonly code: number;
  readonly data: unknown;
  /** The HTTP status this error calls for when it answers a request over HTTP (default: by code). */
  readonly httpStatus: number | undefined;
  /** Response headers this error calls for over HTTP (an auth refusal's `WWW-Authenticate`). */
  readonly httpHeaders: { readonly [name: string]: string } | undefined;
  constructor(
    code: number,
    message: string,
    data?: unknown,
    httpStatus?: number,
    httpHeaders?: { readonly [name: string]: string },
  ) {
    super(message);
    this.name = 'McpError';
    this.code = code;
    this.data = data;
    this.httpStatus = httpStatus;
    this.httpHeaders = httpHeaders;
  }
  // Brand check so `instanceof` survives duplicate installs of tsmcp; subclasses use the normal check.
  static override [Symbol.hasInstance](v: unknown): boolean {
    if (this !== McpError) return Function.prototype[Symbol.hasInstance].call(this, v);
    return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[MCP_ERROR] === true;
  }
  /** The error object as it goes on the wire. */
  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}
Object.defineProperty(McpError.prototype, MCP_ERROR, { value: true });

const INSUFFICIENT_SCOPE = Symbol.for('tsmcp.InsufficientScopeError');

/**
 * A request needs scopes its verified credentials (`identity.auth.scopes`) lack: a tool, resource or
 * prompt registered with `scopes`, or a method's scopes. On the wire: -32600 with `data: { error:
 * 'insufficient_scope', scopes }` (the same body an HTTP resource server's 403 carries). Over HTTP the
 * front sends 403, and its `auth` layer turns it into the `WWW-Authenticate: Bearer
 * error="insufficient_scope"` challenge naming the resource's required scopes too.
 */
export class InsufficientScopeError extends McpError {
  /** The scopes the operation needs (not only the missing ones), as declared where it was registered. */
  readonly scopes: readonly string[];
  constructor(scopes: readonly string[], what: string, credentials: boolean) {
    super(
      ErrorCode.InvalidRequest,
      credentials
        ? `Forbidden: ${what} needs scope ${scopes.join(' ')}, which the request's credentials do not grant`
        : `Forbidden: ${what} needs scope ${scopes.join(' ')}, and this request carries no verified credentials ` +
            '(serve it over HTTP with an `auth` (protectedResource) or `authenticate` option that verifies tokens)',
      { error: 'insufficient_scope', scopes: [...scopes] },
      403,
    );
    this.name = 'InsufficientScopeError';
    this.scopes = scopes;
  }
  // Brand check, as McpError's: the HTTP core recognises one thrown by another install of tsmcp.
  static override [Symbol.hasInstance](v: unknown): boolean {
    return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[INSUFFICIENT_SCOPE] === true;
  }
}
Object.defineProperty(InsufficientScopeError.prototype, INSUFFICIENT_SCOPE, { value: true });

/**
 * Refuse (fail closed) unless `auth` grants every scope of `needed`: throws `InsufficientScopeError`
 * naming all of `needed`; no credentials at all is a refusal too. `what` names the operation.
 */
export function requireGranted(
  auth: { readonly scopes?: readonly string[] | undefined } | undefined,
  needed: readonly string[],
  what: string,
): void {
  if (needed.length === 0 || grants(auth, needed)) return;
  throw new InsufficientScopeError(needed, what, auth !== undefined);
}

/** Whether `auth` (verified credentials) grants every scope of `needed`. */
export function grants(
  auth: { readonly scopes?: readonly string[] | undefined } | undefined,
  needed: readonly string[],
): boolean {
  if (needed.length === 0) return true;
  const held = auth?.scopes;
  return held !== undefined && needed.every((s) => held.includes(s));
}

/** The error object a request answered by a throw gets when the throw was not an McpError. */
const INTERNAL_ERROR = Object.freeze({ code: ErrorCode.InternalError, message: 'Internal error' });

/**
 * The JSON-RPC error object a thrown value answers with: an McpError as it is; anything else is hidden
 * behind -32603 "Internal error" (its detail may be private) after `onUnexpected` saw it, which may
 * return the object to send instead. The one place engine and transports shape thrown errors.
 * @internal
 */
export function toJsonRpcError(
  e: unknown,
  onUnexpected?: (error: unknown) => { code: number; message: string; data?: unknown } | undefined,
): { code: number; message: string; data?: unknown } {
  if (e instanceof McpError) return e.toJSON();
  return onUnexpected?.(e) ?? { ...INTERNAL_ERROR };
}

/** Stable codes of local (never peer-sent) failures. */
export type TsmcpErrorCode =
  | 'TSMCP_TIMEOUT'
  | 'TSMCP_CANCELLED'
  | 'TSMCP_CONNECTION_CLOSED'
  | 'TSMCP_NOT_CONNECTED'
  | 'TSMCP_MESSAGE_TOO_LARGE'
  | 'TSMCP_INVALID_RESPONSE'
  | 'TSMCP_VERSION_NEGOTIATION'
  | 'TSMCP_INPUT_ROUNDS_EXCEEDED'
  | 'TSMCP_INPUT_REQUESTS_EXCEEDED'
  | 'TSMCP_NO_INPUT_HANDLER'
  | 'TSMCP_OUTPUT_SCHEMA'
  | 'TSMCP_INVALID_DEFINITION'
  /** Caller-supplied `_meta` with a malformed key or one under a prefix reserved for MCP. */
  | 'TSMCP_INVALID_META'
  | 'TSMCP_UNSUPPORTED'
  | 'TSMCP_PROCESS'
  /** A middleware misused its chain (called `next()` more than once). */
  | 'TSMCP_MIDDLEWARE'
  | 'TSMCP_HTTP'
  /** A bearer token failed verification (tsmcp/auth): its `reason`, `field`, `expected`, `received` say why. */
  | 'TSMCP_INVALID_TOKEN'
  /** An auth configuration is unusable (a resource with a fragment, an allowed `none` algorithm). */
  | 'TSMCP_AUTH_CONFIG'
  /** A fleet (tsmcp/redis `redisFleet`) cannot work: a missing or short shared key, Redis unreachable at startup. */
  | 'TSMCP_FLEET_CONFIG'
  /** tsmcp/testing: a message on the wire does not match the MCP schema of the negotiated revision. */
  | 'TSMCP_WIRE_INVALID'
  /** Authorization failures (OAuth discovery, metadata checks, token requests): tsmcp/auth's AuthError. */
  | `TSMCP_AUTH_${string}`;

/** A local failure (timeout, closed connection, bad definition); never confused with an error a peer sent. */
export class TsmcpError extends Error {
  readonly code: TsmcpErrorCode;
  constructor(code: TsmcpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TsmcpError';
    this.code = code;
  }
  static override [Symbol.hasInstance](v: unknown): boolean {
    if (this !== TsmcpError) return Function.prototype[Symbol.hasInstance].call(this, v);
    return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[TSMCP_ERROR] === true;
  }
}
Object.defineProperty(TsmcpError.prototype, TSMCP_ERROR, { value: true });

export function invalidParams(message: string, data?: unknown, httpStatus?: number): McpError {
  return new McpError(ErrorCode.InvalidParams, message, data, httpStatus);
}
export function methodNotFound(method: string): McpError {
  return new McpError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
}
