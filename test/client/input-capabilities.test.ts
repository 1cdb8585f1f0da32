// The client refuses input requests it did not declare a capability for (URL-mode elicitation,
// sampling with tools or with includeContext), on legacy sessions (a JSON-RPC error back, no handler
// run) and on 2026-07-28 (a local error, no handler run); and it hears URL-mode completions only for
// elicitations it accepted, once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, type ClientOptions } from '../../src/entries/client.js';
import { TsmcpError, type ClientCapabilities } from '../../src/index.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';

type Msg = {
  jsonrpc: '2.0';
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
};

/** Bounded wait for something that happens asynchronously. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}
const settle = () => new Promise((r) => setTimeout(r, 50));

const samplingAnswer = { role: 'assistant' as const, content: { type: 'text', text: 'ok' }, model: 'm' };
const messages = [{ role: 'user', content: { type: 'text', text: 'hi' } }];

/** A hand-driven legacy server on an in-memory pair: answers initialize with `version`, records the rest. */
async function legacyServer(version: string, capabilities: ClientCapabilities, extra: Partial<ClientOptions> = {}) {
  const [ct, st] = createLinkedPair();
  const seen: Msg[] = [];
  st.onmessage = (v) => {
    const m = v as Msg;
    seen.push(m);
    if (m.method === 'initialize')
      void st.send({
        jsonrpc: '2.0',
        id: m.id!,
        result: { protocolVersion: version, capabilities: {}, serverInfo: { name: 'raw', version: '1' } },
      } as never);
  };
  await st.start();
  const ran: string[] = [];
  const completed: string[] = [];
  const client = new Client(
    { name: 'c', version: '1' },
    {
      version: 'legacy',
      capabilities,
      handlers: {
        elicitation: (p) => (ran.push(`elicit:${p.mode ?? 'form'}`), { action: 'accept' }),
        elicitationComplete: (id) => void completed.push(id),
        sampling: () => (ran.push('sample'), samplingAnswer),
      },
      ...extra,
    },
  );
  await client.connect(ct);
  assert.equal(client.protocolVersion, version);
  let n = 0;
  /** Send a server→client request and wait (bounded) for the client's answer. */
  const ask = async (method: string, params: Record<string, unknown>): Promise<Msg> => {
    const id = `srv-${++n}`;
    void st.send({ jsonrpc: '2.0', id, method, params } as never);
    await until(() => seen.some((m) => m.id === id), `the client answers ${method}`);
    return seen.find((m) => m.id === id)!;
  };
  const notify = (method: string, params: Record<string, unknown>) =>
    void st.send({ jsonrpc: '2.0', method, params } as never);
  return { client, ask, notify, ran, completed };
}

const url = (id?: string) => ({
  mode: 'url',
  message: 'Connect',
  url: 'https://auth.example.com/x',
  ...(id ? { elicitationId: id } : {}),
});

