// Errors that say what to do, seen from both ends of a real stdio connection: the client's message and
// the server's stderr (tools that throw, output that breaks its outputSchema, ctx.log() without logging).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError } from '../../src/index.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';
import { distPath } from '../helpers/raw-stdio.js';

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

/** A client on the errors fixture, with the server's stderr collected into `stderr()`. */
async function open(t: { after(fn: () => unknown): void }, onerror?: 'false' | 'redirect') {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [distPath('test/fixtures/errors-server.js')],
    env: onerror ? { ERRORS_ONERROR: onerror } : {},
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(transport);
  t.after(() => client.close());
  const stderr = async (pattern: RegExp) => {
    for (let i = 0; i < 500 && !pattern.test(err); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(err, pattern, 'the server stderr never showed it');
    return err;
  };
  return { client, stderr };
}

describe('a tool that throws a plain Error', () => {
  it('the client gets a generic message; the server logs the real error with its stack to stderr', async (t) => {
    const { client, stderr } = await open(t);
    const r = await client.callTool('fails');
    assert.equal(r.isError, true);
    assert.equal(text(r), 'Tool fails failed with an internal error');
    assert.doesNotMatch(JSON.stringify(r), /quota/);
    const log = await stderr(/disk quota exceeded under \/srv\/data/);
    assert.match(log, /tools\/call/);
    assert.match(log, /\n\s+at .*errors-server\.js/, 'the stack is logged');
    assert.match(log, /onerror/, 'the log names the option that redirects or silences it');
  });

  it('onerror: a function gets the error instead of stderr', async (t) => {
    const { client, stderr } = await open(t, 'redirect');
    await client.callTool('fails');
    const log = await stderr(/redirected tools\/call: disk quota exceeded under \/srv\/data\n/);
    assert.doesNotMatch(log, /\n\s+at /);
  });

  it('onerror: false silences it', async (t) => {
    const { client, stderr } = await open(t, 'false');
    await client.callTool('fails');
    await client.callTool('logs'); // writes a warning after the failure: a marker that stderr has caught up
    const log = await stderr(/TSMCP_LOGGING_NOT_DECLARED/);
    assert.doesNotMatch(log, /quota/);
  });

  it('a ToolError passes its message through', async (t) => {
    const { client } = await open(t);
    const r = await client.callTool('refuses');
    assert.equal(r.isError, true);
    assert.equal(text(r), 'The quota is full: free some space and call again');
  });
});

describe('output that does not match outputSchema', () => {
  const says = (message: string, path: RegExp) => {
    assert.match(message, /output/);
    assert.doesNotMatch(message, /Invalid arguments/);
    assert.match(message, path);
    assert.match(message, /number/i, 'names the expected type');
  };

  for (const [tool, path] of [
    ['bad_output_json', /\bcount\b/],
    ['bad_output_zod', /stats\.count/],
  ] as const) {
    it(`${tool}: -32603 to the client, naming the output field and its type`, async (t) => {
      const { client } = await open(t);
      const error = await client.callTool(tool).then(
        () => assert.fail('the call succeeded'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof McpError, String(error));
      assert.equal(error.code, -32603);
      says(error.message, path);
    });

    it(`${tool}: onerror hears the same, not "Invalid arguments"`, async (t) => {
      const { client, stderr } = await open(t, 'redirect');
      await assert.rejects(client.callTool(tool));
      const line = (await stderr(/redirected tools\/call: .*\n/)).split('\n').find((l) => l.startsWith('redirected'))!;
      says(line, path);
    });
  }
});

describe('ctx.log() on a server without the logging capability', () => {
  it('warns once, naming the option, instead of dropping the message silently', async (t) => {
    const { client, stderr } = await open(t);
    assert.equal(text(await client.callTool('logs')), 'logged');
    await client.callTool('logs');
    await client.callTool('fails'); // logged after: a marker that stderr has caught up
    const log = await stderr(/disk quota exceeded/);
    assert.equal(log.match(/TSMCP_LOGGING_NOT_DECLARED/g)?.length, 1, log);
    assert.match(log, /capabilities: \{ logging: \{\} \}/);
  });
});
