// Round-robin HTTP proxy for the fleet benchmark, in its own process: each request to the next upstream
// port (argv), bodies and responses streamed, keep-alive both ways, no affinity. `/upstream/<i>/mcp` goes to
// upstream i (the benchmark's Redis counts pick the instance). Reports its port over IPC.
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';

const ports = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
// Hop-by-hop headers are the proxy's own business (RFC 9110 §7.6.1).
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);
const strip = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).filter(([k]) => !HOP.has(k)));
let next = 0;

const proxy = createServer((req, res) => {
  const pinned = /^\/upstream\/(\d+)(\/.*)$/.exec(req.url ?? '');
  const port = pinned ? ports[Number(pinned[1])] : ports[next++ % ports.length];
  if (port === undefined) return void res.writeHead(404).end();
  const path = pinned ? pinned[2] : req.url;
  const up = request({ host: '127.0.0.1', port, method: req.method, path, headers: strip(req.headers), agent }, (r) => {
    res.writeHead(r.statusCode ?? 502, strip(r.headers));
    r.pipe(res);
  });
  up.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
  // A client that goes away mid-answer: stop the upstream request too (not after a finished answer,
  // which would take its socket out of the keep-alive pool).
  res.on('close', () => res.writableFinished || up.destroy());
  req.pipe(up);
});
proxy.keepAliveTimeout = 60_000;
proxy.listen(0, '127.0.0.1', () => process.send!({ port: (proxy.address() as { port: number }).port }));
process.on('disconnect', () => process.exit(0));
