// After: a fastmcp server (addTool with `parameters` and `execute`, `reportProgress`, `log`, a thrown
// UserError) rewritten on tsmcp, served over Streamable HTTP and called by the tsmcp client.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'tsmcp/client';
import { StreamableHttpClientTransport } from 'tsmcp/http';
import { createNodeHandler } from 'tsmcp/node';
import { McpServer, ToolError } from 'tsmcp/server';
import * as z from 'zod';

const server = new McpServer({ name: 'downloads', version: '1.0.0' }, { capabilities: { logging: {} } });
server.registerTool(
  'download',
  { description: 'Downloads a file', inputSchema: z.object({ url: z.string() }) },
  async ({ url }, ctx) => {
    if (!url.startsWith('https://')) throw new ToolError('Only https URLs'); // fastmcp: throw new UserError(…)
    await ctx.log('info', `Downloading ${url}`); // fastmcp: log.info(…)
    for (let done = 0; done <= 100; done += 50) await ctx.progress(done, 100); // fastmcp: reportProgress({ progress, total })
    return { content: [{ type: 'text', text: `Downloaded ${url}` }] }; // fastmcp: return a string
  },
);

const http = createServer(createNodeHandler(server)); // fastmcp: server.start({ transportType: 'httpStream' })
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

const client = new Client({ name: 'app', version: '1.0.0' }, { onlog: (m) => console.log('log:', m.data) });
await client.connect(new StreamableHttpClientTransport(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`));
const progress: number[] = [];
const ok = await client.callTool(
  'download',
  { url: 'https://example.com/a.zip' },
  { onprogress: (p) => progress.push(p.progress), logLevel: 'info' }, // log messages at info and above
);
console.log((ok.content[0] as { text: string }).text, progress); // Downloaded https://example.com/a.zip [ 0, 50, 100 ]
const refused = await client.callTool('download', { url: 'ftp://example.com/a.zip' });
console.log(refused.isError, (refused.content[0] as { text: string }).text); // true Only https URLs
await client.close();
http.close();
