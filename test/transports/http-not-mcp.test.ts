// An HTTP URL that is not an MCP endpoint, or where nothing listens: the error names the URL, the status
// and content type that came back (or the refused connection), so the fix is obvious.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import { TsmcpError } from '../../src/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';

const connectError = async (url: string) => {
  const client = new Client({ name: 'c', version: '1' });
  try {
    await client.connect(new StreamableHttpClientTransport(url));
  } catch (e) {
    return e;
  } finally {
    await client.close();
  }
  assert.fail('connect() succeeded');
};

describe('an HTTP URL that is not an MCP endpoint', () => {
  let web: Server;
  let base: string;
  before(async () => {
    // A web page where the MCP endpoint was expected (wrong path, or a site's front page).
    web = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Welcome</title>');
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => web.close(() => r())));

  it('names the status, the content type it got and the URL', async () => {
    const url = `${base}/`;
    const e = await connectError(url);
    assert.ok(e instanceof TsmcpError, String(e));
    assert.equal(e.code, 'TSMCP_HTTP');
    assert.match(e.message, /HTTP 200/);
    assert.ok(
      e.message.includes(`expected application/json or text/event-stream, got text/html from ${url}`),
      e.message,
    );
  });

  it('a refused connection names ECONNREFUSED and the URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/mcp`;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await connectError(url);
    assert.ok(e instanceof TsmcpError, String(e));
    assert.equal(e.code, 'TSMCP_HTTP');
    assert.match(e.message, /ECONNREFUSED/);
    assert.ok(e.message.includes(url), e.message);
  });
});
