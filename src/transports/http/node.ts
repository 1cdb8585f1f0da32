/**
 * tsmcp/node: the native node:http front. It feeds the core straight from IncomingMessage and
 * ServerResponse, without building Web Request/Response objects. Express and Fastify can mount it.
 * @module tsmcp/node
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LazyAbortController } from '../../engine/cancel.js';
import type { AuthInfo, RequestIdentity } from '../../protocol/identity.js';
import {
  HttpCore,
  STREAM_BUFFER_BYTES,
  type CoreRequest,
  type CoreResponse,
  type HeaderMap,
  type HttpServerOptions,
  type StreamSink,
} from './core.js';
import { serverOf, type ServerLike } from '../shared/server-of.js';

export interface NodeHandlerOptions extends HttpServerOptions {
  /** A client that has not sent its whole body within this many ms gets 408. Default 30 000. */
  bodyTimeoutMs?: number;
}

export type NodeHandler = ((req: IncomingMessage, res: ServerResponse) => void) & { readonly core: HttpCore };

/**
 * Read at most `limit` bytes; undefined when larger; rejects on timeout. `owner.unread` is cleared once the
 * whole body was read (a promise of its own per request would cost more than the flag).
 */
function readBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs: number,
  owner: { unread: boolean },
): Promise<string | undefined> {
  // A framework (express.json(), Fastify) may have read and parsed the body already.
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed !== undefined && (req.readableEnded || (req as { complete?: boolean }).complete)) {
    const text =
      typeof parsed === 'string'
        ? parsed
        : parsed instanceof Uint8Array
          ? new TextDecoder().decode(parsed)
          : JSON.stringify(parsed);
    const fits = new TextEncoder().encode(text).length <= limit;
    owner.unread = !fits;
    return Promise.resolve(fits ? text : undefined);
  }
  // Over the limit: stop reading (no resume); the answer then closes the connection (see `tooLarge`).
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const read = new BodyRead(req, limit, owner, resolve, reject);
    read.timer = setTimeout(onBodyTimeout, timeoutMs, read);
    (req as Reading)[READING] = read;
    req.on('data', onBodyData);
    req.on('end', onBodyEnd);
    req.on('error', onBodyError);
  });
}

const READING = Symbol('tsmcp.bodyRead');
type Reading = IncomingMessage & { [READING]?: BodyRead | undefined };

/**
 * One body being read. Its listeners are shared functions that find it on the request, so a read costs
 * this object and its promise, not a closure per listener; a body that came in one chunk (most) is
 * decoded from that chunk without a copy.
 */
class BodyRead {
  first: Buffer | undefined = undefined;
  rest: Buffer[] | undefined = undefined;
  size = 0;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  constructor(
    readonly req: IncomingMessage,
    readonly limit: number,
    readonly owner: { unread: boolean },
    readonly resolve: (text: string | undefined) => void,
    readonly reject: (e: Error) => void,
  ) {}
  done(): void {
    clearTimeout(this.timer);
    const req = this.req;
    req.off('data', onBodyData);
    req.off('end', onBodyEnd);
    req.off('error', onBodyError);
    (req as Reading)[READING] = undefined;
  }
}

function onBodyData(this: Reading, c: Buffer): void {
  const read = this[READING]!;
  read.size += c.length;
  if (read.size > read.limit) {
    read.done();
    this.pause();
    read.resolve(undefined);
  } else if (read.first === undefined) read.first = c;
  else (read.rest ??= [read.first]).push(c);
}

function onBodyEnd(this: Reading): void {
  const read = this[READING]!;
  read.done();
  const body = read.rest ? Buffer.concat(read.rest, read.size) : read.first;
  read.owner.unread = false;
  read.resolve(body ? body.toString('utf8') : '');
}

function onBodyError(this: Reading, e: Error): void {
  const read = this[READING]!;
  read.done();
  read.reject(e);
}

function onBodyTimeout(read: BodyRead): void {
  read.done();
  read.reject(Object.assign(new Error('body timeout'), { status: 408 }));
}

/** Bytes of an unread body (413, 408) discarded after the answer, and for how long, before the socket is destroyed. */
const LINGER_BYTES = 1024 * 1024;
const LINGER_MS = 2000;

/**
 * A lingering close (RFC 9112 §9.6) for an answer given before the body was read: node:http would destroy
 * the socket right after the answer, and the kernel then resets the connection over the unread bytes, so a
 * client still sending (or a proxy in front) sees ECONNRESET/EPIPE instead of the 413. Instead the write
 * side is closed after the answer and what the client still sends is read and discarded, at most
 * LINGER_BYTES or LINGER_MS (a client that keeps sending is cut off then), before the socket is destroyed.
 */
