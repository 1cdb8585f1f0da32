// A test-only round-robin HTTP proxy on 127.0.0.1: each request goes to the next upstream, streamed both
// ways (request bodies, SSE responses), headers passed through. An upstream that refuses the connection is
// skipped (each other upstream tried at most once). Counts the requests each upstream served.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface RoundRobinProxy {
  /** The proxy's URL for a path (default `/mcp`). */
  url(path?: string): string;
  /** Requests each upstream answered (index as given). */
  readonly served: number[];
  /** Each answered request: HTTP method, Mcp-Method header, the upstream that answered (index as given), status, Retry-After. */
  readonly log: { method: string; mcp?: string; upstream: number; status: number; retryAfter?: string }[];
  /** Requests that reached no upstream (all refused): answered 502. */
  readonly failed: number;
  /** Stops sending to upstream `i` (it stays in `served`). */
  remove(i: number): void;
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

export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  const targets = upstreams.map((u) => new URL(u));
  const served = targets.map(() => 0);
  const log: RoundRobinProxy['log'] = [];
  const removed = new Set<number>();
  let next = 0;
  let failed = 0;

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
          method: req.method ?? '',
          mcp: req.headers['mcp-method'] as string | undefined,
          upstream: i,
          status: r.statusCode ?? 0,
          retryAfter: r.headers['retry-after'],
        });
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
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
