// A method behind a server capability the server did not advertise is -32601 on both eras, even when a
// handler for it is registered (the MethodNotFoundError rule of 2026-07-28; the legacy revisions' "MUST
// only use negotiated capabilities"). Checked on the raw wire over the memory pair.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Peer } from '../../src/engine/peer.js';
import { McpError, type JsonObject, type ServerCapabilities } from '../../src/index.js';
import { McpServer, Server, ServerConnection } from '../../src/entries/server.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** Each gated method, the capability that opens it, and valid params for it. */
const GATED: [method: string, caps: ServerCapabilities, params: JsonObject][] = [
  [
    'completion/complete',
    { completions: {} },
    { ref: { type: 'ref/prompt', name: 'p' }, argument: { name: 'a', value: '' } },
  ],
  ['logging/setLevel', { logging: {} }, { level: 'info' }],
  ['resources/subscribe', { resources: { subscribe: true } }, { uri: 'file:///a' }],
  ['resources/unsubscribe', { resources: { subscribe: true } }, { uri: 'file:///a' }],
  ['prompts/list', { prompts: {} }, {}],
  ['prompts/get', { prompts: {} }, { name: 'p' }],
  ['tools/list', { tools: {} }, {}],
  ['tools/call', { tools: {} }, { name: 't' }],
  ['resources/list', { resources: {} }, {}],
  ['resources/templates/list', { resources: {} }, {}],
  ['resources/read', { resources: {} }, { uri: 'file:///a' }],
];
const LEGACY_ONLY = new Set(['logging/setLevel', 'resources/subscribe', 'resources/unsubscribe']);

/** A low-level server with a handler for every gated method, advertising only `caps`. */
function server(caps: ServerCapabilities): Server {
  const s = new Server({ name: 'gated', version: '1' }, { capabilities: caps });
  const answers: { [method: string]: JsonObject } = {
    'completion/complete': { completion: { values: [] } },
    'prompts/list': { prompts: [] },
    'prompts/get': { messages: [] },
    'tools/list': { tools: [] },
    'tools/call': { content: [] },
    'resources/list': { resources: [] },
    'resources/templates/list': { resourceTemplates: [] },
    'resources/read': { contents: [] },
  };
  for (const [method, result] of Object.entries(answers)) s.setRequestHandler(method, () => result);
  return s;
}

async function open(s: Server, recorder: WireRecorder, era: 'modern' | 'legacy') {
  const [a, b] = createLinkedPair();
  await new ServerConnection(s, recordTransport(b, recorder, 'server')).start();
  const peer = new Peer(recordTransport(a, recorder, 'client'), { onrequest: () => ({}) });
  await peer.start();
  if (era === 'legacy') {
    await peer.request('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'raw', version: '1' },
    });
    await peer.notify('notifications/initialized');
  }
  return (method: string, params: JsonObject) =>
    peer.request(method, era === 'modern' ? { ...params, _meta: META } : params);
}

const notFound = (e: unknown) => e instanceof McpError && e.code === -32601;

describe('capability-gated methods', () => {
  for (const era of ['modern', 'legacy'] as const) {
    it(`${era}: each gated method is -32601 without its capability, and answered with it`, async () => {
      for (const [method, caps, params] of GATED) {
        if (era === 'modern' && LEGACY_ONLY.has(method)) continue;
        const recorder = new WireRecorder({ label: `${era} ${method}` });
        const without = await open(server({}), recorder, era);
        await assert.rejects(without(method, params), notFound, `${method} without ${JSON.stringify(caps)}`);
        const withCap = await open(server(caps), recorder, era);
        await withCap(method, params);
        recorder.assertClean();
      }
    });

    it(`${era}: McpServer without completers answers completion/complete with -32601`, async () => {
      const s = new McpServer({ name: 'prompts', version: '1' });
      s.registerPrompt('p', { arguments: [{ name: 'a' }] }, () => []);
      const recorder = new WireRecorder();
      const call = await open(s.server, recorder, era);
      assert.equal(s.server.capabilities.completions, undefined);
      await assert.rejects(
        call('completion/complete', { ref: { type: 'ref/prompt', name: 'p' }, argument: { name: 'a', value: '' } }),
        notFound,
      );
      // A completer turns the capability (and the method) on.
      s.registerPrompt('q', { arguments: [{ name: 'a', complete: () => ['x'] }] }, () => []);
      const r = await call('completion/complete', {
        ref: { type: 'ref/prompt', name: 'q' },
        argument: { name: 'a', value: '' },
      });
      assert.deepEqual((r.completion as JsonObject).values, ['x']);
      recorder.assertClean();
    });
  }
});
