// tsmcp/http: the web-standard front, `(request: Request) => Promise<Response>`, for Bun, Deno,
// Workers, Hono and anything else that speaks Fetch API objects.
import { HttpCore, type CoreRequest, type CoreResponse, type HttpServerOptions, type StreamSink } from './core.js';
import { serverOf, type ServerLike } from './server-of.js';

export interface WebHandlerOptions extends HttpServerOptions {
  /**
   * Whether a request reached the server on a loopback address (turns on the loopback Host
   * allow-list). Web requests do not say; default: never.
   */
  isLoopback?: (request: Request) => boolean;
  /** The client's address (keys `maxSessionsPerClient`; Web requests do not say, e.g. Bun's `server.requestIP`). Default: unknown, not capped. */
  remoteAddress?: (request: Request) => string | undefined;
}

export type WebHandler = ((request: Request) => Promise<Response>) & { readonly core: HttpCore };

const enc = new TextEncoder();

async function readBody(request: Request, limit: number): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) return undefined;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/**
 * Serve MCP at one endpoint from a Fetch API handler.
 * @example Bun.serve({ port: 3000, fetch: createWebHandler(server) });
 */
export function createWebHandler(server: ServerLike, options: WebHandlerOptions = {}): WebHandler {
  const core = new HttpCore(serverOf(server), options);
  const handler = (request: Request): Promise<Response> =>
    new Promise<Response>((resolve) => {
      const gone = new AbortController();
      request.signal?.addEventListener('abort', () => gone.abort(), { once: true });
      const req: CoreRequest = {
        method: request.method,
        // Fetch API requests may not expose Host; the URL carries it.
        header: (name) => request.headers.get(name) ?? (name === 'host' ? new URL(request.url).host : null),
        text: (limit) => readBody(request, limit),
        signal: gone.signal,
        loopback: options.isLoopback?.(request) ?? false,
        remoteAddress: options.remoteAddress?.(request),
      };
      const res: CoreResponse = {
        send(status, headers, body) {
          resolve(new Response(body ?? null, { status, headers }));
        },
        stream(status, headers): StreamSink {
          let controller!: ReadableStreamDefaultController<Uint8Array>;
          let closed = false;
          const body = new ReadableStream<Uint8Array>({
            start: (c) => {
              controller = c;
            },
            cancel: () => {
              closed = true;
              gone.abort();
            },
          });
          resolve(new Response(body, { status, headers }));
          return {
            write: (text) => {
              if (!closed) controller.enqueue(enc.encode(text));
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

