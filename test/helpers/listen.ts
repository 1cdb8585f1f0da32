// Test helper: servers on 127.0.0.1 (ephemeral ports) that the file's `after` hook closes, whatever
// the test did with them.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { serve } from '@hono/node-server';

/** Things to close once the file's tests are done (servers, sockets). */
export const stops: (() => unknown)[] = [];
after(async () => {
  for (const s of stops.splice(0)) await s();
});

/** A node:http server with `handler`; resolves its port. */
export async function listenNode(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const s = createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  stops.push(() => (s.closeAllConnections(), new Promise((r) => s.close(r))));
  return (s.address() as AddressInfo).port;
}

/** A Fetch API handler served by @hono/node-server; resolves its port. */
export function listenWeb(fetch: (r: Request) => Promise<Response>): Promise<number> {
  return new Promise((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    stops.push(() => new Promise((r) => s.close(r)));
  });
}
