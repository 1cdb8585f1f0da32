// Client side of stdio: spawn the server with a minimal environment, talk over its stdin/stdout, and
// shut it down gracefully (close stdin, then SIGTERM, then SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { TsmcpError } from '../../protocol/errors.js';
import type { JsonRpcMessage, RequestId } from '../../protocol/jsonrpc.js';
import type { FrameError, Transport } from '../transport.js';
import { DEFAULT_MAX_MESSAGE_BYTES, LineFramer, responseTooLarge } from './framer.js';

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
  shutdown?: {
    /** Wait this long after closing stdin before SIGTERM. Default 2000 ms. */
    stdinCloseMs?: number;
    /** Wait this long after SIGTERM before SIGKILL. Default 2000 ms. */
    sigtermMs?: number;
  };
}

const POSIX_ENV = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];
const WINDOWS_ENV = ['APPDATA', 'HOMEDRIVE', 'HOMEPATH', 'LOCALAPPDATA', 'PATH', 'PROCESSOR_ARCHITECTURE', 'SYSTEMDRIVE', 'SYSTEMROOT', 'TEMP', 'USERNAME', 'USERPROFILE'];

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
  #exited: Promise<void> = Promise.resolve();
  #closed = false;
  onmessage?: (value: unknown) => void;
  onframeerror?: (error: FrameError) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
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
    this.#closed = false;
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
        onoversizeresponse: (id) => this.onrequestfailed?.(id, responseTooLarge(id, o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, 'stdio client transport')),
      },
      o.maxMessageBytes,
    );
    child.stdout!.on('data', (c: Buffer) => framer.push(c));
    if (o.stderr === 'pipe') child.stderr!.pipe(this.#stderr, { end: false });
    child.stdin!.on('error', (e) => this.onerror?.(e));
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
    return new Promise((resolve, reject) => {
      child.once('spawn', () => {
        child.once('close', () => this.#finish());
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

  async send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void> {
    const stdin = this.#child?.stdin;
    if (this.#closed || !stdin || stdin.destroyed) throw new TsmcpError('TSMCP_CONNECTION_CLOSED', 'Server process is not running');
    if (!stdin.write(`${JSON.stringify(message)}\n`)) await new Promise<void>((r) => stdin.once('drain', r));
  }

  /** Close stdin, wait, SIGTERM, wait, SIGKILL; resolves once the process has exited. */
  async close(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.#finish();
      return;
    }
    const { stdinCloseMs = 2000, sigtermMs = 2000 } = this.#options.shutdown ?? {};
    const exited = this.#exited;
    const within = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
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

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}
