// A legacy initialize states only capabilities its revision defines (checked against that revision's
// official ClientCapabilities), and requests a revision lacks are refused with -32601, no handler run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Client, type ClientOptions } from '../../src/entries/client.js';
import type { LegacyVersion } from '../../src/protocol/versions.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { sendersOf, specDir } from '../helpers/wire-schema.js';

type Def = { properties?: Record<string, Def>; additionalProperties?: boolean | Def; $ref?: string };
type Msg = {
  jsonrpc: '2.0';
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string };
};

function clientCapabilitiesDef(revision: string): { def: Def; defs: Record<string, Def> } {
  const schema = JSON.parse(readFileSync(join(specDir(), revision, 'schema.json'), 'utf8')) as {
    definitions?: Record<string, Def>;
    $defs?: Record<string, Def>;
  };
  const defs = (schema.definitions ?? schema.$defs)!;
  return { def: defs.ClientCapabilities!, defs };
}

/** Paths in `value` the schema does not name. An object schema without `additionalProperties: true` is taken as closed. */
function outside(value: unknown, def: Def, defs: Record<string, Def>, path: string): string[] {
  if (def.$ref) def = defs[def.$ref.split('/').pop()!]!;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const sub =
      def.properties?.[k] ?? (typeof def.additionalProperties === 'object' ? def.additionalProperties : undefined);
    if (sub) out.push(...outside(v, sub, defs, `${path}.${k}`));
    else if (def.additionalProperties !== true) out.push(`${path}.${k}`);
  }
  return out;
}

/** A raw legacy server on the other end of an in-memory pair that agrees to `version` and records everything. */
async function legacyPeer(version: string) {
  const [client, server] = createLinkedPair();
  const seen: Msg[] = [];
  server.onmessage = (v) => {
    const m = v as Msg;
    seen.push(m);
    if (m.method === 'initialize')
      void server.send({
        jsonrpc: '2.0',
        id: m.id!,
        result: { protocolVersion: version, capabilities: {}, serverInfo: { name: 'raw', version: '1' } },
      });
  };
  await server.start();
  return { client, seen, send: (m: object) => void server.send(m as never) };
}

const LEGACY: LegacyVersion[] = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
const everything: ClientOptions = {
  capabilities: {
    elicitation: { form: {}, url: {} },
    sampling: { tools: {}, context: {} },
    roots: { listChanged: true },
    experimental: { 'x.example/y': {} },
    extensions: { 'x.example/z': {} },
  },
  tasks: true,
};

describe('legacy initialize capabilities follow the negotiated revision', () => {
  for (const version of LEGACY) {
    it(`${version}: nothing outside that revision's ClientCapabilities`, async () => {
      const raw = await legacyPeer(version);
      const client = new Client({ name: 'c', version: '1' }, { ...everything, version });
      await client.connect(raw.client);
      const init = raw.seen.find((m) => m.method === 'initialize')!;
      assert.equal(init.params!.protocolVersion, version);
      const caps = init.params!.capabilities;
      const { def, defs } = clientCapabilitiesDef(version);
      assert.deepEqual(outside(caps, def, defs, 'capabilities'), []);
      // What each revision can say, and nothing the client did not have.
      const c = caps as Record<string, unknown>;
      assert.deepEqual(c.roots, { listChanged: true });
      assert.deepEqual(c.experimental, { 'x.example/y': {} });
      assert.deepEqual(c.sampling, version === '2025-11-25' ? { tools: {}, context: {} } : {});
      assert.deepEqual(
        c.elicitation,
        version === '2025-11-25' ? { form: {}, url: {} } : version === '2025-06-18' ? {} : undefined,
      );
      await client.close();
    });
  }

  it('an elicitation capability with only url mode is not announced before 2025-11-25', async () => {
    const raw = await legacyPeer('2025-06-18');
    const client = new Client(
      { name: 'c', version: '1' },
      { version: '2025-06-18', capabilities: { elicitation: { url: {} } } },
    );
    await client.connect(raw.client);
    assert.deepEqual(raw.seen.find((m) => m.method === 'initialize')!.params!.capabilities, {});
    await client.close();
  });
});

describe('requests the negotiated revision lacks are refused', () => {
  for (const version of ['2024-11-05', '2025-03-26'] as const) {
    it(`${version}: elicitation/create gets -32601 and the handler never runs`, async () => {
      assert.deepEqual(
        sendersOf(version, 'elicitation/create'),
        [],
        'the schema of this revision has no elicitation/create',
      );
      const raw = await legacyPeer(version);
      let calls = 0;
      const client = new Client(
        { name: 'c', version: '1' },
        {
          version,
          handlers: { elicitation: () => (calls++, { action: 'accept', content: {} }), roots: () => ({ roots: [] }) },
        },
      );
      await client.connect(raw.client);
      raw.send({
        jsonrpc: '2.0',
        id: 'e',
        method: 'elicitation/create',
        params: { message: 'name?', requestedSchema: { type: 'object', properties: {} } },
      });
      raw.send({ jsonrpc: '2.0', id: 'r', method: 'roots/list' });
      for (let i = 0; i < 500 && raw.seen.filter((m) => m.id === 'e' || m.id === 'r').length < 2; i++)
        await new Promise((r) => setTimeout(r, 10));
      const e = raw.seen.find((m) => m.id === 'e' && !m.method)!;
      assert.equal(e.error?.code, -32601);
      assert.equal(calls, 0);
      assert.deepEqual(
        raw.seen.find((m) => m.id === 'r' && !m.method)?.result,
        { roots: [] },
        'methods of the revision still work',
      );
      await client.close();
    });
  }
});
