// Test helper: wraps a node:http handler so every JSON-RPC message in request bodies and in JSON or
// SSE response bodies is recorded (for the schema check of what the tsmcp HTTP server sends).
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Sink {
  record(direction: 'client->server' | 'server->client', message: unknown): void;
}

function parseSse(text: string): unknown[] {
  const out: unknown[] = [];
  for (const block of text.split(/\n\n/)) {
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data.trim()) out.push(JSON.parse(data));
  }
  return out;
}

/**
 * Each exchange is recorded (request, then everything answered) into the sink `sinkFor` picks from the
 * legacy session id (minted or sent) and the MCP-Protocol-Version header.
 */
export function tapHandler(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  sinkFor: (sessionId: string | undefined, protocolVersion: string | undefined) => Sink,
) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let reqBody = '';
    req.on('data', (c: Buffer) => (reqBody += c.toString()));
    let out = '';
    let sse = false;
    let minted: string | undefined;
    const writeHead = res.writeHead.bind(res);
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const headers = rest.find((r) => r && typeof r === 'object') as Record<string, string> | undefined;
      sse = String(headers?.['content-type'] ?? '').includes('text/event-stream');
      minted = headers?.['mcp-session-id'];
      return (writeHead as (...a: unknown[]) => ServerResponse)(status, ...rest);
    }) as typeof res.writeHead;
    const write = res.write.bind(res);
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      out += String(chunk);
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    const end = res.end.bind(res);
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || chunk instanceof Buffer) out += String(chunk);
      const session = minted ?? (req.headers['mcp-session-id'] as string | undefined);
      const sink = sinkFor(session, req.headers['mcp-protocol-version'] as string | undefined);
      try {
        if (reqBody) sink.record('client->server', JSON.parse(reqBody));
      } catch {
        // not JSON: nothing to track
      }
      const messages = sse
        ? parseSse(out)
        : out.trim().startsWith('{') || out.trim().startsWith('[')
          ? [JSON.parse(out)]
          : [];
      for (const m of messages) sink.record('server->client', m);
      return (end as (...a: unknown[]) => ServerResponse)(chunk, ...rest);
    }) as typeof res.end;
    handler(req, res);
  };
}
