// Client side of stdio: spawn the server with a minimal environment, talk over its stdin/stdout, and
// shut it down gracefully (close stdin, then SIGTERM, then SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { TsmcpError } from '../../protocol/errors.js';
import type { JsonRpcMessage, RequestId } from '../../protocol/jsonrpc.js';
import type { FrameError, Transport } from '../../protocol/transport.js';
import { DEFAULT_MAX_MESSAGE_BYTES, LineFramer, responseTooLarge } from './framer.js';
import { LineWriter } from './writer.js';

export interface StdioClientTransportOptions {
  command: string;
  args?: string[];
  /** Added on top of `getDefaultEnvironment()`; the parent's other variables are not passed on. */
  env?: Record<string, string>;
  cwd?: string;
  /** What to do with the server's stderr. Default `inherit`; `pipe` exposes it as `stderr`. */
  stderr?: 'inherit' | 'pipe' | 'ignore';
  /**
   * Longest accepted line in bytes. Default 4 MiB. A longer line is skipped without being buffered; a
   * response whose id its first KiB shows (`{"jsonrpc":"2.0","id":1,"result":…`) fails that request at
   * once with `TSMCP_MESSAGE_TOO_LARGE`; an over-long server request is answered with -32600 under its
   * id; any other over-long line is reported through `onprotocolerror` and its request (if any) waits
   * for its timeout.
   */
  maxMessageBytes?: number;
  /**
   * Opt-in: start the server again when it exits on its own (not after `close()`). The Client then
   * speaks to the fresh process in the same revision and re-establishes its subscriptions (legacy:
   * initialize, resources/subscribe, log level; 2026-07-28: listen again). Calls pending at the crash
   * still fail (a call is never re-sent: it may have had effects); calls made during the restart wait
   * for it. Off by default.
   */
  restart?: StdioRestartOptions;
  /**
   * How much of the server's stderr is kept to explain an exit (only with `stderr: 'pipe'`): the last
   * `maxLines` lines (default 20) within the last `maxBytes` bytes (default 4096); older output is
   * dropped as more arrives. `{ maxBytes: 0 }` keeps none.
   */
  stderrTail?: { maxLines?: number; maxBytes?: number };
  shutdown?: {
    /** Wait this long after closing stdin before SIGTERM. Default 2000 ms. */
    stdinCloseMs?: number;
    /** Wait this long after SIGTERM before SIGKILL. Default 2000 ms. */
    sigtermMs?: number;
  };
}

export interface StdioRestartOptions {
  /** Most restarts over the transport's life; once spent, the next exit closes the connection for good. Default 3. */
  maxRestarts?: number;
  /** Wait before restart n: `initialMs` × 2^(n−1), at most `maxMs`. Defaults 250 and 10 000 ms. */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** Why the connection ended: the server process exited on its own. Pending calls carry it as `cause`. */
export class ServerExitError extends TsmcpError {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines of its stderr (bounded by `stderrTail`; empty unless `stderr: 'pipe'`). */
  readonly stderrTail: string;
  /** What a request still waiting for its answer fails with (the engine uses it instead of "connection closed"). */
  readonly beforeAnswering: string;
  constructor(command: string, exitCode: number | null, signal: NodeJS.Signals | null, stderrTail: string) {
    const how = `Server process ${command} ${signal ? `was killed by ${signal}` : `exited with code ${exitCode}`}`;
    const tail = stderrTail ? ` (stderr:\n${stderrTail})` : '';
    super('TSMCP_PROCESS', `${how}${tail}`);
    this.exitCode = exitCode;
    this.signal = signal;
    this.stderrTail = stderrTail;
    this.beforeAnswering = `${how} before answering${tail}`;
  }
}

const POSIX_ENV = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];
const WINDOWS_ENV = [
  'APPDATA',
  'HOMEDRIVE',
  'HOMEPATH',
  'LOCALAPPDATA',
  'PATH',
  'PROCESSOR_ARCHITECTURE',
  'SYSTEMDRIVE',
  'SYSTEMROOT',
  'TEMP',
  'USERNAME',
  'USERPROFILE',
];

/** The few variables a server gets by default: enough to run, nothing secret. */
export function getDefaultEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of process.platform === 'win32' ? WINDOWS_ENV : POSIX_ENV) {
    const v = process.env[k];
    if (v !== undefined && !v.startsWith('()')) env[k] = v;
  }
  return env;
}

/** Spawns an MCP server and speaks to it over its stdio. */
export class StdioClientTransport implements Transport {
  readonly #options: StdioClientTransportOptions;
  readonly #stderr = new PassThrough();
  #child: ChildProcess | undefined;
  /** Writes to the current child's stdin (unbounded, as the caller decides what it sends). */
  #writer: LineWriter | undefined;
  #exited: Promise<void> = Promise.resolve();
  #closed = false;
  /** close() was asked for: the coming exit is not a crash. */
  #stopping = false;
  /** The last process exited on its own. */
  #crashed = false;
  #restarts = 0;
  /** The newest stderr bytes, at most `stderrTail.maxBytes`. */
  #tail: Buffer = Buffer.alloc(0);
  onmessage?: (value: unknown) => void;
  onframeerror?: (error: FrameError) => void;
  onerror?: (error: Error) => void;
  onclose?: (reason?: Error) => void;
  onrequestfailed?: (id: RequestId, error: Error) => void;