describe('legacy sessions: the client checks what it declared', () => {
  it('2025-11-25: sampling with includeContext thisServer/allServers needs sampling.context', async () => {
    const bare = await legacyServer('2025-11-25', { sampling: {} });
    for (const includeContext of ['thisServer', 'allServers']) {
      const r = await bare.ask('sampling/createMessage', { messages, maxTokens: 5, includeContext });
      assert.equal(r.error?.code, -32602, JSON.stringify(r));
      assert.match(r.error!.message, /sampling\.context/);
    }
    const none = await bare.ask('sampling/createMessage', { messages, maxTokens: 5, includeContext: 'none' });
    assert.equal(none.result?.model, 'm');
    assert.deepEqual(bare.ran, ['sample']);
    await bare.client.close();

    const ctx = await legacyServer('2025-11-25', { sampling: { context: {} } });
    const ok = await ctx.ask('sampling/createMessage', { messages, maxTokens: 5, includeContext: 'thisServer' });
    assert.equal(ok.result?.model, 'm');
    await ctx.client.close();
  });

  it('2025-06-18 (no sampling.context in that revision): includeContext is not gated', async () => {
    const s = await legacyServer('2025-06-18', { sampling: {} });
    const r = await s.ask('sampling/createMessage', { messages, maxTokens: 5, includeContext: 'thisServer' });
    assert.equal(r.result?.model, 'm');
    await s.client.close();
  });

  it('2025-11-25: sampling with tools or toolChoice needs sampling.tools', async () => {
    const bare = await legacyServer('2025-11-25', { sampling: {} });
    const tools = [{ name: 't', inputSchema: { type: 'object' } }];
    for (const extra of [{ tools }, { toolChoice: { mode: 'auto' } }]) {
      const r = await bare.ask('sampling/createMessage', { messages, maxTokens: 5, ...extra });
      assert.equal(r.error?.code, -32602, JSON.stringify(r));
      assert.match(r.error!.message, /sampling\.tools/);
    }
    assert.deepEqual(bare.ran, []);
    await bare.client.close();
    const ok = await legacyServer('2025-11-25', { sampling: { tools: {} } });
    assert.equal((await ok.ask('sampling/createMessage', { messages, maxTokens: 5, tools })).result?.model, 'm');
    await ok.client.close();
  });

  it('2025-11-25: URL-mode elicitation needs elicitation.url, and form mode needs form', async () => {
    const formOnly = await legacyServer('2025-11-25', { elicitation: { form: {} } });
    const r = await formOnly.ask('elicitation/create', url('e-1'));
    assert.equal(r.error?.code, -32602, JSON.stringify(r));
    assert.match(r.error!.message, /elicitation\.url/);
    assert.deepEqual(formOnly.ran, []);
    await formOnly.client.close();

    const urlOnly = await legacyServer('2025-11-25', { elicitation: { url: {} } });
    const form = await urlOnly.ask('elicitation/create', {
      message: 'name?',
      requestedSchema: { type: 'object', properties: {} },
    });
    assert.equal(form.error?.code, -32602, JSON.stringify(form));
    assert.match(form.error!.message, /elicitation\.form/);
    assert.equal((await urlOnly.ask('elicitation/create', url('e-2'))).result?.action, 'accept');
    assert.deepEqual(urlOnly.ran, ['elicit:url']);
    await urlOnly.client.close();
  });

  it('2025-11-25: a URL-mode request without elicitationId is invalid there', async () => {
    const s = await legacyServer('2025-11-25', { elicitation: { url: {} } });
    const r = await s.ask('elicitation/create', url());
    assert.equal(r.error?.code, -32602, JSON.stringify(r));
    assert.match(r.error!.message, /elicitationId/);
    assert.deepEqual(s.ran, []);
    await s.client.close();
  });

  it('2025-06-18 (no URL mode in that revision): a URL-mode request is refused even with elicitation.url declared', async () => {
    const s = await legacyServer('2025-06-18', { elicitation: { form: {}, url: {} } });
    const r = await s.ask('elicitation/create', url('e-3'));
    assert.equal(r.error?.code, -32602, JSON.stringify(r));
    assert.deepEqual(s.ran, []);
    await s.client.close();
  });

  it('hears notifications/elicitation/complete only for URL elicitations it accepted, and once', async () => {
    const notified: string[] = [];
    const s = await legacyServer(
      '2025-11-25',
      { elicitation: { url: {} } },
      { onnotification: (m) => void notified.push(m) },
    );
    assert.equal((await s.ask('elicitation/create', url('known'))).result?.action, 'accept');
    s.notify('notifications/elicitation/complete', { elicitationId: 'never-asked' });
    s.notify('notifications/elicitation/complete', { elicitationId: 'known' });
    s.notify('notifications/elicitation/complete', { elicitationId: 'known' });
    s.notify('notifications/elicitation/complete', {});
    await until(() => s.completed.length > 0, 'the known completion arrives');
    await settle();
    assert.deepEqual(s.completed, ['known']);
    assert.deepEqual(notified, ['notifications/elicitation/complete']);
    await s.client.close();
  });

  it('remembers at most maxPendingUrlElicitations awaiting completion, forgetting the oldest and saying so', async () => {
    const problems: Error[] = [];
    const s = await legacyServer(
      '2025-11-25',
      { elicitation: { url: {} } },
      { maxPendingUrlElicitations: 2, onprotocolerror: (e) => void problems.push(e) },
    );
    for (const id of ['a', 'b', 'c'])
      assert.equal((await s.ask('elicitation/create', url(id))).result?.action, 'accept');
    assert.equal(problems.length, 1);
    assert.ok(
      problems[0] instanceof TsmcpError &&
        problems[0].code === 'TSMCP_INPUT_REQUESTS_EXCEEDED' &&
        /maxPendingUrlElicitations/.test(problems[0].message),
    );
    for (const id of ['a', 'b', 'c']) s.notify('notifications/elicitation/complete', { elicitationId: id });
    await until(() => s.completed.length === 2, 'the two remembered completions arrive');
    await settle();
    assert.deepEqual(s.completed, ['b', 'c']);
    await s.client.close();
  });
});

