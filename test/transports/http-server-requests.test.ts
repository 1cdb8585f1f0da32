// Server→client requests of a legacy HTTP session (on the engine's request tracking): sent on the stream
// of the request that asked, answered by a later POST, cancelled on that stream when the asking request
// is, and failed when the session ends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpServer } from '../../src/entries/server.js';
import { createWebHandler } from '../../src/transports/http/web.js';

const HEADERS = {
  host: 'localhost',
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

function setup() {
  const server = new McpServer({ name: 's', version: '1' });
  const outcomes: string[] = [];
  server.registerTool('ask', { inputSchema: { type: 'object' } }, async (_args, ctx) => {
    try {
      const r = await ctx.elicit({
        message: 'Name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
      });
      outcomes.push(`answered:${r.action}`);
      return { content: [{ type: 'text', text: String((r as { content?: { name?: string } }).content?.name) }] };
    } catch (e) {
      outcomes.push(`failed:${(e as Error).name}`);
      throw e;
    }
  });
  const handler = createWebHandler(server);
  let session = '';
  const post = (body: unknown) =>
    handler(
      new Request('http://localhost/mcp', {
        method: 'POST',
        headers: {
          ...HEADERS,
          ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } : {}),
        },
        body: JSON.stringify(body),
      }),
    );
  const open = async () => {
    const init = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: { elicitation: {} },
        clientInfo: { name: 'c', version: '1' },
      },
    });
    session = init.headers.get('mcp-session-id')!;
    await init.text();
    assert.equal((await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
  };
  return { handler, post, open, outcomes, session: () => session };
}

/** Read SSE messages from a response until `until` says stop (bounded by the stream's end). */
async function readUntil(
  res: Response,
  until: (m: Record<string, unknown>) => boolean,
  reader: ReadableStreamDefaultReader = res.body!.getReader(),
): Promise<{ seen: Record<string, unknown>[]; reader: ReadableStreamDefaultReader }> {
  const seen: Record<string, unknown>[] = [];
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { seen, reader };
    buf += dec.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const data = buf
        .slice(0, i)
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      buf = buf.slice(i + 2);
      if (!data.trim()) continue;
      const m = JSON.parse(data) as Record<string, unknown>;
      seen.push(m);
      if (until(m)) return { seen, reader };
    }
  }
}

const isElicit = (m: Record<string, unknown>) => m.method === 'elicitation/create';

describe('legacy HTTP server→client requests', () => {
  it('go out on the asking stream and are answered by a later POST', async () => {
    const t = setup();
    await t.open();
    const call = await t.post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ask', arguments: {} } });
    const { seen, reader } = await readUntil(call, isElicit);
    const ask = seen.find(isElicit)!;
    assert.equal(
      (await t.post({ jsonrpc: '2.0', id: ask.id, result: { action: 'accept', content: { name: 'Ada' } } })).status,
      202,
    );
    const rest = await readUntil(call, (m) => m.id === 2, reader);
    const answer = rest.seen.find((m) => m.id === 2) as { result: { content: { text: string }[] } };
    assert.equal(answer.result.content[0]!.text, 'Ada');
    assert.deepEqual(t.outcomes, ['answered:accept']);
    // A second answer to the same id (or one to an id never asked) changes nothing.
    assert.equal((await t.post({ jsonrpc: '2.0', id: ask.id, result: { action: 'decline' } })).status, 202);
    assert.deepEqual(t.outcomes, ['answered:accept']);
    t.handler.core.close();
  });

  it('are cancelled on the asking stream when the client cancels the asking request', async () => {
    const t = setup();
    await t.open();
    const call = await t.post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ask', arguments: {} } });
    const { seen, reader } = await readUntil(call, isElicit);
    const ask = seen.find(isElicit)!;
    assert.equal(
      (await t.post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } })).status,
      202,
    );
    const rest = await readUntil(call, () => false, reader);
    const cancel = rest.seen.find((m) => m.method === 'notifications/cancelled') as
      | { params: { requestId: unknown } }
      | undefined;
    assert.ok(cancel, 'a notifications/cancelled for the elicitation');
    assert.equal(cancel.params.requestId, ask.id);
    assert.equal(
      rest.seen.some((m) => m.id === 2),
      false,
      'nothing answers a cancelled request',
    );
    assert.equal(t.outcomes.length, 1);
    assert.match(t.outcomes[0]!, /^failed:/);
    t.handler.core.close();
  });

  it('fail when the session ends (DELETE)', async () => {
    const t = setup();
    await t.open();
    const call = await t.post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ask', arguments: {} } });
    const { reader } = await readUntil(call, isElicit);
    const del = await t.handler(
      new Request('http://localhost/mcp', {
        method: 'DELETE',
        headers: { host: 'localhost', 'mcp-session-id': t.session() },
      }),
    );
    assert.equal(del.status, 200);
    await readUntil(call, () => false, reader); // the stream ends
    await new Promise((r) => setImmediate(r)); // the handler's catch runs after the rejection
    assert.equal(t.outcomes.length, 1);
    assert.match(t.outcomes[0]!, /^failed:/);
    assert.equal(t.handler.core.sessionCount, 0);
  });
});