function lingerAfterClose(req: IncomingMessage): void {
  const socket = req.socket as IncomingMessage['socket'] & { destroySoon?: () => void };
  if (typeof socket.destroySoon !== 'function') return;
  socket.destroySoon = () => {
    if (socket.writable) socket.end();
    let read = 0;
    const stop = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(stop, LINGER_MS);
    timer.unref?.();
    // The HTTP parser consumes the socket: what arrives is the rest of the body, read here and dropped.
    const count = (c: Buffer) => {
      read += c.length;
      if (read > LINGER_BYTES) stop();
    };
    req.on('data', count);
    req.once('end', stop);
    socket.once('end', stop);
    req.resume();
  };
}

/** The exchange a ServerResponse belongs to, for the one shared `close` listener. */
const EXCHANGE = Symbol('tsmcp.exchange');

/** A client gone before its answer was written cancels the request (a listener shared by every response). */
function onClose(this: ServerResponse & { [EXCHANGE]?: NodeExchange }): void {
  if (!this.writableFinished) this[EXCHANGE]?.signal.abort();
}

/**
 * One request and its answer as the core sees them. One object per request with its methods on the
 * prototype (no closures per request), and a lazy AbortSignal: built only if a handler reads `ctx.signal`.
 */
class NodeExchange implements CoreRequest, CoreResponse {
  readonly method: string;
  readonly signal = new LazyAbortController();
  readonly remoteAddress: string | undefined;
  /** What an authentication middleware in front (Express, Fastify) verified, by the common convention. */
  readonly auth: AuthInfo | undefined;
  identity?: RequestIdentity;
  responseHeaders?: HeaderMap;
  /**
   * A body left unread (413, 408) would otherwise be drained to keep the connection alive: the answer
   * says `Connection: close`, and node:http ends and destroys the socket once it is written.
   */
  unread = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly front: { bodyTimeout: number; maxBuffered: number },
  ) {
    this.method = req.method ?? 'GET';
    this.remoteAddress = req.socket.remoteAddress;
    this.auth = (req as IncomingMessage & { auth?: AuthInfo }).auth;
    this.identity = undefined;
    this.responseHeaders = undefined;
  }

  /** Express rewrites `url` under a mount path; `originalUrl` is what the client asked for (a DPoP proof signs it). */
  get path(): string | undefined {
    return ((this.req as IncomingMessage & { originalUrl?: string }).originalUrl ?? this.req.url)?.split('?', 1)[0];
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  text(limit: number): Promise<string | undefined> {
    this.unread = true; // until readBody has read it all
    return readBody(this.req, limit, this.front.bodyTimeout, this);
  }

  send(status: number, headers: HeaderMap, body?: string): void {
    const res = this.res;
    if (res.headersSent) return void res.end();
    res.writeHead(status, this.unread ? { ...headers, connection: 'close' } : headers);
    if (this.unread) lingerAfterClose(this.req);
    res.end(body);
  }

  stream(status: number, headers: HeaderMap): StreamSink {
    const res = this.res;
    const maxBuffered = this.front.maxBuffered;
    res.writeHead(status, headers);
    res.flushHeaders();
    let allowance = 0; // a resumption replay in flight, on top of maxBuffered
    return {
      write: (text, backlog) => {
        if (res.destroyed) return;
        res.write(text);
        if (backlog) allowance += Buffer.byteLength(text);
        else if (res.writableLength <= maxBuffered) allowance = 0;
        // A client that does not read: drop the connection rather than buffer without end.
        if (res.writableLength > maxBuffered + allowance) res.destroy();
      },
      end: () => void res.end(),
      get closed() {
        return res.writableEnded || res.destroyed;
      },
    };
  }

  /** What `core.handle` rejected with: 408 for a body timeout, else 500 (or just the end of a stream already begun). */
  failed(e: { status?: number } | undefined): void {
    const res = this.res;
    if (res.headersSent) return void res.end();
    res.writeHead(
      e?.status === 408 ? 408 : 500,
      this.unread
        ? { 'content-type': 'application/json', connection: 'close' }
        : { 'content-type': 'application/json' },
    );
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        error: {
          code: -32600,
          message: e?.status === 408 ? 'Request Timeout: the body did not arrive in time' : 'Internal error',
        },
      }),
    );
  }
}

/**
 * Serve MCP at one endpoint from node:http (mount it at your path).
 * @example http.createServer(createNodeHandler(server)).listen(3000, '127.0.0.1');
 */
export function createNodeHandler(server: ServerLike, options: NodeHandlerOptions = {}): NodeHandler {
  const core = new HttpCore(serverOf(server), options);
  const front = {
    bodyTimeout: options.bodyTimeoutMs ?? 30_000,
    maxBuffered: options.maxStreamBufferBytes ?? STREAM_BUFFER_BYTES,
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const exchange = new NodeExchange(req, res, front);
    (res as ServerResponse & { [EXCHANGE]?: NodeExchange })[EXCHANGE] = exchange;
    res.on('close', onClose);
    core.handle(exchange, exchange).catch((e: { status?: number }) => exchange.failed(e));
  };
  return Object.assign(handler, { core });
}

export type { HttpServerOptions } from './core.js';
export type { SecurityOptions } from '../shared/security.js';
export type { ServerLike } from '../shared/server-of.js';