/** A hand-driven 2026-07-28 server whose tools/call asks for `inputRequests` once. */
async function modernServer(capabilities: ClientCapabilities, inputRequests: Record<string, unknown>) {
  const [ct, st] = createLinkedPair();
  const calls: Msg[] = [];
  st.onmessage = (v) => {
    const m = v as Msg;
    if (m.method === 'server/discover') {
      void st.send({
        jsonrpc: '2.0',
        id: m.id!,
        result: { resultType: 'complete', supportedVersions: ['2026-07-28'], capabilities: { tools: {} } },
      } as never);
    } else if (m.method === 'tools/call') {
      calls.push(m);
      const result = m.params?.inputResponses
        ? { resultType: 'complete', content: [{ type: 'text', text: 'done' }] }
        : { resultType: 'input_required', inputRequests, requestState: 'st' };
      void st.send({ jsonrpc: '2.0', id: m.id!, result } as never);
    }
  };
  await st.start();
  const ran: string[] = [];
  const client = new Client(
    { name: 'c', version: '1' },
    {
      version: '2026-07-28',
      capabilities,
      handlers: {
        elicitation: (p) => (ran.push(`elicit:${p.mode ?? 'form'}`), { action: 'accept' }),
        sampling: () => (ran.push('sample'), samplingAnswer),
      },
    },
  );
  await client.connect(ct);
  return { client, calls, ran };
}

describe('2026-07-28: the client refuses input it did not declare, locally', () => {
  const cases: [string, ClientCapabilities, ClientCapabilities, unknown, RegExp][] = [
    [
      'URL-mode elicitation',
      { elicitation: { form: {} } },
      { elicitation: { url: {} } },
      { method: 'elicitation/create', params: { mode: 'url', message: 'Connect', url: 'https://auth.example.com/x' } },
      /elicitation\.url/,
    ],
    [
      'sampling with includeContext',
      { sampling: {} },
      { sampling: { context: {} } },
      { method: 'sampling/createMessage', params: { messages, maxTokens: 5, includeContext: 'allServers' } },
      /sampling\.context/,
    ],
    [
      'sampling with tools',
      { sampling: {} },
      { sampling: { tools: {} } },
      {
        method: 'sampling/createMessage',
        params: { messages, maxTokens: 5, tools: [{ name: 't', inputSchema: { type: 'object' } }] },
      },
      /sampling\.tools/,
    ],
  ];
  for (const [what, without, withCap, request, why] of cases) {
    it(`${what}: refused without the capability, answered with it`, async () => {
      const bad = await modernServer(without, { k: request });
      await assert.rejects(
        bad.client.callTool('x'),
        (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_INVALID_RESPONSE' && why.test(e.message),
      );
      assert.deepEqual(bad.ran, []);
      assert.equal(bad.calls.length, 1, 'no retry carrying an answer');
      await bad.client.close();
      const good = await modernServer(withCap, { k: request });
      assert.equal(((await good.client.callTool('x')).content[0] as { text: string }).text, 'done');
      assert.equal(good.ran.length, 1);
      await good.client.close();
    });
  }
});
