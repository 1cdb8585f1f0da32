// A test-only round-robin HTTP proxy on 127.0.0.1: each request goes to the next upstream, streamed both
// ways (request bodies, SSE responses), headers passed through. An upstream that refuses the connection is
// skipped (each other upstream tried at most once). Counts the requests each upstream served.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface RoundRobinProxy {
  /** The proxy's URL for a path (default `/mcp`). */
  url(path?: string): string;
  /** Requests each upstream answered (index as given). */
  readonly served: number[];
  /**
   * The last 10 000 answered requests, in order: the upstream, the HTTP method, what the body was (a
   * JSON-RPC request's method, `response` for an answer the client POSTed; empty when unknown), the
   * Mcp-Method header, the status and Retry-After.
   */
  readonly log: readonly ProxiedRequest[];
  /** Requests that reached no upstream (all refused): answered 502. */
  readonly failed: number;
  /** Stops sending to upstream `i` (it stays in `served`). */
  remove(i: number): void;
  /** Sends to upstream `i` again after `remove(i)`. */
  restore(i: number): void;
  close(): Promise<void>;
}

// Hop-by-hop headers are the proxy's own business (RFC 9110 §7.6.1).
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

const DEAD = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

function forwardHeaders(headers: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
}

export interface ProxiedRequest {
  upstream: number;
  http: string;
  rpc: string;
  mcp?: string | undefined;
  status: number;
  retryAfter?: string | undefined;
}

/** What a JSON-RPC body is, from its first 64 KiB (bigger ones are not parsed). */
function rpcOf(chunks: Buffer[]): string {
  const size = chunks.reduce((n, c) => n + c.length, 0);
  if (size === 0 || size > 64 * 1024) return '';
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { method?: unknown; id?: unknown };
    return typeof body.method === 'string' ? body.method : body.id !== undefined ? 'response' : '';
  } catch {
    return '';
  }
}

export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  const targets = upstreams.map((u) => new URL(u));
  const served = targets.map(() => 0);
  const removed = new Set<number>();
  let next = 0;
  let failed = 0;
  const log: ProxiedRequest[] = [];

  const pick = (tried: Set<number>): number | undefined => {
    for (let n = 0; n < targets.length; n++) {
      const i = next++ % targets.length;
      if (!removed.has(i) && !tried.has(i)) return i;
    }
    return undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    // The body is buffered only until an upstream accepts the connection, so a refused one can be retried.
    const chunks: Buffer[] = [];
    let ended = false;
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => (ended = true));
    const tried = new Set<number>();
    const attempt = () => {
      const i = pick(tried);
      if (i === undefined) {
        failed++;
        res.writeHead(502, { 'content-type': 'text/plain' }).end('no upstream answered');
        return;
      }
      tried.add(i);
      const t = targets[i]!;
      const up = request({
        host: t.hostname,
        port: t.port,
        method: req.method,
        path: req.url,
        headers: { ...forwardHeaders(req.headers), host: t.host },
      });
      up.on('error', (e: NodeJS.ErrnoException) => {
        // Dead upstream (refused, or a pooled socket it dropped) before any answer: try the next one.
        if (!res.headersSent && DEAD.has(String(e.code))) return attempt();
        if (!res.headersSent) res.writeHead(502).end(String(e.code ?? e));
        else res.destroy();
      });
      up.on('response', (r) => {
        served[i]!++;
        log.push({
          upstream: i,
          http: req.method ?? '',
          rpc: ended ? rpcOf(chunks) : '',
          mcp: req.headers['mcp-method'] as string | undefined,
          status: r.statusCode ?? 0,
          retryAfter: r.headers['retry-after'],
        });
        if (log.length > 10_000) log.shift();
        res.writeHead(r.statusCode ?? 502, forwardHeaders(r.headers));
        res.flushHeaders();
        r.on('data', (c: Buffer) => res.write(c));
        r.on('end', () => res.end());
        r.on('error', () => res.destroy());
      });
      res.on('close', () => up.destroy());
      for (const c of chunks) up.write(c);
      if (ended) up.end();
      else {
        const onData = (c: Buffer) => up.write(c);
        req.on('data', onData);
        req.once('end', () => up.end());
        up.once('error', () => req.off('data', onData));
      }
    };
    attempt();
  };

  const server: Server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (path = '/mcp') => `http://127.0.0.1:${port}${path}`,
    served,
    log,
    get failed() {
      return failed;
    },
    remove: (i) => void removed.add(i),
    restore: (i) => void removed.delete(i),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
