// Regression (issue 7, item 3): a resources/read of a long adversarial URI against a
// `{schema}.{table}.{column}` template froze the server (cubic regex). Over Streamable HTTP, the server
// answers and the matcher's step count stays linear in the URI length (6 steps per character and
// template part; this template has 6 parts).
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { McpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createNodeHandler } from '../../src/transports/http/node.js';
import { matchSteps } from '../../src/uri-template/match.js';

describe('resources/read against an ambiguous template, over HTTP', () => {
  let http: HttpServer;
  let client: Client;
  before(async () => {
    const s = new McpServer({ name: 'db', version: '1' });
    s.registerResourceTemplate('column', 'db://{schema}.{table}.{column}', {}, (uri, v) => [
      { uri, text: `${String(v.schema)}|${String(v.table)}|${String(v.column)}` },
    ]);
    http = createServer(createNodeHandler(s));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    client = new Client({ name: 'c', version: '1' });
    await client.connect(
      new StreamableHttpClientTransport(`http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`),
    );
  });
  after(async () => {
    await client.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('answers a long adversarial URI (not found) with linear work, and still reads good URIs', async () => {
    for (const body of ['.', 'a.', '.a']) {
      const uri = `db://${body.repeat(Math.floor(8000 / body.length))}/`;
      const before = matchSteps.count;
      await assert.rejects(client.readResource(uri), (e: unknown) => e instanceof McpError && e.code === -32602);
      const steps = matchSteps.count - before;
      assert.ok(steps <= 36 * uri.length, `${steps} steps for ${uri.length} characters`);
    }
    const long = `db://${'s.'.repeat(3000)}t.c`;
    const before = matchSteps.count;
    const r = await client.readResource(long);
    assert.ok(matchSteps.count - before <= 36 * long.length);
    // Greedy from the left: schema takes every dot it can, table and column the last two pieces.
    assert.ok((r.contents[0] as { text: string }).text === `${'s.'.repeat(2999)}s|t|c`);
  });
});
