// Server middleware: an onion around every request a Server answers, on every transport and era. The
// seam for auth guards, rate limits, telemetry and logging (see docs/middleware.md).
import type { RequestIdentity } from '../protocol/identity.js';
import type { JsonObject, RequestId } from '../protocol/jsonrpc.js';
import type { Meta } from '../protocol/types.js';
import type { Era } from '../protocol/versions.js';

/** What a server middleware sees of one request. */
export interface MiddlewareRequest {
  readonly method: string;
  /** The params as received (not yet validated). Read only: what the handler gets is what arrived. */
  readonly params: JsonObject;
  readonly requestId: RequestId;
  /** The request's `_meta` (client-written: trace context, never identity). */
  readonly meta: Meta;
  /** Who sent it, as the transport verified it (`RequestContext.identity`). */
  readonly identity: RequestIdentity;
  /** `server.principal({ identity, meta })`: the principal the request acts for, if any. */
  readonly principal: string | undefined;
  /**
   * `'modern'` when `_meta` carries a protocol version, `'legacy'` for `initialize` and requests on a
   * legacy session, undefined for a request that is neither (it is refused with -32602).
   */
  readonly era: Era | undefined;
  /**
   * Modern: the version `_meta` names (checked after the middleware: an unsupported one fails with
   * -32022). Legacy: the session's version; undefined for `initialize` (the answer says what was agreed).
   */
  readonly protocolVersion: string | undefined;
  /**
   * The scopes the server declares for a request: the `scopes` its tool, resource or prompt was
   * registered with (empty when none). The server refuses a request whose verified credentials lack them
   * after the middleware; a scope guard adds them to its own to name every scope needed in one refusal.
   */
  scopesOf(method: string, params: JsonObject): readonly string[];
  /** Fires when the client cancels or goes away (and ends a `subscriptions/listen` stream). */
  readonly signal: AbortSignal;
  /**
   * See each notification this request sends (progress, log, a listen stream's events) just before it
   * goes out. A listener that throws is reported to the server's `onerror`; the notification still goes.
   */
  onnotification(listener: (method: string, params: JsonObject) => void): void;
}

/**
 * A server middleware: run code before and after `next()`, or answer without calling it. `next()`
 * resolves with the result as it goes on the wire (already shaped for the request's era) or rejects with
 * the error the client will see (`McpError`; anything else becomes -32603 and goes to `onerror`). What
 * the middleware returns or throws is sent as is. Calling `next()` twice rejects with `TSMCP_MIDDLEWARE`.
 *
 * `initialize` passes through it (era `'legacy'`), as does `subscriptions/listen`, whose `next()`
 * settles only when the stream ends; its notifications are seen through `onnotification`.
 *
 * @example
 * server.use(async (req, next) => {
 *   if (req.method === 'tools/call' && !req.principal) throw new McpError(-32600, 'Sign in first');
 *   return next();
 * });
 */
export type Middleware = (req: MiddlewareRequest, next: () => Promise<JsonObject>) => Promise<JsonObject>;