  constructor(options: StdioClientTransportOptions) {
    this.#options = options;
  }

  /** Identifies the server for the client's per-process era cache: same command, same server. */
  get eraCacheKey(): string {
    const o = this.#options;
    return `stdio:${JSON.stringify([o.command, o.args ?? [], o.cwd ?? '', o.env ?? {}])}`;
  }

  /** The server's stderr when `stderr: 'pipe'` (available before start, so nothing is lost). */
  get stderr(): Readable {
    return this.#stderr;
  }
  /** Restarts done under the `restart` policy so far (at most `maxRestarts`). */
  get restarts(): number {
    return this.#restarts;
  }
  get pid(): number | undefined {
    return this.#child?.pid;
  }
  get exitCode(): number | null | undefined {
    return this.#child?.exitCode;
  }
  get signalCode(): NodeJS.Signals | null | undefined {
    return this.#child?.signalCode;
  }

  start(): Promise<void> {
    // Running already (the Client connects again right after `restart()`): a second spawn would leak one.
    if (this.#child && !this.#closed && this.#child.exitCode === null && this.#child.signalCode === null)
      return Promise.resolve();
    this.#closed = false;
    this.#stopping = false;
    this.#crashed = false;
    this.#tail = Buffer.alloc(0);
    const o = this.#options;
    const child = spawn(o.command, o.args ?? [], {
      env: { ...getDefaultEnvironment(), ...o.env },
      cwd: o.cwd,
      stdio: ['pipe', 'pipe', o.stderr ?? 'inherit'],
      windowsHide: true,
    });
    this.#child = child;
    const framer = new LineFramer(
      {
        onmessage: (v) => this.onmessage?.(v),
        onframeerror: (e) => this.onframeerror?.(e),
        onoversizeresponse: (id) =>
          this.onrequestfailed?.(
            id,
            responseTooLarge(id, o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, 'stdio client transport'),
          ),
      },
      o.maxMessageBytes,
    );
    child.stdout!.on('data', (c: Buffer) => framer.push(c));
    if (o.stderr === 'pipe') {
      child.stderr!.pipe(this.#stderr, { end: false });
      const max = o.stderrTail?.maxBytes ?? 4096;
      child.stderr!.on('data', (c: Buffer) => {
        if (max <= 0) return;
        const all = Buffer.concat([this.#tail, c]);
        this.#tail = all.length > max ? Buffer.from(all.subarray(-max)) : all; // a copy: keep no large chunk alive
      });
    }
    this.#writer = new LineWriter(child.stdin!, Number.POSITIVE_INFINITY, 'stdio client transport', () => {});
    child.stdin!.on('error', (e) => this.onerror?.(e));
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
    return new Promise((resolve, reject) => {
      child.once('spawn', () => {
        child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
          if (this.#stopping) return this.#finish();
          this.#crashed = true;
          this.#finish(new ServerExitError(o.command, code, signal, this.#stderrLines()));
        });
        resolve();
      });
      child.once('error', (e) => {
        this.#closed = true;
        reject(new TsmcpError('TSMCP_PROCESS', `Could not start ${o.command}: ${e.message}`, { cause: e }));
      });
    });
  }

  /** Start a fresh server process after the previous one ended (used when a legacy server exits on a probe). */
  async restart(): Promise<void> {
    await this.close();
    await this.start();
  }

  /**
   * After the server exited on its own: whether the `restart` policy allows starting it again (counting
   * the restart and waiting its backoff first). The next `start()` spawns it. Used by the Client.
   */
  async allowRestart(): Promise<boolean> {
    const policy = this.#options.restart;
    if (!policy || !this.#crashed || this.#restarts >= (policy.maxRestarts ?? 3)) return false;
    this.#restarts++;
    const { initialMs = 250, maxMs = 10_000 } = policy.backoff ?? {};
    await new Promise((r) => setTimeout(r, Math.min(maxMs, initialMs * 2 ** (this.#restarts - 1))));
    return true;
  }

  #stderrLines(): string {
    const lines = this.#tail.toString('utf8').split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    if (this.#tail.length >= (this.#options.stderrTail?.maxBytes ?? 4096)) lines.shift(); // cut mid-line
    return lines.slice(-(this.#options.stderrTail?.maxLines ?? 20)).join('\n');
  }

  // Not async: the writer's promise is shared by every message of a batch, no wrapper per message.
  send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void> {
    const stdin = this.#child?.stdin;
    if (this.#closed || !stdin || stdin.destroyed)
      return Promise.reject(new TsmcpError('TSMCP_CONNECTION_CLOSED', 'Server process is not running'));
    let line: string;
    try {
      line = `${JSON.stringify(message)}\n`;
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#writer!.write(line);
  }

  /** Close stdin, wait, SIGTERM, wait, SIGKILL; resolves once the process has exited. */
  async close(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.#finish();
      return;
    }
    this.#crashed = false; // closed on purpose while running: nothing to restart
    this.#stopping = true;
    const { stdinCloseMs = 2000, sigtermMs = 2000 } = this.#options.shutdown ?? {};
    const exited = this.#exited;
    const within = (ms: number) =>
      Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    this.#writer?.flushAll(); // what was sent goes before the end of stdin
    child.stdin?.end();
    if (!(await within(stdinCloseMs))) {
      child.kill('SIGTERM');
      if (!(await within(sigtermMs))) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    this.#finish();
  }

  #finish(reason?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.(reason);
  }
}
