// The 2024-11-05 HTTP+SSE transport, server side (deprecated since 2025-03-26; opt-in for old clients):
// GET opens an SSE stream whose first event names the POST endpoint; POSTed messages are answered on
// that stream. Each stream is one legacy connection to the same dual-era Server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deprecate } from '../../deprecation.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { JsonRpcMessage } from '../../protocol/jsonrpc.js';
import { connectServer, type ServerConnection } from '../../server/connection.js';
import type { Server } from '../../server/server.js';
import { securityCheck, type SecurityOptions } from '../shared/security.js';
import { serverOf, type ServerLike } from '../shared/server-of.js';
import type { FrameError, Transport } from '../../protocol/transport.js';

export interface SseServerOptions extends SecurityOptions {
  /** Path clients POST to (the `endpoint` event names it with `?sessionId=`). Default: the request's own path. */
  messagesPath?: string;
  /** Largest accepted POST body in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Keep-alive comment interval, ms. Default 15 000. */
  keepAliveMs?: number;
  /** Bytes a stream may hold unflushed for a client that does not read; over it the stream is closed. Default 4 MiB. */
  maxStreamBufferBytes?: number;
}

/** One SSE stream as a message transport. */
class SseStreamTransport implements Transport {
  #closed = false;
  onmessage?: (value: unknown) => void;
  onframeerror?: (error: FrameError) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  constructor(
    readonly res: ServerResponse,
    readonly maxBuffered: number,
  ) {}
  async start(): Promise<void> {}
  async send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void> {
    if (this.#closed || this.res.destroyed) return;
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    // A client that does not read: drop the stream (there is no resumption in this transport).
    if (this.res.writableLength > this.maxBuffered) this.res.destroy();
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.res.end();
    this.onclose?.();
  }
}

export type SseNodeHandler = ((req: IncomingMessage, res: ServerResponse) => void) & { readonly connections: number };

/** Build the handler without the deprecation warning (for tsmcp's own use). */
export function sseNodeHandler(target: Server, options: SseServerOptions = {}): SseNodeHandler {
  const sessions = new Map<string, { transport: SseStreamTransport; conn: ServerConnection }>();
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const refuse = securityCheck(options);
  const fail = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: ErrorCode.InvalidRequest, message } }));
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const refused = refuse(req.headers.host, req.headers.origin);
    if (refused) return fail(res, 403, `Forbidden: ${refused}`);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET') {
      const id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      });
      res.write(`event: endpoint\ndata: ${options.messagesPath ?? url.pathname}?sessionId=${id}\n\n`);
      const transport = new SseStreamTransport(res, options.maxStreamBufferBytes ?? 4 * 1024 * 1024);
      const timer = setInterval(() => res.write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
      timer.unref?.();
      void connectServer(target, transport).then((conn) => {
        sessions.set(id, { transport, conn });
        res.on('close', () => {
          clearInterval(timer);
          sessions.delete(id);
          void conn.close();
        });
      });
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' });
      return void res.end();
    }
    const session = sessions.get(url.searchParams.get('sessionId') ?? '');
    if (!session) return fail(res, 404, 'Unknown sessionId: open the SSE stream first');
    // Over the limit: stop reading and close the connection once the 413 is written (no draining).
    const tooLarge = () => {
      req.pause();
      req.removeAllListeners('data');
      res.setHeader('connection', 'close');
      fail(res, 413, `Payload Too Large: the body exceeds ${maxBody} bytes`);
    };
    if (Number(req.headers['content-length'] ?? NaN) > maxBody) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) tooLarge();
      else chunks.push(c);
    });
    req.on('end', () => {
      if (size > maxBody) return;
      let value: unknown;
      try {
        value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: ErrorCode.ParseError, message: `Parse error: ${(e as Error).message}` },
          }),
        );
      }
      res.writeHead(202).end();
      session.transport.onmessage?.(value);
    });
  };
  return Object.assign(handler, {
    get connections() {
      return sessions.size;
    },
  });
}

/**
 * @deprecated The HTTP+SSE transport (2024-11-05) is deprecated since protocol 2025-03-26; serve
 * Streamable HTTP with `createNodeHandler` from `tsmcp/node` (it serves 2025-03-26+ clients too).
 * Mount this only for clients that cannot speak Streamable HTTP, at a path of its own.
 */
export function createSseHandler(server: ServerLike, options?: SseServerOptions): SseNodeHandler {
  deprecate(
    'TSMCP_DEP003',
    'The HTTP+SSE transport (2024-11-05) is deprecated; use Streamable HTTP (createNodeHandler from tsmcp/node). See DEPRECATIONS.md.',
  );
  return sseNodeHandler(serverOf(server), options);
}
