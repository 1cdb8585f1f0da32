// tsmcp/http: the web-standard front, `(request: Request) => Promise<Response>`, for Bun, Deno,
// Workers, Hono and anything else that speaks Fetch API objects.
import { readCapped } from '../shared/read-capped.js';
import {
  HttpCore,
  STREAM_BUFFER_BYTES,
  type CoreRequest,
  type CoreResponse,
  type HttpServerOptions,
  type StreamSink,
} from './core.js';
import { TsmcpError } from '../../protocol/errors.js';
import { serverOf, type ServerLike } from '../shared/server-of.js';

/** Options of the web-standard front (Host and Origin are loopback-only by default: see SecurityOptions). */
export interface WebHandlerOptions extends HttpServerOptions {
  /** The client's address, when the runtime tells it (e.g. Bun's `server.requestIP`, Deno's `info.remoteAddr`): keys `maxSessionsPerClient` and shows in `ctx.identity`. Default: unknown, not capped. */
  remoteAddress?: (request: Request) => string | undefined;
}

export type WebHandler = ((request: Request) => Promise<Response>) & { readonly core: HttpCore };

const enc = new TextEncoder();

/** Read at most `limit` bytes; undefined when larger, the body then cancelled so the runtime stops reading it. */

/**
 * Serve MCP at one endpoint from a Fetch API handler.
 * @example Bun.serve({ port: 3000, fetch: createWebHandler(server) });
 */
export function createWebHandler(server: ServerLike, options: WebHandlerOptions = {}): WebHandler {
  const core = new HttpCore(serverOf(server), options);
  const maxBuffered = options.maxStreamBufferBytes ?? STREAM_BUFFER_BYTES;
  const handler = (request: Request): Promise<Response> =>
    new Promise<Response>((resolve) => {
      const gone = new AbortController();
      request.signal?.addEventListener('abort', () => gone.abort(), { once: true });
      // A refused body (413) is cancelled; `Connection: close` asks an HTTP/1.1 runtime not to drain it
      // for keep-alive (runtimes that manage connections themselves drop the header).
      let unread = false;
      const req: CoreRequest = {
        method: request.method,
        // Fetch API requests may not expose Host; the URL carries it.
        header: (name) => request.headers.get(name) ?? (name === 'host' ? new URL(request.url).host : null),
        text: async (limit) => {
          const text = await readCapped(request.body, request.headers.get('content-length'), limit);
          unread = text === undefined;
          return text;
        },
        signal: gone.signal,
        remoteAddress: options.remoteAddress?.(request),
        // Only for an auth layer (metadata paths, DPoP's htu): parsing the URL costs on every request.
        path: options.auth || options.authenticate ? new URL(request.url).pathname : undefined,
      };
      const res: CoreResponse = {
        send(status, headers, body) {
          resolve(
            new Response(body ?? null, { status, headers: unread ? { ...headers, connection: 'close' } : headers }),
          );
        },
        stream(status, headers): StreamSink {
          let controller!: ReadableStreamDefaultController<Uint8Array>;
          let closed = false;
          // Counted in bytes with a high-water mark of 0: -desiredSize is what the runtime has not taken yet.
          const body = new ReadableStream<Uint8Array>(
            {
              start: (c) => {
                controller = c;
              },
              cancel: () => {
                closed = true;
                gone.abort();
              },
            },
            new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
          );
          resolve(new Response(body, { status, headers }));
          let allowance = 0; // a resumption replay in flight, on top of maxBuffered
          return {
            write: (text, backlog) => {
              if (closed) return;
              const bytes = enc.encode(text);
              controller.enqueue(bytes);
              const queued = -(controller.desiredSize ?? 0);
              if (backlog) allowance += bytes.byteLength;
              else if (queued <= maxBuffered) allowance = 0;
              if (queued > maxBuffered + allowance) {
                // A client that does not read: end the response with an error so the runtime drops the connection.
                closed = true;
                controller.error(
                  new TsmcpError(
                    'TSMCP_CONNECTION_CLOSED',
                    `SSE stream closed: the client left over ${maxBuffered} bytes unread (maxStreamBufferBytes)`,
                  ),
                );
                gone.abort();
              }
            },
            end: () => {
              if (closed) return;
              closed = true;
              controller.close();
            },
            get closed() {
              return closed;
            },
          };
        },
      };
      core.handle(req, res).catch(() => resolve(new Response(null, { status: 500 })));
    });
  return Object.assign(handler, { core });
}
