// Test helper: records what crosses one connection and checks it against the official schema of the
// revision in use. A connection starts as 2026-07-28; an `initialize` request switches it (provisionally)
// to the legacy revision asked for, and the matching response to the negotiated `protocolVersion`.
// With `only`, just one direction is held to the schema: the one tsmcp sends when the peer is another SDK.
import { AssertionError } from 'node:assert';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { JsonRpcMessage } from '../../src/protocol/jsonrpc.js';
import type { Transport } from '../../src/protocol/transport.js';
import {
  LAST_LEGACY,
  MODERN,
  MRTR_METHODS,
  TASKS_EXTENSION,
  isRevision,
  validateBatch,
  validateMessage,
  type Direction,
  type MessageContext,
  type Revision,
  type Violation,
} from './wire-schema.js';

export type { Direction, Revision, Violation } from './wire-schema.js';
export type Side = 'client' | 'server';

export interface RecorderOptions {
  /** Hold only this direction to the schema (what tsmcp sends when the other side is a third-party peer). */
  only?: Direction;
  /** Pin the revision instead of following the initialize exchange. */
  revision?: Revision;
  /** A name shown in assertClean() failures. */
  label?: string;
}

/** Anything messages can be recorded into: a WireRecorder, or a wire-log sink for child processes. */
export interface WireSink {
  record(direction: Direction, message: unknown): void;
  /** recordTransport() tells the sink which ends of the connection it wraps. */
  attach?(side: Side): void;
  attached?(side: Side): boolean;
}

interface PendingRequest {
  method: string;
  mrtr?: boolean;
  tasks?: boolean;
  clientCapabilities?: Record<string, unknown>;
}

const registry = new Set<WireRecorder>();

