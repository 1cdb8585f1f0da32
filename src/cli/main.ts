#!/usr/bin/env node
// The `tsmcp` command (package.json "bin"): parse, run one command, exit 0 ok, 1 failed, 2 usage, 130 Ctrl-C.
import { McpError, TsmcpError } from '../protocol/errors.js';
import { USAGE, UsageError, parseArgs, type Parsed } from './args.js';
import { runClient } from './commands.js';
import { login } from './login.js';
import { serve } from './serve.js';

function explain(e: unknown): string {
  if (e instanceof McpError) return `The server answered with error ${e.code}: ${e.message}`;
  if (e instanceof TsmcpError) {
    const cause = e.cause instanceof Error && !e.message.includes(e.cause.message) ? ` (${e.cause.message})` : '';
    return `${e.code}: ${e.message}${cause}`;
  }
  return e instanceof Error ? e.message : String(e);
}

async function run(argv: string[]): Promise<number> {
  let p: Parsed;
  try {
    p = parseArgs(argv);
    if (p.command === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    return await (p.command === 'serve' ? serve(p) : p.command === 'login' ? login(p) : runClient(p));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tsmcp: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`tsmcp: ${explain(e)}\n`);
    return 1;
  }
}

const code = await run(process.argv.slice(2));
process.exitCode = code;
// Whatever still holds the event loop (a keep-alive socket, a stuck child) must not keep the CLI alive.
setTimeout(() => process.exit(code), 3000).unref();
