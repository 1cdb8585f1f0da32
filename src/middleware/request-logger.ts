// The built-in request logger: one line per request with its method, outcome and duration. Never params
// or results (they may hold personal data or secrets): a logger that wants them is a few lines of its own.
import type { JsonObject } from '../protocol/jsonrpc.js';

/** What the request logger records of one request. */
export interface RequestLogEntry {
  readonly method: string;
  readonly outcome: 'ok' | 'error';
  /** On error: the JSON-RPC code of an `McpError`, the `TSMCP_…` code of a `TsmcpError`, else undefined. */
  readonly code?: number | string;
  /** From the middleware's entry to the answer (a `subscriptions/listen`: the life of the stream). */
  readonly durationMs: number;
}

export interface RequestLoggerOptions {
  /**
   * Where each line goes, with the entry it was made from. Default: `console.error` (stderr, since
   * stdout carries the protocol on stdio). A `log` that throws is ignored: the request's outcome stands.
   */
  log?: (line: string, entry: RequestLogEntry) => void;
  /** The clock, in milliseconds. Default `performance.now`. */
  now?: () => number;
}

/** A middleware for `server.use()` and `client.use()` alike: it needs only the method of a request. */
export type RequestLogger = (req: { readonly method: string }, next: () => Promise<JsonObject>) => Promise<JsonObject>;

/**
 * Log every request as `<method> ok <n>ms` or `<method> error <code> <n>ms`.
 * @example server.use(requestLogger()); client.use(requestLogger({ log: (line) => myLogger.info(line) }));
 */
export function requestLogger(options: RequestLoggerOptions = {}): RequestLogger {
  const log = options.log ?? ((line: string) => console.error(line));
  const now = options.now ?? (() => performance.now());
  const write = (entry: RequestLogEntry) => {
    const ms = `${Math.round(entry.durationMs)}ms`;
    const line =
      entry.outcome === 'ok'
        ? `${entry.method} ok ${ms}`
        : `${entry.method} error${entry.code === undefined ? '' : ` ${entry.code}`} ${ms}`;
    try {
      log(line, entry);
    } catch {
      // a broken log sink must not turn a served request into a failed one
    }
  };
  return async (req, next) => {
    const start = now();
    try {
      const result = await next();
      write({ method: req.method, outcome: 'ok', durationMs: now() - start });
      return result;
    } catch (e) {
      write({ method: req.method, outcome: 'error', code: codeOf(e), durationMs: now() - start });
      throw e;
    }
  };
}

function codeOf(e: unknown): number | string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'number' || (typeof code === 'string' && code.startsWith('TSMCP_')) ? code : undefined;
}
