// The smoke suite every process runtime (Node, Bun, Deno) gets: the web handler and the node handler over
// HTTP on 127.0.0.1, and a stdio server, each driven by the tsmcp client in this test's Node, both eras.
import { after, before, describe, it } from 'node:test';
import { StreamableHttpClientTransport } from '../../src/transports/http/client.js';
import { StdioClientTransport } from '../../src/transports/stdio/index.js';
import {
  ERAS,
  fixture,
  runtimeEnv,
  runtimePattern,
  runtimes,
  scriptArgs,
  smoke,
  spawnUntil,
  type Child,
  type RuntimeName,
} from './matrix.js';

export function processRuntimeSuite(names: RuntimeName[]): void {
  for (const rt of runtimes(names)) {
    describe(`${rt.name} (${rt.version})`, () => {
      for (const front of ['web', 'node'] as const) {
        describe(`${front} handler over HTTP`, () => {
          let server: Child | undefined;
          let url = '';
          before(async () => {
            const started = await spawnUntil(
              `${rt.name} http-server ${front}`,
              rt.bin,
              scriptArgs(rt, fixture('http-server.js'), front),
              runtimeEnv(rt),
              /^listening (\S+)$/m,
            );
            server = started.server;
            url = started.match[1]!;
          });
          after(() => server?.stop());
          for (const era of ERAS)
            it(`${era.era} era`, () =>
              smoke(
                () => new StreamableHttpClientTransport(url),
                { runtime: runtimePattern(rt), era },
                () => (server ? server.output() : ''),
              ));
        });
      }
      describe('stdio server', () => {
        for (const era of ERAS) {
          let stderr = '';
          it(`${era.era} era`, () =>
            smoke(
              () => {
                const t = new StdioClientTransport({
                  command: rt.bin,
                  args: scriptArgs(rt, fixture('stdio-server.js')),
                  env: runtimeEnv(rt),
                  stderr: 'pipe',
                });
                t.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-3000)));
                return t;
              },
              { runtime: runtimePattern(rt), era },
              () => stderr,
            ));
        }
      });
    });
  }
}