const reverse = (d: Direction): Direction => (d === 'client->server' ? 'server->client' : 'client->server');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function truncate(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/** One connection's traffic, validated message by message. */
export class WireRecorder implements WireSink {
  #revision: Revision;
  readonly #pinned: boolean;
  readonly #only: Direction | undefined;
  readonly #label: string | undefined;
  /** `${sender direction}:${JSON id}` → the request, for picking the result type of its response. */
  readonly #pending = new Map<string, PendingRequest>();
  /** JSON id of an in-flight initialize → the revision before it (restored if initialize fails). */
  readonly #initializing = new Map<string, Revision>();
  readonly #sides = new Set<Side>();
  readonly #violations: Violation[] = [];
  #count = 0;

  constructor(options: RecorderOptions = {}) {
    this.#revision = options.revision ?? MODERN;
    this.#pinned = options.revision !== undefined;
    this.#only = options.only;
    this.#label = options.label;
    registry.add(this);
  }

  /** The revision the connection currently speaks. */
  get revision(): Revision {
    return this.#revision;
  }

  /** How many messages were checked against the schema. */
  get count(): number {
    return this.#count;
  }

  attach(side: Side): void {
    this.#sides.add(side);
  }

  attached(side: Side): boolean {
    return this.#sides.has(side);
  }

  #checks(direction: Direction): boolean {
    return this.#only === undefined || this.#only === direction;
  }

  /** Record one parsed JSON-RPC message (or a batch array) sent in `direction`. */
  record(direction: Direction, message: unknown): void {
    const checks = this.#checks(direction);
    if (Array.isArray(message)) {
      if (checks) this.#violations.push(...validateBatch(this.#revision, message, direction));
      for (const m of message) this.record(direction, m);
      return;
    }
    if (!isObject(message)) {
      if (checks) {
        this.#count++;
        this.#violations.push(...validateMessage(this.#revision, message, { direction }));
      }
      return;
    }
    const m = message;
    const context: MessageContext = { direction };
    let revision = this.#revision;

    if (typeof m.method === 'string' && 'id' in m) {
      // A request: remember it so that its response can be checked against the right result type.
      const key = `${direction}:${JSON.stringify(m.id)}`;
      if (checks && this.#pending.has(key)) {
        this.#violation(
          direction,
          m.method,
          'RequestId',
          `request id ${JSON.stringify(m.id)} is reused while a request with that id is still in flight`,
          m,
        );
      }
      if (m.method === 'initialize' && !this.#pinned && direction === 'client->server') {
        // Legacy handshake: speak the revision asked for until the answer says otherwise.
        const asked = isObject(m.params) ? m.params.protocolVersion : undefined;
        this.#initializing.set(JSON.stringify(m.id), this.#revision);
        this.#revision = revision = isRevision(asked) && asked !== MODERN ? asked : LAST_LEGACY;
      }
      this.#pending.set(key, this.#describe(revision, m.method, m.params));
    } else if (('result' in m || 'error' in m) && !('method' in m)) {
      const idKey = JSON.stringify(m.id);
      const key = `${reverse(direction)}:${idKey}`;
      const request = 'id' in m ? this.#pending.get(key) : undefined;
      if (request) {
        this.#pending.delete(key);
        Object.assign(context, {
          method: request.method,
          mrtr: request.mrtr,
          tasks: request.tasks,
          clientCapabilities: request.clientCapabilities,
        });
      } else if (checks && 'result' in m) {
        this.#violation(
          direction,
          undefined,
          'RequestId',
          `result for id ${idKey ?? '(none)'}, which answers no request seen on this connection`,
          m,
        );
      }
      const before = request?.method === 'initialize' ? this.#initializing.get(idKey) : undefined;
      if (before !== undefined) {
        this.#initializing.delete(idKey);
        const negotiated = isObject(m.result) ? m.result.protocolVersion : undefined;
        if (isRevision(negotiated) && negotiated !== MODERN) this.#revision = revision = negotiated;
        else if (!('result' in m)) this.#revision = before; // initialize failed: back to where we were (checked at the revision asked)
      }
    }

    if (!checks) return;
    this.#count++;
    this.#violations.push(...validateMessage(revision, m, context));
  }

  #describe(revision: Revision, method: string, params: unknown): PendingRequest {
    const p = isObject(params) ? params : {};
    if (revision === MODERN) {
      const meta = isObject(p._meta) ? p._meta : {};
      const caps = meta['io.modelcontextprotocol/clientCapabilities'];
      const clientCapabilities = isObject(caps) ? caps : undefined;
      const extensions =
        clientCapabilities && isObject(clientCapabilities.extensions) ? clientCapabilities.extensions : {};
      return { method, mrtr: MRTR_METHODS.has(method), tasks: TASKS_EXTENSION in extensions, clientCapabilities };
    }
    // Legacy: no MRTR; 2025-11-25 task-augmented requests carry `params.task`.
    return { method, mrtr: false, tasks: revision === LAST_LEGACY && 'task' in p };
  }

  #violation(direction: Direction, method: string | undefined, type: string, errors: string, message: unknown): void {
    this.#violations.push({ revision: this.#revision, direction, method, type, errors, message: truncate(message) });
  }

  violations(): Violation[] {
    return [...this.#violations];
  }

  /** Throw an AssertionError listing the violations (the first 10 in full) if there are any. */
  assertClean(): void {
    const all = this.#violations;
    if (all.length === 0) return;
    const shown = all
      .slice(0, 10)
      .map(
        (v, i) =>
          `${i + 1}. [${v.revision} ${v.direction}${v.method ? ` ${v.method}` : ''} as ${v.type}] ${v.errors}\n   ${v.message}`,
      );
    const more = all.length > 10 ? `\n… and ${all.length - 10} more` : '';
    const where = this.#label ? ` (${this.#label})` : '';
    throw new AssertionError({
      message: `${all.length} schema violation(s) on the wire${where}, out of ${this.#count} message(s) checked:\n${shown.join('\n')}${more}`,
      actual: all.length,
      expected: 0,
      operator: 'assertClean',
    });
  }
}

function asJson(message: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(message)) as unknown;
  } catch {
    return message; // not serializable: validate the value as it is (it will fail where it matters)
  }
}

/**
 * Wrap a transport so that every message passing through send() and every value delivered to onmessage
 * is recorded. `side` is the end of the connection the wrapped transport belongs to. When both ends of
 * one connection are wrapped with the same recorder, each message is recorded once (when sent).
 */
