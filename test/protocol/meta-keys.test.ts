// `_meta` written by users (spec §_meta): keys must follow the key syntax and stay out of the prefixes
// reserved for MCP, where tsmcp puts its own keys. Refused at the API, before anything goes on the wire.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpError, TsmcpError, type ProtocolVersion } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { connectPair } from '../helpers/pair.js';

const BAD_REQUEST_META: { [key: string]: unknown }[] = [
  { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
  { 'io.modelcontextprotocol/clientCapabilities': { sampling: {} } },
  { 'dev.mcp/anything': 1 },
  { 'com.mcp.tools/x': 1 },
  { 'com.example/bad key': 1 },
  { '-leading': 1 },
  { '1abc.example/x': 1 },
  { progressToken: 'mine' },
];
const invalidMeta = (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_INVALID_META';

function server(seen: object[], errors: unknown[] = []) {
  const s = new McpServer({ name: 'meta', version: '1' }, { onerror: (e) => errors.push(e) });
  s.registerTool('echo', {}, (_args, ctx) => {
    seen.push(ctx.meta);
    return { content: [] };
  });
  return s;
}

for (const version of ['2026-07-28', '2025-11-25', '2025-03-26'] as ProtocolVersion[]) {
  describe(`client: caller _meta (${version})`, () => {
    it('refuses reserved and malformed keys before sending, through callTool and request', async () => {
      const seen: object[] = [];
      const { client, recorder } = await connectPair(server(seen), { version });
      const before = recorder.count;
      for (const meta of BAD_REQUEST_META) {
        await assert.rejects(client.callTool('echo', {}, { meta }), invalidMeta, JSON.stringify(meta));
        await assert.rejects(
          client.request('tools/call', { name: 'echo', _meta: meta }),
          invalidMeta,
          JSON.stringify(meta),
        );
        await assert.rejects(client.listTools(undefined, { meta }), invalidMeta, JSON.stringify(meta));
      }
      assert.equal(recorder.count, before, 'nothing went on the wire');
      assert.equal(seen.length, 0);
      recorder.assertClean();
    });

    it('passes valid keys through, and its own keys still go out', async () => {
      const seen: { [key: string]: unknown }[] = [];
      const { client, recorder } = await connectPair(server(seen), { version });
      const meta = {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'com.example/user': 'ada',
        'com.example.mcp/ok': 1,
        plain: true,
      };
      let progress = 0;
      await client.callTool('echo', {}, { meta, onprogress: () => progress++ });
      assert.deepEqual(Object.fromEntries(Object.entries(seen[0]!).filter(([k]) => k in meta)), meta);
      assert.equal(typeof seen[0]!.progressToken, 'number', 'tsmcp sets progressToken itself');
      if (version === '2026-07-28') assert.equal(seen[0]!['io.modelcontextprotocol/protocolVersion'], '2026-07-28');
      recorder.assertClean();
    });
  });
}

describe('server: _meta in definitions', () => {
  it('refuses reserved and malformed keys at registration', () => {
    const s = new McpServer({ name: 's', version: '1' });
    const refused = (what: string) => (e: unknown) =>
      e instanceof TsmcpError &&
      e.code === 'TSMCP_INVALID_DEFINITION' &&
      e.message.includes(what) &&
      /_meta/.test(e.message);
    for (const _meta of [{ 'io.modelcontextprotocol/serverInfo': {} }, { 'bad key': 1 }]) {
      assert.throws(() => s.registerTool('t', { _meta }, () => ({ content: [] })), refused('t'));
      assert.throws(() => s.registerPrompt('p', { _meta }, () => []), refused('p'));
      assert.throws(() => s.registerResource('r', 'file:///r', { _meta }, () => []), refused('file:///r'));
      assert.throws(() => s.registerResourceTemplate('tpl', 'file:///{x}', { _meta }, () => []), refused('tpl'));
    }
    s.registerTool('t', { _meta: { 'com.example/x': 1 } }, () => ({ content: [] }));
  });
});

for (const version of ['2026-07-28', '2025-11-25'] as ProtocolVersion[]) {
  describe(`server: _meta in handler results (${version})`, () => {
    it('answers -32603 for a result carrying reserved or malformed keys and tells onerror; valid keys pass', async () => {
      const errors: unknown[] = [];
      const s = new McpServer({ name: 'real', version: '1' }, { onerror: (e) => errors.push(e) });
      const fake = { 'io.modelcontextprotocol/serverInfo': { name: 'fake', version: '0' } };
      s.registerTool('spoof', {}, () => ({ content: [], _meta: fake }));
      s.registerTool('malformed', {}, () => ({ content: [], _meta: { 'no spaces': 1 } }));
      s.registerTool('fine', {}, () => ({ content: [], _meta: { 'com.example/x': 1 } }));
      s.registerPrompt('spoof', {}, () => ({ messages: [], _meta: fake }));
      s.registerResource('spoof', 'file:///spoof', {}, () => ({ contents: [], _meta: fake }));
      const { client, recorder } = await connectPair(s, { version });
      const internal = (e: unknown) => e instanceof McpError && e.code === -32603;
      await assert.rejects(client.callTool('spoof'), internal);
      await assert.rejects(client.callTool('malformed'), internal);
      await assert.rejects(client.getPrompt('spoof'), internal);
      await assert.rejects(client.readResource('file:///spoof'), internal);
      assert.deepEqual(
        errors.map((e) => (e as TsmcpError).code),
        ['TSMCP_INVALID_META', 'TSMCP_INVALID_META', 'TSMCP_INVALID_META', 'TSMCP_INVALID_META'],
      );
      assert.match((errors[0] as Error).message, /spoof.*io\.modelcontextprotocol\/serverInfo/);
      assert.equal((await client.callTool('fine'))._meta?.['com.example/x'], 1);
      recorder.assertClean();
    });
  });
}
