// URL-mode elicitation at every revision that has it (2025-11-25 legacy, 2026-07-28 modern), over the
// in-memory pair and over loopback HTTP, with every message checked against the revision's schema.
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError, type ElicitParams, type ProtocolVersion } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import type { Transport } from '../../src/protocol/transport.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

const URL_ = 'https://auth.example.com/connect?session=1';

/** A server whose tools ask for URL-mode elicitation, reporting what the handler got back. */
function urlServer(): McpServer {
  const s = new McpServer({ name: 'url', version: '1' });
  s.registerTool(
    'connect',
    { inputSchema: { type: 'object', properties: { id: { type: 'string' } } } },
    async (args, ctx) => {
      const given = typeof args.id === 'string' ? args.id : undefined;
      const r = await ctx.elicit({
        mode: 'url',
        message: 'Connect your account',
        url: URL_,
        ...(given ? { elicitationId: given } : {}),
      });
      // The out-of-band step is done (here at once): tell the client, where the revision can say it.
      const sent =
        r.action === 'accept' && r.elicitationId !== undefined ? await ctx.completeElicitation(r.elicitationId) : false;
      return {
        content: [
          { type: 'text', text: JSON.stringify({ action: r.action, elicitationId: r.elicitationId ?? null, sent }) },
        ],
      };
    },
  );
  return s;
}

const servers: HttpServer[] = [];
after(() => {
  for (const h of servers) {
    h.closeAllConnections();
    h.close();
  }
});

async function httpTransport(s: McpServer): Promise<Transport> {
  const h = createServer(createNodeHandler(s));
  servers.push(h);
  const port = await new Promise<number>((resolve) =>
    h.listen(0, '127.0.0.1', () => resolve((h.address() as { port: number }).port)),
  );
  return new StreamableHttpClientTransport(new URL(`http://127.0.0.1:${port}/mcp`));
}

interface Seen {
  params: ElicitParams[];
  completed: string[];
}

async function connect(carrier: 'memory' | 'http', version: ProtocolVersion, caps: { url?: boolean } = { url: true }) {
  const s = urlServer();
  const recorder = new WireRecorder({ label: `${carrier} ${version}` });
  let side: Transport;
  if (carrier === 'memory') {
    const [ct, st] = createLinkedPair();
    await s.connect(recordTransport(st, recorder, 'server'));
    side = ct;
  } else side = await httpTransport(s);
  const seen: Seen = { params: [], completed: [] };
  const client = new Client(
    { name: 'c', version: '1' },
    {
      version,
      capabilities: { elicitation: caps.url ? { form: {}, url: {} } : { form: {} } },
      handlers: {
        elicitation: (p) => {
          seen.params.push(p);
          return { action: 'accept' };
        },
        elicitationComplete: (id) => void seen.completed.push(id),
      },
    },
  );
  await client.connect(recordTransport(side, recorder, 'client'));
  return { client, recorder, seen };
}

const out = (r: { content: unknown[] }) =>
  JSON.parse((r.content[0] as { text: string }).text) as {
    action: string;
    elicitationId: string | null;
    sent: boolean;
  };
