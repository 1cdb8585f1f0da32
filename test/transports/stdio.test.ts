// stdio transports: framing edge cases, a real child process, minimal environment, stderr capture,
// and graceful-then-forceful shutdown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { LineFramer } from '../../src/transports/stdio/framer.js';
import { StdioClientTransport, getDefaultEnvironment } from '../../src/transports/stdio/index.js';
import { TsmcpError } from '../../src/index.js';
import type { FrameError } from '../../src/protocol/transport.js';

const enc = new TextEncoder();
const echo = fileURLToPath(new URL('./fixtures/echo.js', import.meta.url));

function framer(max?: number) {
  const values: unknown[] = [];
  const errors: FrameError[] = [];
  const f = new LineFramer({ onmessage: (v) => values.push(v), onframeerror: (e) => errors.push(e) }, max);
  return { f, values, errors };
}

describe('LineFramer', () => {
  it('joins partial lines and splits many lines per chunk', () => {
    const { f, values } = framer();
    f.push(enc.encode('{"a":'));
    f.push(enc.encode('1}\n{"b":2}\n{"c"'));
    assert.deepEqual(values, [{ a: 1 }, { b: 2 }]);
    f.push(enc.encode(':3}\n'));
    assert.deepEqual(values, [{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('handles UTF-8 characters split across chunks, CRLF and blank lines', () => {
    const { f, values } = framer();
    const bytes = enc.encode('{"s":"héllo 🌍"}\r\n\n\n');
    for (const b of bytes) f.push(new Uint8Array([b]));
    assert.deepEqual(values, [{ s: 'héllo 🌍' }]);
  });

  it('reports bad JSON as -32700 and carries on', () => {
    const { f, values, errors } = framer();
    f.push(enc.encode('{oops\n{"ok":true}\n'));
    assert.equal(errors[0]?.code, -32700);
    assert.deepEqual(values, [{ ok: true }]);
  });

  it('skips an oversize line without buffering it, once, then carries on', () => {
    const { f, values, errors } = framer(1024 * 1024);
    const chunk = enc.encode('x'.repeat(64 * 1024));
    f.push(enc.encode('{"big":"'));
    let maxBuffered = 0;
    for (let i = 0; i < 80; i++) {
      f.push(chunk);
      maxBuffered = Math.max(maxBuffered, f.buffered);
    }
    f.push(enc.encode('"}\n{"next":1}\n'));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, -32600);
    assert.ok(maxBuffered <= 1024 * 1024, `buffered ${maxBuffered} bytes`);
    assert.deepEqual(values, [{ next: 1 }]);
  });

  it('delivers exactly the lines it was given, however the bytes are cut (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (msgs, cuts) => {
        const bytes = enc.encode(msgs.map((m) => `${JSON.stringify(m)}\n`).join(''));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const { f, values, errors } = framer();
        let last = 0;
        for (const p of [...points, bytes.length]) {
          f.push(bytes.subarray(last, p));
          last = p;
        }
        assert.equal(errors.length, 0);
        assert.deepEqual(values, JSON.parse(JSON.stringify(msgs)));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const { f } = framer(256);
        for (const c of chunks) f.push(c);
        assert.ok(f.buffered <= 256);
      }),
      { numRuns: 500 },
    );
  });
});

describe('StdioClientTransport', () => {
  async function open(args: string[] = [], extra: Partial<ConstructorParameters<typeof StdioClientTransport>[0]> = {}) {
    const t = new StdioClientTransport({ command: process.execPath, args: [echo, ...args], stderr: 'pipe', ...extra });
    const got: unknown[] = [];
    let closed = 0;
    t.onmessage = (v) => got.push(v);
    t.onclose = () => closed++;
    await t.start();
    return { t, got, closed: () => closed };
  }
  const until = async (cond: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('round-trips messages with a real child process', async () => {
    const { t, got } = await open();
    await t.send({ jsonrpc: '2.0', id: 1, method: 'hello', params: { x: 'ü' } });
    await until(() => got.length === 1);
    assert.deepEqual((got[0] as { result: { echo: unknown } }).result.echo, {
      jsonrpc: '2.0',
      id: 1,
      method: 'hello',
      params: { x: 'ü' },
    });
    await t.close();
  });

  it('passes only a minimal environment unless told otherwise', async () => {
    process.env.TSMCP_SECRET_TEST = 'leak';
    try {
      const { t, got } = await open();
      await t.send({ jsonrpc: '2.0', id: 1, method: 'env' });
      await until(() => got.length === 1);
      const env = (got[0] as { result: { env: Record<string, string> } }).result.env;
      assert.equal(env.TSMCP_SECRET_TEST, undefined);
      assert.equal(env.PATH, process.env.PATH);
      for (const k of Object.keys(getDefaultEnvironment()))
        assert.ok(['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'].includes(k));
      await t.close();
      const passed = await open([], { env: { TSMCP_SECRET_TEST: 'given' } });
      await passed.t.send({ jsonrpc: '2.0', id: 2, method: 'env' });
      await until(() => passed.got.length === 1);
      assert.equal(
        (passed.got[0] as { result: { env: Record<string, string> } }).result.env.TSMCP_SECRET_TEST,
        'given',
      );
      await passed.t.close();
    } finally {
      delete process.env.TSMCP_SECRET_TEST;
    }
  });

  it('captures stderr when asked', async () => {
    const t = new StdioClientTransport({ command: process.execPath, args: [echo], stderr: 'pipe' });
    let err = '';
    t.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await t.start();
    await until(() => err.includes('echo fixture ready'));
    await t.close();
  });

  it('closes stdin first, and the server exits by itself', async () => {
    const { t, closed } = await open();
    const started = Date.now();
    await t.close();
    assert.equal(closed(), 1);
    assert.equal(t.exitCode, 0);
    assert.ok(Date.now() - started < 2000);
    await assert.rejects(
      t.send({ jsonrpc: '2.0', method: 'x' }),
      (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_CONNECTION_CLOSED',
    );
  });

  it('escalates to SIGKILL for a server that ignores EOF and SIGTERM', async () => {
    const { t, closed } = await open(['--stubborn'], { shutdown: { stdinCloseMs: 200, sigtermMs: 200 } });
    await new Promise((r) => setTimeout(r, 100)); // let the fixture install its SIGTERM handler
    await t.close();
    assert.equal(t.signalCode, 'SIGKILL');
    assert.equal(closed(), 1);
  });

  it('fires onclose when the server dies, and rejects a missing command', async () => {
    const { t, closed } = await open();
    process.kill(t.pid!, 'SIGKILL');
    await until(() => closed() === 1);
    const missing = new StdioClientTransport({ command: 'tsmcp-no-such-command-xyz' });
    await assert.rejects(missing.start(), (e: unknown) => e instanceof TsmcpError && e.code === 'TSMCP_PROCESS');
  });
});
