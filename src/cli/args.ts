// Command-line parsing for the tsmcp CLI: flags, positionals, and the stdio server after `--`.
// Anything wrong here is a UsageError: the CLI prints it with the usage text and exits with code 2.
import { SUPPORTED_PROTOCOL_VERSIONS, isSupportedVersion } from '../protocol/versions.js';

export const COMMANDS = ['list', 'call', 'read', 'prompt', 'complete', 'discover', 'serve', 'login', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

/** A mistake in how the CLI was invoked (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Parsed {
  command: Command;
  /** Positionals after the command, before `--`. */
  positionals: string[];
  /** The server command after `--` (stdio), if any. */
  stdio: string[] | undefined;
  headers: Record<string, string>;
  version: string;
  json: boolean;
  /** Per-request timeout in ms. */
  timeoutMs: number | undefined;
  /** `serve --http <port>`. */
  http: number | undefined;
  logLevel: string;
  /** Token file for `login` and for HTTP servers. */
  tokens: string | undefined;
  /** A client id registered at the authorization server (public client), instead of dynamic registration. */
  clientId: string | undefined;
}

const VALUE_FLAGS = new Set([
  '--header',
  '-H',
  '--version',
  '--timeout',
  '--http',
  '--log-level',
  '--tokens',
  '--client-id',
]);
const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** `30s`, `500ms`, `2m` or a bare number of seconds, in ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--timeout expects a duration such as 30s, 500ms or 2m; got "${text}"`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

function parseHeader(text: string): [string, string] {
  const i = text.indexOf(':');
  const name = i > 0 ? text.slice(0, i).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
    throw new UsageError(`--header expects "Name: value"; got "${text}"`);
  return [name, text.slice(i + 1).trim()];
}

/** Parse `argv` (without node and the script). */
export function parseArgs(argv: readonly string[]): Parsed {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const stdio = dash < 0 ? undefined : argv.slice(dash + 1);
  if (stdio && stdio.length === 0) throw new UsageError('"--" must be followed by the server command to run');
  const out: Parsed = {
    command: 'help',
    positionals: [],
    stdio,
    headers: {},
    version: 'auto',
    json: false,
    timeoutMs: undefined,
    http: undefined,
    logLevel: 'info',
    tokens: undefined,
    clientId: undefined,
  };
  const words: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const arg = own[i]!;
    if (arg === '--json') out.json = true;
    else if (arg === '--help' || arg === '-h') return { ...out, command: 'help' };
    else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      const eq = arg.indexOf('=');
      const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
      if (!VALUE_FLAGS.has(flag)) throw new UsageError(`unknown option ${flag}`);
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : own[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      if (flag === '--header' || flag === '-H') {
        const [k, v] = parseHeader(value);
        out.headers[k] = v;
      } else if (flag === '--version') out.version = value;
      else if (flag === '--timeout') out.timeoutMs = parseDuration(value);
      else if (flag === '--tokens') out.tokens = value;
      else if (flag === '--client-id') out.clientId = value;
      else if (flag === '--log-level') {
        if (!LOG_LEVELS.includes(value))
          throw new UsageError(`--log-level expects one of ${LOG_LEVELS.join(', ')}; got "${value}"`);
        out.logLevel = value;
      } else {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--http expects a port number (0 picks a free one); got "${value}"`);
        out.http = port;
      }
    } else words.push(arg);
  }
  const [command, ...positionals] = words;
  if (command === undefined) {
    if (stdio) throw new UsageError('a command comes first: tsmcp <command> … -- <server command>');
    return out;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command "${command}"`);
  out.command = command as Command;
  out.positionals = positionals;
  if (out.version !== 'auto' && out.version !== 'legacy' && !isSupportedVersion(out.version))
    throw new UsageError(
      `--version expects auto, legacy or one of ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}; got "${out.version}"`,
    );
  return out;
}

export const USAGE = `Usage: tsmcp <command> [options] <server>

<server> is an MCP endpoint URL (http://127.0.0.1:3000/mcp), or, at the very end,
"-- <command> [args…]" to spawn a stdio server: tsmcp list -- node server.js

Commands:
  list [tools|resources|templates|prompts] <server>   what the server offers (default: all)
  call <server> <tool> [json | key=value…]            call a tool
  read <server> <uri>                                 read a resource
  prompt <server> <name> [json | key=value…]          get a prompt
  complete <server> <ref> <argument> [value] [key=value…]
                                                      completions; <ref> is prompt:<name> or a
                                                      resource template (resource:<uriTemplate>)
  discover <server>                                   era, protocol version, server info, capabilities
  serve <file.js|ts> [--http <port>]                  serve a module that exports an McpServer
                                                      (stdio, or 127.0.0.1:<port>/mcp)
  login <url>                                         OAuth login in the browser; tokens kept for later

Options:
  -H, --header 'Name: value'   extra HTTP header (repeatable)
  --version auto|legacy|<rev>  protocol version (default auto: the client detects the era)
  --json                       machine-readable output on stdout only
  --timeout <30s|500ms|2m>     per-request timeout (progress resets it)
  --log-level <level>          server log messages at or above it go to stderr (default info)
  --tokens <file>              token file for login and HTTP servers
                               (default $TSMCP_TOKENS or ~/.config/tsmcp/tokens.json)
  --client-id <id>             OAuth client id registered at the authorization server
                               (default: dynamic registration)
  -h, --help                   this text

Exit codes: 0 ok, 1 failed (or the tool returned isError), 2 usage, 130 interrupted.
`;