/** Bounded wait for something that happens asynchronously (a notification). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

for (const carrier of ['memory', 'http'] as const) {
  describe(`URL-mode elicitation over ${carrier}`, () => {
    it('2025-11-25: an elicitationId goes out (generated when the caller gave none), is returned, and its completion reaches the client', async () => {
      const { client, recorder, seen } = await connect(carrier, '2025-11-25');
      const generated = out(await client.callTool('connect'));
      assert.equal(generated.action, 'accept');
      assert.equal(typeof generated.elicitationId, 'string');
      assert.ok(generated.elicitationId!.length > 0);
      const supplied = out(await client.callTool('connect', { id: 'caller-chosen-1' }));
      assert.equal(supplied.elicitationId, 'caller-chosen-1');
      // The client saw exactly the ids the server's handler got back.
      assert.deepEqual(
        seen.params.map((p) => (p as { elicitationId?: string }).elicitationId),
        [generated.elicitationId, 'caller-chosen-1'],
      );
      assert.deepEqual([generated.sent, supplied.sent], [true, true]);
      await until(() => seen.completed.length === 2, 'both completions arrive');
      assert.deepEqual(seen.completed, [generated.elicitationId, 'caller-chosen-1']);
      assert.ok(recorder.count > 0);
      recorder.assertClean();
      await client.close();
    });

    it('2026-07-28: no elicitationId goes out, even one the caller supplied, and there is no completion notification', async () => {
      const { client, recorder, seen } = await connect(carrier, '2026-07-28');
      const r1 = out(await client.callTool('connect'));
      const r2 = out(await client.callTool('connect', { id: 'caller-chosen-2' }));
      assert.deepEqual(
        [r1, r2],
        [
          { action: 'accept', elicitationId: null, sent: false },
          { action: 'accept', elicitationId: null, sent: false },
        ],
      );
      assert.equal(seen.params.length, 2);
      for (const p of seen.params) {
        assert.equal(p.mode, 'url');
        assert.equal('elicitationId' in p, false, `sent ${JSON.stringify(p)}`);
      }
      assert.deepEqual(seen.completed, []);
      recorder.assertClean();
      await client.close();
    });

    for (const version of ['2025-11-25', '2026-07-28'] as const) {
      it(`${version}: a client that did not declare elicitation.url is never sent a URL-mode request (-32021; -32600 on legacy)`, async () => {
        const { client, recorder, seen } = await connect(carrier, version, {});
        await assert.rejects(
          client.callTool('connect'),
          (e: unknown) =>
            e instanceof McpError &&
            e.code === (version === '2026-07-28' ? -32021 : -32600) &&
            JSON.stringify(e.data) === '{"requiredCapabilities":{"elicitation":{"url":{}}}}',
        );
        assert.equal(seen.params.length, 0);
        recorder.assertClean();
        await client.close();
      });
    }
  });
}

describe('completeElicitation() after its request ended (the out-of-band step finishes later)', () => {
  const lateServer = () => {
    const s = new McpServer({ name: 'late', version: '1' });
    const later: { complete?: (id: string) => Promise<boolean> } = {};
    s.registerTool('connect', {}, async (_a, ctx) => {
      const r = await ctx.elicit({ mode: 'url', message: 'Connect', url: URL_, elicitationId: 'late-1' });
      later.complete = ctx.completeElicitation;
      return { content: [{ type: 'text', text: r.elicitationId ?? '' }] };
    });
    return { s, later };
  };
  const clientFor = (completed: string[]) =>
    new Client({ name: 'c', version: '1' }, {
      version: '2025-11-25',
      capabilities: { elicitation: { url: {} } },
      handlers: {
        elicitation: () => ({ action: 'accept' }),
        elicitationComplete: (id: string) => void completed.push(id),
      },
    } as never);
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  };

  it('reaches the client on its connection (message transports)', async () => {
    const { s, later } = lateServer();
    const [ct, st] = createLinkedPair();
    const recorder = new WireRecorder();
    await s.connect(recordTransport(st, recorder, 'server'));
    const completed: string[] = [];
    const client = clientFor(completed);
    await client.connect(recordTransport(ct, recorder, 'client'));
    assert.equal(((await client.callTool('connect')).content[0] as { text: string }).text, 'late-1');
    assert.equal(await later.complete!('late-1'), true);
    await until(() => completed.length > 0);
    assert.deepEqual(completed, ['late-1']);
    recorder.assertClean();
    await client.close();
    assert.equal(await later.complete!('late-1'), false, 'nowhere to send it once the connection closed');
  });

  it('reaches the client on its legacy HTTP session’s GET stream', async () => {
    const { s, later } = lateServer();
    const completed: string[] = [];
    const client = clientFor(completed);
    await client.connect(await httpTransport(s));
    assert.equal(((await client.callTool('connect')).content[0] as { text: string }).text, 'late-1');
    // The tsmcp client opens the session's GET stream after initialize; wait until it is there.
    let sent = false;
    for (let i = 0; i < 200 && !sent; i++) {
      sent = await later.complete!('late-1');
      if (!sent) await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(sent, true);
    await until(() => completed.length > 0);
    assert.deepEqual(completed, ['late-1']);
    await client.close();
  });
});
