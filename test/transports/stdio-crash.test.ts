// A stdio server that crashes: pending calls and subscriptions learn its exit (code, last stderr lines);
// with the opt-in `restart` policy the client gets a fresh server, in the same revision, with its
// subscriptions re-established, until `maxRestarts` is spent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, type ClientOptions } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/index.js';
import { StdioClientTransport, type StdioClientTransportOptions } from '../../src/transports/stdio/index.js';
import { distPath } from '../helpers/raw-stdio.js';
import { WireRecorder, recordTransport } from '../helpers/wire-recorder.js';

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
};
const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

async function open(
  t: { after(fn: () => unknown): void },
  options: Partial<StdioClientTransportOptions> = {},
  clientOptions: ClientOptions = {},
) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [distPath('test/fixtures/fragile-server.js')],
    stderr: 'pipe',
    ...options,
  });
  transport.stderr.resume(); // nobody reads it here: keep it flowing
  const recorder = new WireRecorder();
  const wire = recordTransport(transport, recorder, 'client');
  const sent: string[] = [];
  const send = wire.send;
  wire.send = (m) => (sent.push((m as { method?: string }).method ?? 'response'), send(m));
  const client = new Client({ name: 'c', version: '1' }, clientOptions);
  await client.connect(wire);
  t.after(() => client.close());
  return { client, transport, recorder, sent };
}

/** The crash as the caller sees it: a closed connection whose message and cause carry the exit. */
function assertExit(e: unknown, line = /fatal: the fragile server fell over/) {
  assert.ok(e instanceof TsmcpError, String(e));
  assert.equal(e.code, 'TSMCP_CONNECTION_CLOSED');
  assert.match(e.message, /exited with code 3/);
  assert.match(e.message, line);
  const cause = e.cause as { exitCode?: unknown; stderrTail?: unknown } | undefined;
  assert.equal(cause?.exitCode, 3);
  assert.match(String(cause?.stderrTail), line);
  return true;
}

describe('stdio server crash', () => {
  it('pending calls and subscriptions get the exit code and the last stderr lines', async (t) => {
    const { client, recorder } = await open(t);
    const closes: unknown[] = [];
    await client.subscribe({ toolsListChanged: true }, () => {}, { onclose: (e) => closes.push(e) });
    await assert.rejects(client.callTool('test_crash'), (e) => assertExit(e));
    await until(() => closes.length === 1, 'the subscription to end');
    assertExit(closes[0]);
    await assert.rejects(client.callTool('test_pid'), (e) => assertExit(e)); // later calls say why too
    recorder.assertClean();
  });

  it('the stderr tail is bounded: at most 20 lines and 4 KiB by default', async (t) => {
    const { client } = await open(t);
    const error = await client.callTool('test_crash_noisy').then(
      () => undefined,
      (e: unknown) => e,
    );
    assertExit(error, /fatal: last words/);
    const tail = String(((error as Error).cause as { stderrTail: string }).stderrTail);
    assert.ok(tail.split('\n').length <= 20, `${tail.split('\n').length} lines`);
    assert.ok(Buffer.byteLength(tail) <= 4096, `${Buffer.byteLength(tail)} bytes`);
    assert.doesNotMatch(tail, /noise line 0 /);
  });

  it('modern, restart on: the next call works on a fresh server and the listen is re-established', async (t) => {
    const { client, transport, recorder } = await open(t, { restart: { maxRestarts: 2, backoff: { initialMs: 10 } } });
    assert.equal(client.era, 'modern');
    const events: string[] = [];
    const interrupts: unknown[] = [];
    let reconnects = 0;
    await client.subscribe({ toolsListChanged: true }, (m) => events.push(m), {
      oninterrupt: (e) => interrupts.push(e),
      onreconnect: () => reconnects++,
    });
    const before = text(await client.callTool('test_pid'));
    await assert.rejects(client.callTool('test_crash'), (e) => assertExit(e));
    const after = text(await client.callTool('test_pid'));
    assert.notEqual(after, before, 'a new server process answers');
    assert.equal(transport.restarts, 1);
    await until(() => reconnects === 1, 'the listen again');
    assert.equal(interrupts.length, 1);
    assertExit(interrupts[0]);
    await client.callTool('test_add_tool');
    await until(() => events.length === 1, 'a list_changed from the new server');
    recorder.assertClean();
  });

  it('legacy, restart on: re-initialized, resources/subscribe and the log level sent again', async (t) => {
    const { client, recorder, sent } = await open(
      t,
      { restart: { maxRestarts: 1, backoff: { initialMs: 10 } } },
      { version: '2025-11-25' },
    );
    const events: string[] = [];
    let reconnects = 0;
    await client.subscribe({ toolsListChanged: true, resourceSubscriptions: ['note://one'] }, (m) => events.push(m), {
      onreconnect: () => reconnects++,
    });
    await client.setLoggingLevel('error');
    await assert.rejects(client.callTool('test_crash'), (e) => assertExit(e));
    await client.callTool('test_add_tool');
    await until(() => events.length === 1, 'a list_changed from the new server');
    assert.equal(reconnects, 1);
    const count = (m: string) => sent.filter((s) => s === m).length;
    assert.deepEqual([count('initialize'), count('resources/subscribe'), count('logging/setLevel')], [2, 2, 2]);
    recorder.assertClean();
  });

  it('restarts stop at maxRestarts: then calls and subscriptions end with the exit', async (t) => {
    const { client, transport } = await open(t, { restart: { maxRestarts: 1, backoff: { initialMs: 10 } } });
    const closes: unknown[] = [];
    await client.subscribe({ toolsListChanged: true }, () => {}, { onclose: (e) => closes.push(e) });
    await assert.rejects(client.callTool('test_crash'), (e) => assertExit(e));
    await assert.rejects(client.callTool('test_crash'), (e) => assertExit(e));
    assert.equal(transport.restarts, 1);
    await assert.rejects(client.callTool('test_pid'), (e) => assertExit(e)); // later calls say why too
    await until(() => closes.length === 1, 'the subscription to end');
    assertExit(closes[0]);
  });
});
