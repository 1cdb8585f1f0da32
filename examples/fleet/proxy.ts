// A tiny round-robin HTTP proxy for the example (a real deployment uses nginx, HAProxy, a cloud balancer):
// each request goes to the next instance, bodies and SSE responses streamed, no session affinity.
import { createServer, request, type Server } from 'node:http';

export function roundRobin(ports: number[], onForward: (port: number) => void = () => {}): Server {
  let next = 0;
  return createServer((req, res) => {
    const port = ports[next++ % ports.length]!;
    onForward(port);
    const up = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(up);
  });
}
