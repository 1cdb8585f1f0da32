// Oversize lines on stdio (issue 7): the framer reads the JSON-RPC id from the start of a line it skips,
// so the request it belongs to fails at once (client: TSMCP_MESSAGE_TOO_LARGE; server: an error with the
// request's id) instead of waiting for a timeout. The line itself is never buffered whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/index.js';
import { LineFramer } from '../../src/transports/stdio/framer.js';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { readLineHead } from '../../src/transports/stdio/head.js';
import { Peer } from '../../src/engine/peer.js';
import { StdioClientTransport, StdioServerTransport } from '../../src/transports/stdio/index.js';
import type { FrameError } from '../../src/protocol/transport.js';
import type { RequestId } from '../../src/protocol/jsonrpc.js';
import { distPath, spawnRaw } from '../helpers/raw-stdio.js';

const enc = new TextEncoder();

function framer(max: number) {
  const values: unknown[] = [];
  const errors: FrameError[] = [];
  const responses: [RequestId, FrameError][] = [];
  const f = new LineFramer(
    {
      onmessage: (v) => values.push(v),
      onframeerror: (e) => errors.push(e),
      onoversizeresponse: (id, e) => responses.push([id, e]),
    },
    max,
  );
  return { f, values, errors, responses };
}

describe('LineFramer: the id of an oversize line', () => {
  const big = 'x'.repeat(5000);

  it('is read from a request or a response that starts with it, also when the line arrives byte by byte', () => {
    const { f, values, errors, responses } = framer(1024);
    f.push(enc.encode(`${JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: big } })}\n`));
    const line = enc.encode(`${JSON.stringify({ jsonrpc: '2.0', id: 'r-"1"', result: { text: big } })}\n`);
    for (let i = 0; i < line.length; i += 100) f.push(line.subarray(i, i + 100));
    f.push(enc.encode('{"next":1}\n'));
    assert.deepEqual(
      errors.map((e) => [e.code, e.id]),
      [[-32600, 7]],
    );
    assert.deepEqual(
      responses.map(([id, e]) => [id, e.code]),
      [['r-"1"', -32600]],
    );
    assert.match(errors[0]!.message, /1024-byte limit \(maxMessageBytes\)/);
    assert.deepEqual(values, [{ next: 1 }]);
    assert.equal(f.buffered, 0);
  });

  it('is not guessed: nested ids, ids cut off by the limit, and lines of unknown kind give an id-less error', () => {
    const { f, errors, responses } = framer(64);
    const lines = [
      `{"jsonrpc":"2.0","method":"notifications/message","params":{"id":3,"data":"${big}"}}`, // a notification: the id is nested
      `{"jsonrpc":"2.0","id":123456789012345678901234567890123456789012345678901234567890123,"result":{}}`, // id cut at 64 bytes
      `{"jsonrpc":"2.0","id":"${'i'.repeat(80)}","result":{}}`, // string id cut at 64 bytes
      `{"jsonrpc":"2.0","id":1,"id":"${'j'.repeat(80)}","result":{}}`, // the id that counts is cut off
      `{"jsonrpc":"2.0","method":"xxxxxxxxxxx","id":-4.902120889992815e+117,"params":{}}`, // number cut inside its exponent
      `{"jsonrpc":"2.0","id":4,"other":{"result":"${big}"}}`, // kind unknown when the line runs over
      `[{"jsonrpc":"2.0","id":5,"method":"ping","params":{"x":"${big}"}}]`, // a batch
      `{"jsonrpc":"2.0","id":{"a":1},"method":"x","params":"${big}"}`, // not a valid id
    ];
    f.push(enc.encode(lines.map((l) => `${l}\n`).join('')));
    assert.equal(errors.length, lines.length);
    for (const e of errors) assert.equal(e.id, undefined);
    assert.equal(responses.length, 0);
  });
});

