// `tsmcp serve <module>`: import a module that exports an McpServer (default export or `server`) and
// serve it on stdio, or with --http on 127.0.0.1 (loopback Host/Origin defaults), for manual testing.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Transport } from '../protocol/transport.js';
import type { ServerLike } from '../transports/http/index.js';
import { createNodeHandler } from '../transports/http/node.js';
import { StdioServerTransport } from '../transports/stdio/index.js';
import { UsageError, type Parsed } from './args.js';

/** What serve needs of the export: an McpServer (or a low-level Server) with `connect()`. */
type Servable = ServerLike & { connect(t: Transport): Promise<{ onclose?: (() => void) | undefined }> };

const isServable = (v: unknown): v is Servable =>
  typeof v === 'object' && v !== null && typeof (v as { connect?: unknown }).connect === 'function';

async function load(file: string): Promise<Servable> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`serve: no such file ${path}`);
  let mod: { default?: unknown; server?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as typeof mod;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && ['.ts', '.mts', '.cts'].includes(extname(path)))
      throw new Error(
        `serve: this Node (${process.version}) cannot load TypeScript (${file}). Compile it to .js and serve ` +
          'that, or run tsmcp on a Node that strips types: Node >= 23.6 does by default, Node >= 22.6 with ' +
          '--experimental-strip-types (node --experimental-strip-types <path of tsmcp> serve …).',
      );
    throw e;
  }
  const candidate = mod.default ?? mod.server;
  if (!isServable(candidate))
    throw new Error(
      `serve: ${file} must export an McpServer as its default export or as "server"; ` +
        `it exports ${Object.keys(mod).join(', ') || 'nothing'}${mod.default !== undefined ? ` (default: ${typeof mod.default})` : ''}`,
    );
  return candidate;
}

/** Serve until stdin closes (stdio) or SIGINT/SIGTERM (HTTP); resolves with the exit code. */
export async function serve(p: Parsed): Promise<number> {
  const [file, extra] = p.positionals;
  if (!file || extra || p.stdio)
    throw new UsageError('serve needs one module: tsmcp serve <file.js|ts> [--http <port>]');
  const server = await load(file);
  if (p.http === undefined) {
    const conn = await server.connect(new StdioServerTransport());
    return new Promise((done) => {
      conn.onclose = () => done(0);
    });
  }
  const mcp = createNodeHandler(server);
  const http = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname === '/mcp') return mcp(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the MCP endpoint is /mcp\n');
  });
  await new Promise<void>((ok, fail) => {
    http.once('error', (e) =>
      fail(new Error(`serve: cannot listen on 127.0.0.1:${p.http} (${(e as { code?: string }).code ?? e.message})`)),
    );
    http.listen(p.http, '127.0.0.1', ok);
  });
  const port = (http.address() as { port: number }).port;
  process.stderr.write(`Serving ${file} on http://127.0.0.1:${port}/mcp (Ctrl-C stops)\n`);
  return new Promise((done) => {
    const stop = () => {
      mcp.core.close();
      http.close(() => done(0));
      http.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
