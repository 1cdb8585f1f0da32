// The public surface is exactly what package.json exports: entry points load, internals do not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

describe('package exports', () => {
  it('loads every entry point by its public name', async () => {
    const root = await import('tsmcp');
    assert.equal(root.LATEST_PROTOCOL_VERSION, '2026-07-28');
    assert.equal(typeof root.McpError, 'function');
    const server = await import('tsmcp/server');
    for (const name of ['McpServer', 'Server', 'ToolError', 'ServerConnection', 'InMemoryEventBus'])
      assert.equal(typeof (server as Record<string, unknown>)[name], 'function', name);
    const client = await import('tsmcp/client');
    assert.equal(typeof client.Client, 'function');
    const stdio = await import('tsmcp/stdio');
    assert.equal(typeof stdio.StdioClientTransport, 'function');
    assert.equal(typeof stdio.StdioServerTransport, 'function');
    const memory = await import('tsmcp/memory');
    assert.equal(typeof memory.createLinkedPair, 'function');
    const http = await import('tsmcp/http');
    assert.equal(typeof http.createWebHandler, 'function');
    assert.equal(typeof http.StreamableHttpClientTransport, 'function');
    assert.equal(typeof (await import('tsmcp/node')).createNodeHandler, 'function');
    assert.equal(typeof (await import('tsmcp/express')).mcpExpress, 'function');
    assert.equal(typeof (await import('tsmcp/hono')).mcpHono, 'function');
    assert.equal(typeof (await import('tsmcp/fastify')).mcpFastify, 'function');
    assert.equal(typeof (await import('tsmcp/middleware')).requestLogger, 'function');
    const otel = await import('tsmcp/otel');
    assert.equal(typeof otel.serverTelemetry, 'function');
    assert.equal(typeof otel.clientTelemetry, 'function');
    assert.equal(typeof client.composeFetch, 'function');
    assert.equal(typeof http.composeFetch, 'function');
    assert.equal(typeof (await import('tsmcp/express')).createExpressHandler, 'function');
    assert.equal(typeof (await import('tsmcp/hono')).createHonoHandler, 'function');
    assert.equal(typeof (await import('tsmcp/fastify')).createFastifyHandler, 'function');
    const auth = await import('tsmcp/auth');
    for (const name of [
      'protectedResource',
      'jwtVerifier',
      'introspectionVerifier',
      'requireScopes',
      'metadataNodeHandler',
      'metadataWebHandler',
      'AuthRefusal',
      'oauthClient',
      'OAuthClient',
      'MemoryTokenStore',
      'parseWwwAuthenticate',
      'discoverProtectedResource',
      'discoverAuthorizationServer',
      'AuthError',
      'idJagAssertion',
    ])
      assert.equal(typeof (auth as Record<string, unknown>)[name], 'function', name);
    const testing = await import('tsmcp/testing');
    for (const name of ['connectInMemory', 'Wire', 'WireViolationError'])
      assert.equal(typeof (testing as Record<string, unknown>)[name], 'function', name);
    const authNode = await import('tsmcp/auth/node');
    for (const name of ['loopbackLogin', 'FileTokenStore', 'AuthCallbackError'])
      assert.equal(typeof (authNode as Record<string, unknown>)[name], 'function', name);
  });

  it('warns about nothing on import, deprecated entry points included', async () => {
    const warnings: Error[] = [];
    const on = (w: Error) => warnings.push(w);
    process.on('warning', on);
    const sse = await import('tsmcp/sse');
    assert.equal(typeof sse.createSseHandler, 'function');
    await new Promise((r) => setImmediate(r));
    process.off('warning', on);
    assert.deepEqual(
      warnings.map((w) => w.message),
      [],
    );
  });

  it('keeps internals private', async () => {
    for (const p of ['tsmcp/dist/src/engine/peer.js', 'tsmcp/engine', 'tsmcp/src/server/server.js']) {
      await assert.rejects(
        import(p),
        (e: unknown) => (e as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED',
        p,
      );
    }
  });

  it('keeps the package roots free of Node-only imports', async () => {
    const { readFileSync, readdirSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const src = fileURLToPath(new URL('../src/', import.meta.url));
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) {
          // the Node-only entries, and the CLI (package.json "bin", never imported through `exports`)
          if (f !== 'stdio' && p !== join(src, 'auth', 'node') && p !== join(src, 'cli')) walk(p);
        } else if (f.endsWith('.js') && /from ['"]node:/.test(readFileSync(p, 'utf8')))
          offenders.push(p.slice(src.length));
      }
    };
    walk(src);
    assert.deepEqual(offenders, []);
  });
});