describe('readLineHead', () => {
  it('never names a wrong id or kind, wherever the line is cut (property)', () => {
    const id = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.object());
    const member = fc.oneof(
      fc.tuple(fc.constantFrom('id', 'method', 'params', 'result', 'error', 'jsonrpc'), fc.jsonValue()),
      fc.tuple(fc.constant('id'), id),
      fc.tuple(fc.string(), fc.jsonValue()),
    );
    fc.assert(
      // Unique keys: a repeated key after a compound value is beyond what a prefix can tell (see readLineHead).
      fc.property(fc.uniqueArray(member, { maxLength: 6, selector: ([k]) => k }), fc.nat(), (members, cut) => {
        const text = `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
        const got = readLineHead(text.slice(0, cut % (text.length + 1)));
        if (!got) return;
        const whole = JSON.parse(text) as Record<string, unknown>;
        assert.equal(got.id, whole.id);
        if (got.kind === 'request') assert.ok('method' in whole || 'params' in whole);
        else assert.ok('result' in whole || 'error' in whole);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('stdio client: an oversize response fails its request at once', () => {
  it('rejects with TSMCP_MESSAGE_TOO_LARGE, and the connection serves on', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [distPath('test/fixtures/tsmcp-stdio-server.js')],
      stderr: 'ignore',
      maxMessageBytes: 64 * 1024,
    });
    // A short timeout only so that the unfixed behaviour (waiting for it) fails on the error code, not on time.
    const client = new Client({ name: 'c', version: '1' }, { requestTimeoutMs: 3000 });
    await client.connect(transport);
    try {
      await assert.rejects(
        client.callTool('greet', { name: 'x'.repeat(100 * 1024) }),
        (e: unknown) =>
          e instanceof TsmcpError && e.code === 'TSMCP_MESSAGE_TOO_LARGE' && /65536-byte limit/.test(e.message),
      );
      const ok = await client.callTool('greet', { name: 'small' });
      assert.deepEqual(ok.content, [{ type: 'text', text: 'Hello, small!' }]);
    } finally {
      await client.close();
    }
  });
});

describe('stdio server: an oversize request is answered with its id', () => {
  it('answers -32600 with the id when the line starts with it, id-less otherwise, and serves on', async () => {
    const s = spawnRaw(distPath('test/fixtures/tsmcp-stdio-server.js'));
    try {
      const huge = 'y'.repeat(4 * 1024 * 1024 + 10);
      s.send(
        `{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"greet","arguments":{"name":"${huge}"}}}`,
      );
      const answer = await s.next();
      assert.equal(answer.id, 'big');
      assert.equal((answer.error as { code: number }).code, -32600);
      assert.match((answer.error as { message: string }).message, /maxMessageBytes/);
      s.send(`{"jsonrpc":"2.0","method":"notifications/whatever","params":{"id":1,"x":"${huge}"}}`);
      const idless = await s.next();
      assert.ok(!('id' in idless));
      assert.equal((idless.error as { code: number }).code, -32600);
      s.send({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      });
      assert.equal((await s.next()).id, 0);
      assert.equal(s.child.exitCode, null);
    } finally {
      await s.close();
    }
  });
});

describe('stdio server: an oversize response from the client fails the server request at once', () => {
  it('rejects the server->client request with TSMCP_MESSAGE_TOO_LARGE', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const peer = new Peer(
      new StdioServerTransport({ stdin, stdout, maxMessageBytes: 1024 }),
      { onrequest: () => ({}) },
      { requestTimeoutMs: 3000 },
    );
    await peer.start();
    const asked = peer.request('elicitation/create', { message: 'hi' });
    const sent = JSON.parse(String(stdout.read())) as { id: number };
    stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: sent.id, result: { action: 'accept', content: { text: 'z'.repeat(4096) } } })}\n`,
    );
    await assert.rejects(
      asked,
      (e: unknown) =>
        e instanceof TsmcpError && e.code === 'TSMCP_MESSAGE_TOO_LARGE' && /stdio server transport/.test(e.message),
    );
    assert.equal(stdout.read(), null, 'nothing is sent back for a response');
    await peer.close();
  });
});
