// Test helper: a node:http handler in front of a Fetch-API handler (what @modelcontextprotocol/node does for
// the official v2 SDK's createMcpHandler), for tests that serve the official server over loopback HTTP.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** node:http → Fetch API bridge for the v2 handler. */
export function fetchBridge(fetchHandler: (r: Request) => Promise<Response>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const r = await fetchHandler(
      new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      }),
    );
    res.writeHead(r.status, Object.fromEntries(r.headers));
    if (!r.body) return void res.end();
    const reader = r.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      res.write(value);
    }
    res.end();
  };
}
