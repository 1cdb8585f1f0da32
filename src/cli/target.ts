// Which server a command talks to: an http(s) URL (Streamable HTTP, with --header and the stored OAuth
// tokens of `tsmcp login`) or the command after `--` (spawned, spoken to over its stdio).
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { oauthClient } from '../auth/client/index.js';
import { FileTokenStore, loopbackLogin } from '../auth/node/index.js';
import type { Transport } from '../protocol/transport.js';
import { StreamableHttpClientTransport } from '../transports/http/index.js';
import { StdioClientTransport } from '../transports/stdio/index.js';
import { UsageError, type Parsed } from './args.js';

export type Target = { kind: 'http'; url: URL } | { kind: 'stdio'; command: string; args: string[] };

/** Split the server off the positionals: the command after `--`, else the first http(s) URL. */
export function takeTarget(p: Parsed): { target: Target; rest: string[] } {
  if (p.stdio) {
    const [command, ...args] = p.stdio;
    return { target: { kind: 'stdio', command: command!, args }, rest: p.positionals };
  }
  const i = p.positionals.findIndex((a) => /^https?:\/\//i.test(a));
  if (i < 0)
    throw new UsageError(
      `${p.command} needs a server: an http(s) URL, or "-- <command> [args…]" at the end to spawn a stdio server`,
    );
  let url: URL;
  try {
    url = new URL(p.positionals[i]!);
  } catch {
    throw new UsageError(`"${p.positionals[i]}" is not a valid URL`);
  }
  return { target: { kind: 'http', url }, rest: p.positionals.filter((_, j) => j !== i) };
}

/** Where `tsmcp login` keeps tokens: --tokens, else $TSMCP_TOKENS, else ~/.config/tsmcp/tokens.json. */
export function tokenFile(p: Parsed): string {
  return p.tokens ?? process.env.TSMCP_TOKENS ?? join(homedir(), '.config', 'tsmcp', 'tokens.json');
}

/**
 * The transport for a target. Over HTTP, OAuth is used when `login` asks for it or a token file exists
 * (from an earlier `tsmcp login`): its tokens are sent, refreshed, and a new login is started when needed.
 */
export function transportFor(target: Target, p: Parsed, opts: { login?: boolean } = {}): Transport {
  if (target.kind === 'stdio')
    // The server's stderr is the user's to see (its own logs, a crash); `pipe` would hide it.
    return new StdioClientTransport({ command: target.command, args: target.args, stderr: 'inherit' });
  const file = tokenFile(p);
  const useAuth = opts.login || existsSync(file);
  if (opts.login) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const auth = useAuth
    ? oauthClient({
        serverUrl: target.url,
        store: new FileTokenStore(file),
        clientMetadata: { client_name: 'tsmcp CLI' },
        ...(p.clientId ? { clientInformation: { client_id: p.clientId, token_endpoint_auth_method: 'none' } } : {}),
        ...loopbackLogin({
          open: (u) => void process.stderr.write(`Open this URL in your browser to log in:\n${u.href}\n`),
        }),
      })
    : undefined;
  return new StreamableHttpClientTransport(target.url, { headers: p.headers, ...(auth ? { auth } : {}) });
}

/** How the target is named in messages. */
export function describeTarget(t: Target): string {
  return t.kind === 'http' ? t.url.href : [t.command, ...t.args].join(' ');
}
