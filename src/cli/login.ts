// `tsmcp login <url>`: the OAuth login of tsmcp/auth/node (loopback browser redirect, code + PKCE) with
// the tokens kept in a FileTokenStore; later commands on that URL send them (see target.ts).
import { Client } from '../entries/client.js';
import { UsageError, type Parsed } from './args.js';
import { takeTarget, tokenFile, transportFor } from './target.js';

/** Log in by connecting once with OAuth on: a 401 starts the browser login; resolves with the exit code. */
export async function login(p: Parsed): Promise<number> {
  const { target, rest } = takeTarget(p);
  if (target.kind !== 'http' || rest.length) throw new UsageError('login needs one http(s) URL: tsmcp login <url>');
  const client = new Client({ name: 'tsmcp-cli', version: '0.1.0' }, { version: p.version as 'auto' });
  try {
    await client.connect(transportFor(target, p, { login: true }));
    // A server may accept the handshake without a token and ask for one on the first real request.
    await client.ping();
  } finally {
    await client.close().catch(() => {});
  }
  process.stderr.write(`Logged in to ${target.url.href}; tokens are kept in ${tokenFile(p)}\n`);
  return 0;
}
