// The client commands (list, call, read, prompt, complete, discover): connect with the public Client,
// run one command, print it. Ctrl-C cancels the request on the server and stops a spawned server (exit 130).
import { Client } from '../entries/client.js';
import type { JsonObject } from '../protocol/jsonrpc.js';
import type { CompleteParams, LoggingLevel, LogMessageParams, Tool } from '../protocol/types.js';
import type { ProtocolVersion } from '../protocol/versions.js';
import { UsageError, type Parsed } from './args.js';
import { NoTerminalError, terminalElicitation } from './elicit.js';
import * as fmt from './output.js';
import { progressBar } from './progress.js';
import { takeTarget, transportFor } from './target.js';

const VERSION = '0.1.0';
/** How long Ctrl-C waits for the cancellation to go out and a spawned server to stop. */
const STOP_MS = 5000;

/** `{…}` as JSON, or key=value pairs (a value is JSON when it parses, unless the schema says string). */
export function parseArguments(words: string[], what: string, schema?: JsonObject): JsonObject {
  if (words.length === 1 && words[0]!.trimStart().startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(words[0]!);
    } catch (e) {
      throw new UsageError(`${what} are not valid JSON (${(e as Error).message}): ${words[0]}`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${what} must be a JSON object`);
    return v as JsonObject;
  }
  const props = (schema?.properties ?? {}) as { [k: string]: { type?: unknown } };
  const out: JsonObject = {};
  for (const w of words) {
    const i = w.indexOf('=');
    if (i <= 0) throw new UsageError(`${what}: expected a JSON object or key=value pairs; got "${w}"`);
    const [key, text] = [w.slice(0, i), w.slice(i + 1)];
    if (props[key]?.type === 'string' || schema === undefined) out[key] = text;
    else {
      try {
        out[key] = JSON.parse(text);
      } catch {
        out[key] = text;
      }
    }
  }
  return out;
}

function logLine(p: LogMessageParams): string {
  const data = typeof p.data === 'string' ? p.data : JSON.stringify(p.data);
  return `[${p.level}]${p.logger ? ` ${p.logger}:` : ''} ${data}\n`;
}

/** Run a client command; resolves with the exit code. */
export async function runClient(p: Parsed): Promise<number> {
  const { target, rest } = takeTarget(p);
  const command = prepare(p.command, rest); // usage errors before anything is spawned or sent
  const out = fmt.stdout(p.json);
  const bar = progressBar();
  const controller = new AbortController();
  let failure: Error | undefined;
  let interrupted = false;
  const elicit = terminalElicitation(bar.clear, () => void process.emit('SIGINT'));
  const client = new Client(
    { name: 'tsmcp-cli', version: VERSION },
    {
      version: p.version as 'auto' | 'legacy' | ProtocolVersion,
      capabilities: { elicitation: { form: {}, url: {} } },
      handlers: {
        elicitation: async (params) => {
          try {
            return await elicit.handler(params);
          } catch (e) {
            // Stop the call at once: the server would otherwise wait for an answer nobody gives.
            failure = e as Error;
            controller.abort(failure);
            throw e;
          }
        },
      },
      ...(p.timeoutMs ? { requestTimeoutMs: p.timeoutMs } : {}),
      onlog: (m) => {
        bar.clear();
        process.stderr.write(logLine(m));
      },
    },
  );
  const stop = new Promise<number>((resolve) => {
    process.once('SIGINT', () => {
      interrupted = true;
      process.once('SIGINT', () => process.exit(130)); // a second Ctrl-C does not wait
      bar.clear();
      process.stderr.write('Interrupted: cancelling the request\n');
      controller.abort(new Error('interrupted (Ctrl-C)'));
      const closing = client.close().catch(() => {});
      const timer = setTimeout(() => resolve(130), STOP_MS);
      void closing.then(() => {
        clearTimeout(timer);
        resolve(130);
      });
    });
  });
  const opts = {
    signal: controller.signal,
    ...(p.timeoutMs ? { timeoutMs: p.timeoutMs } : {}),
  };
  const work = async (): Promise<number> => {
    await client.connect(transportFor(target, p));
    const logLevel = p.logLevel as LoggingLevel;
    if (client.era === 'legacy' && client.serverCapabilities.logging)
      await client.setLoggingLevel(logLevel, opts).catch(() => {}); // a server may refuse: logs are extra
    const call = { ...opts, logLevel, onprogress: bar.update };
    switch (command.kind) {
      case 'discover': {
        const d = fmt.discovery(client);
        out.write(p.json ? `${JSON.stringify(d, null, 2)}\n` : fmt.formatDiscovery(d));
        return 0;
      }
      case 'list':
        return list(client, out, command.what, opts);
      case 'call': {
        // key=value: a value is JSON (a number, true…) unless the tool's schema says the field is a string.
        let args = command.args;
        if (command.words) {
          const tool = (await client.listAllTools(opts)).find((t: Tool) => t.name === command.name);
          args = parseArguments(command.words, 'tool arguments', tool?.inputSchema ?? {});
        }
        const r = await client.callTool(command.name, args, call);
        bar.clear();
        fmt.print(out, client, r, fmt.formatCall(r));
        return r.isError ? 1 : 0;
      }
      case 'read': {
        const r = await client.readResource(command.uri, call);
        fmt.print(out, client, r, fmt.formatRead(r));
        return 0;
      }
      case 'prompt': {
        const r = await client.getPrompt(command.name, command.args, call);
        fmt.print(out, client, r, fmt.formatPrompt(r));
        return 0;
      }
      case 'complete': {
        const r = await client.complete(command.params, call);
        fmt.print(out, client, r, fmt.formatCompletion(r));
        return 0;
      }
    }
  };
  try {
    return await Promise.race([work(), stop]);
  } catch (e) {
    if (interrupted) return stop;
    throw failure instanceof NoTerminalError ? failure : e;
  } finally {
    bar.clear();
    elicit.close();
    if (!interrupted) await client.close().catch(() => {});
  }
}

type Prepared =
  | { kind: 'discover' }
  | { kind: 'list'; what: ListKind | undefined }
  | { kind: 'call'; name: string; args: JsonObject; words: string[] | undefined }
  | { kind: 'read'; uri: string }
  | { kind: 'prompt'; name: string; args: { [k: string]: string } }
  | { kind: 'complete'; params: CompleteParams };

/** Check a command's own arguments (UsageError) before connecting. */
function prepare(command: Parsed['command'], rest: string[]): Prepared {
  switch (command) {
    case 'discover':
      if (rest.length) throw new UsageError(`discover takes only a server; got "${rest.join(' ')}"`);
      return { kind: 'discover' };
    case 'list': {
      if (rest.length > 1) throw new UsageError(`list takes at most one kind (${Object.keys(KINDS).join(', ')})`);
      const what = rest[0];
      if (what !== undefined && !(what in KINDS))
        throw new UsageError(`list: unknown kind "${what}"; expected one of ${Object.keys(KINDS).join(', ')}`);
      return { kind: 'list', what: what as ListKind | undefined };
    }
    case 'call': {
      const [name, ...words] = rest;
      if (!name) throw new UsageError('call needs a tool name: tsmcp call <server> <tool> [json | key=value…]');
      const json = words.length === 1 && words[0]!.trimStart().startsWith('{');
      // Checked now; key=value pairs are typed again by the tool's schema once connected.
      const args = parseArguments(words, 'tool arguments', json ? undefined : {});
      return { kind: 'call', name, args, words: json || !words.length ? undefined : words };
    }
    case 'read': {
      const [uri, extra] = rest;
      if (!uri || extra) throw new UsageError('read needs one resource URI: tsmcp read <server> <uri>');
      return { kind: 'read', uri };
    }
    case 'prompt': {
      const [name, ...words] = rest;
      if (!name) throw new UsageError('prompt needs a prompt name: tsmcp prompt <server> <name> [json | key=value…]');
      const args = parseArguments(words, 'prompt arguments');
      for (const [k, v] of Object.entries(args))
        if (typeof v !== 'string') throw new UsageError(`prompt arguments are strings; "${k}" is ${JSON.stringify(v)}`);
      return { kind: 'prompt', name, args: args as { [k: string]: string } };
    }
    case 'complete':
      return { kind: 'complete', params: completeParams(rest) };
    default:
      throw new UsageError(`${command} is not a client command`);
  }
}

function completeParams(rest: string[]): CompleteParams {
  const [ref, argument, value = '', ...context] = rest;
  const usage =
    'complete needs a reference and an argument: tsmcp complete <server> prompt:<name>|resource:<uriTemplate> <argument> [value] [key=value…]';
  if (!ref || !argument) throw new UsageError(usage);
  const m = /^(prompt|resource):(.+)$/.exec(ref);
  if (!m) throw new UsageError(`${usage}\ngot reference "${ref}"`);
  const args = context.length ? parseArguments(context, 'context arguments') : undefined;
  return {
    ref: m[1] === 'prompt' ? { type: 'ref/prompt', name: m[2]! } : { type: 'ref/resource', uri: m[2]! },
    argument: { name: argument, value },
    ...(args ? { context: { arguments: args as { [k: string]: string } } } : {}),
  };
}

const KINDS = { tools: 'tools', resources: 'resources', templates: 'resourceTemplates', prompts: 'prompts' } as const;

type ListKind = keyof typeof KINDS;

async function list(client: Client, out: fmt.Out, kind: ListKind | undefined, opts: { signal: AbortSignal }) {
  const want = (k: ListKind) => kind === undefined || kind === k;
  const caps = client.serverCapabilities;
  // With no kind, ask only for what the server declares (asking a server for what it lacks is an error).
  const has = (k: ListKind) => kind !== undefined || Boolean(caps[k === 'templates' ? 'resources' : k]);
  const l: fmt.Listing = {};
  if (want('tools') && has('tools')) l.tools = await client.listAllTools(opts);
  if (want('resources') && has('resources')) l.resources = await client.listAllResources(opts);
  if (want('templates') && has('templates')) l.resourceTemplates = await client.listAllResourceTemplates(opts);
  if (want('prompts') && has('prompts')) l.prompts = await client.listAllPrompts(opts);
  fmt.print(out, client, l, fmt.formatListing(l));
  return 0;
}
