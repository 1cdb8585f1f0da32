// The MCP Inspector's CLI (the official debugging tool) lists and calls tools on the tsmcp server,
// over Streamable HTTP and over stdio. The Inspector needs Node >= 22.19, so it is locked in tools/node22
// and runs under that Node (scripts/node22.mjs); the tsmcp servers it talks to run under this test's Node.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEverythingServer } from '../../examples/conformance/everything.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { distPath } from '../helpers/raw-stdio.js';
import { node22Tools } from '../helpers/repo.js';

const dir = mkdtempSync(join(tmpdir(), 'tsmcp-inspector-'));

function inspector(args: string[]): Promise<unknown> {
  const tools = node22Tools();
  const launcher = join(
    tools.dir,
    'node_modules',
    '@modelcontextprotocol',
    'inspector',
    'clients',
    'launcher',
    'build',
    'index.js',
  );
  return new Promise((resolve, reject) => {
    execFile(
      tools.node,
      [launcher, '--cli', ...args],
      { env: { ...process.env, MCP_CATALOG_PATH: join(dir, 'catalog.json') }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${err.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`not JSON: ${stdout.slice(0, 500)}\n${stderr.slice(0, 500)}`));
        }
      },
    );
  });
}

describe('MCP Inspector CLI → tsmcp server', () => {
  let http: HttpServer;
  let url: string;
  // The first run installs the tools (bounded by the helper), hence the hook's own generous limit.
  before(
    async () => {
      node22Tools(); // install once (cached outside the repository) before the timed-out calls
      http = createServer(createNodeHandler(createEverythingServer()));
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
    },
    { timeout: 1_600_000 },
  );
  after(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists and calls tools over Streamable HTTP', async () => {
    const list = (await inspector([url, '--method', 'tools/list'])) as { tools: { name: string }[] };
    assert.ok(list.tools.some((t) => t.name === 'test_simple_text'));
    const call = (await inspector([url, '--method', 'tools/call', '--tool-name', 'test_simple_text'])) as {
      content: { text: string }[];
    };
    assert.equal(call.content[0]!.text, 'This is a simple text response for testing.');
  });

  it('lists and calls tools over stdio', async () => {
    const target = [process.execPath, distPath('examples/conformance/server.js'), '--stdio'];
    const list = (await inspector([...target, '--method', 'tools/list'])) as { tools: { name: string }[] };
    assert.ok(list.tools.length > 10);
    const read = (await inspector([...target, '--method', 'resources/read', '--uri', 'test://static-text'])) as {
      contents: { text: string }[];
    };
    assert.equal(read.contents[0]!.text, 'This is the content of the static text resource.');
  });
});