export function recordTransport(transport: Transport, recorder: WireSink, side: Side): Transport {
  const outbound: Direction = side === 'client' ? 'client->server' : 'server->client';
  const inbound = reverse(outbound);
  const other: Side = side === 'client' ? 'server' : 'client';
  recorder.attach?.(side);
  const wrapper: Transport = {
    start: () => transport.start(),
    close: () => transport.close(),
    send: (message: JsonRpcMessage | JsonRpcMessage[]) => {
      recorder.record(outbound, asJson(message));
      return transport.send(message);
    },
  };
  transport.onmessage = (value) => {
    // Recorded before delivery: the receiver may answer synchronously.
    if (!recorder.attached?.(other)) recorder.record(inbound, value);
    wrapper.onmessage?.(value);
  };
  transport.onframeerror = (error) => wrapper.onframeerror?.(error);
  transport.onerror = (error) => wrapper.onerror?.(error);
  transport.onclose = (reason) => wrapper.onclose?.(reason);
  transport.onrequestfailed = (id, error) => wrapper.onrequestfailed?.(id, error);
  // Optional capabilities of the wrapped transport (HTTP header mirroring, stdio restart, era cache key)
  // stay visible through the wrapper, so wrapping changes nothing but the recording.
  if (transport.setToolHeaders) wrapper.setToolHeaders = transport.setToolHeaders.bind(transport);
  if (transport.restart) wrapper.restart = transport.restart.bind(transport);
  if (transport.allowRestart) wrapper.allowRestart = transport.allowRestart.bind(transport);
  Object.defineProperty(wrapper, 'eraCacheKey', { get: () => transport.eraCacheKey });
  return wrapper;
}

/** A sink that appends each recorded message as a `{dir, msg}` JSON line to a file. */
export interface WireLogSink extends WireSink {
  readonly file: string;
  readonly side: Side;
  /** recordTransport(transport, this, side). */
  wrap(transport: Transport): Transport;
}

function wireLogSink(file: string, side: Side): WireLogSink {
  const sink: WireLogSink = {
    file,
    side,
    record(dir: Direction, msg: unknown) {
      let line: string;
      try {
        line = JSON.stringify({ dir, msg });
      } catch (e) {
        line = JSON.stringify({ dir, msg: `unserializable: ${String(e)}` });
      }
      appendFileSync(file, `${line}\n`);
    },
    wrap: (transport) => recordTransport(transport, sink, side),
  };
  return sink;
}

/**
 * For a tsmcp process spawned by a third-party peer: when the env var TSMCP_WIRE_LOG names a file, returns
 * a sink logging every message as a `{dir, msg}` JSON line there (replay it with checkWireLog); otherwise
 * undefined. Given a transport as well, returns it wrapped with that sink (or unchanged when unset).
 */
export function wireLogFromEnv(side: Side): WireLogSink | undefined;
export function wireLogFromEnv(transport: Transport, side: Side): Transport;
export function wireLogFromEnv(first: Side | Transport, second?: Side): WireLogSink | Transport | undefined {
  const file = process.env.TSMCP_WIRE_LOG;
  if (typeof first === 'string') return file ? wireLogSink(file, first) : undefined;
  if (!file) return first;
  return wireLogSink(file, second ?? 'server').wrap(first);
}

/**
 * Replay a wire log written through wireLogFromEnv into a fresh WireRecorder (registered like any other);
 * check `violations()`, `count`, `revision`, or call `assertClean()`. Pass `only` to hold just the tsmcp
 * side to the schema. Throws if the file does not exist (the child never logged anything).
 */
export function checkWireLog(file: string, options: RecorderOptions = {}): WireRecorder {
  if (!existsSync(file))
    throw new Error(`checkWireLog: no wire log at ${file} (was TSMCP_WIRE_LOG passed to the child process?)`);
  const recorder = new WireRecorder({ label: `wire log ${file}`, ...options });
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let entry: { dir?: unknown; msg?: unknown };
    try {
      entry = JSON.parse(line) as { dir?: unknown; msg?: unknown };
    } catch {
      if (i === lines.length - 1) return; // a last line cut short by a killed process
      throw new Error(`checkWireLog: line ${i + 1} of ${file} is not JSON`);
    }
    if (entry.dir !== 'client->server' && entry.dir !== 'server->client')
      throw new Error(`checkWireLog: line ${i + 1} of ${file} has no valid dir`);
    recorder.record(entry.dir, entry.msg);
  });
  return recorder;
}

/** The violations of a wire log (checkWireLog(file, options).violations()). */
export function wireLogViolations(file: string, options: RecorderOptions = {}): Violation[] {
  return checkWireLog(file, options).violations();
}

/** Totals over every WireRecorder created in this process. */
export function wireSummary(): { connections: number; messages: number; violations: number } {
  let messages = 0;
  let violations = 0;
  for (const r of registry) {
    messages += r.count;
    violations += r.violations().length;
  }
  return { connections: registry.size, messages, violations };
}
