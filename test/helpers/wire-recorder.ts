// Test helper: records what crosses a connection and checks everything tsmcp sent against the schema of
// the revision in use (followed from the initialize exchange; 2026-07-28 otherwise).
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import type { JsonRpcMessage } from '../../src/protocol/jsonrpc.js';
import type { Transport } from '../../src/transports/transport.js';
import { validateMessage, type Direction, type Revision, type Violation } from './wire-schema.js';

const KNOWN = new Set(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28']);
const all = new Set<WireRecorder>();

export interface RecorderOptions {
  /** Hold only this direction to the schema (the tsmcp side when the peer is a third-party SDK). */
  only?: Direction;
  /** Pin the revision instead of following initialize. */
  revision?: Revision;
}

/** One connection's traffic. */
export class WireRecorder {
  #revision: Revision;
  readonly #pinned: boolean;
  readonly #only: Direction | undefined;
  readonly #pending = new Map<string, string>();
  readonly #initIds = new Set<string>();
  readonly #violations: Violation[] = [];
  count = 0;

  constructor(options: RecorderOptions = {}) {
    this.#revision = options.revision ?? '2026-07-28';
    this.#pinned = options.revision !== undefined;
    this.#only = options.only;
    all.add(this);
  }

  get revision(): Revision {
    return this.#revision;
  }

  /** Record a message; `validate: false` only tracks it (ids, initialize) without judging it. */
  record(direction: Direction, message: unknown, validate = true): void {
    if (Array.isArray(message)) {
      for (const m of message) this.record(direction, m, validate);
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const m = message as Record<string, unknown>;
    const reverse = direction === 'client->server' ? 'server->client' : 'client->server';
    let answering: string | undefined;
    let revision = this.#revision;
    if ('method' in m && 'id' in m) {
      this.#pending.set(`${direction}:${JSON.stringify(m.id)}`, String(m.method));
      if (m.method === 'initialize') {
        this.#initIds.add(JSON.stringify(m.id));
        const asked = (m.params as { protocolVersion?: string } | undefined)?.protocolVersion;
        revision = asked && KNOWN.has(asked) && asked !== '2026-07-28' ? (asked as Revision) : '2025-11-25';
      }
    } else if ('id' in m && ('result' in m || 'error' in m)) {
      const key = `${reverse}:${JSON.stringify(m.id)}`;
      answering = this.#pending.get(key);
      if (validate) this.#pending.delete(key);
      if (answering === 'initialize' && this.#initIds.has(JSON.stringify(m.id)) && !this.#pinned) {
        const v = (m.result as { protocolVersion?: string } | undefined)?.protocolVersion;
        if (v && KNOWN.has(v)) this.#revision = revision = v as Revision;
      }
    }
    if (!validate || (this.#only && this.#only !== direction)) return;
    this.count++;
    this.#violations.push(...validateMessage(revision, m, { direction, answering }));
  }

  violations(): Violation[] {
    return [...this.#violations];
  }

  assertClean(): void {
    if (this.#violations.length === 0) return;
    const shown = this.#violations.slice(0, 10).map((v) => `- [${v.revision} ${v.direction} ${v.method ?? ''} as ${v.type}] ${v.errors}\n  ${v.message}`);
    assert.fail(`${this.#violations.length} schema violation(s) on the wire:\n${shown.join('\n')}`);
  }
}

/** Wrap a transport so that what it sends is validated and what it receives is tracked. */
export function recordTransport(transport: Transport, recorder: WireRecorder, side: 'client' | 'server'): Transport {
  const out: Direction = side === 'client' ? 'client->server' : 'server->client';
  const inbound: Direction = side === 'client' ? 'server->client' : 'client->server';
  const wrapper: Transport = {
    start: () => transport.start(),
    close: () => transport.close(),
    send: (message: JsonRpcMessage | JsonRpcMessage[]) => {
      recorder.record(out, JSON.parse(JSON.stringify(message)));
      return transport.send(message);
    },
  };
  transport.onmessage = (v) => {
    recorder.record(inbound, v, false);
    wrapper.onmessage?.(v);
  };
  transport.onframeerror = (e) => wrapper.onframeerror?.(e);
  transport.onerror = (e) => wrapper.onerror?.(e);
  transport.onclose = () => wrapper.onclose?.();
  return wrapper;
}

/**
 * For a tsmcp process spawned by a third-party peer: when TSMCP_WIRE_LOG names a file, wrap the
 * transport so every message (sent and received) is appended to it as `{dir, msg, sent}` JSON lines.
 */
export function wireLogFromEnv(transport: Transport, side: 'client' | 'server'): Transport {
  const file = process.env.TSMCP_WIRE_LOG;
  if (!file) return transport;
  const sink = { record: (dir: Direction, msg: unknown, sent = true) => appendFileSync(file, `${JSON.stringify({ dir, msg, sent })}\n`) };
  return recordTransport(transport, sink as unknown as WireRecorder, side);
}

/** Replay a wire log written by wireLogFromEnv; returns the recorder (check `violations()`). */
export function checkWireLog(file: string, options: RecorderOptions = {}): WireRecorder {
  const r = new WireRecorder(options);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return r;
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    const { dir, msg, sent } = JSON.parse(line) as { dir: Direction; msg: unknown; sent?: boolean };
    r.record(dir, msg, sent !== false);
  }
  return r;
}

/** Totals over every recorder made in this process. */
export function wireSummary(): { messages: number; violations: number } {
  let messages = 0;
  let violations = 0;
  for (const r of all) {
    messages += r.count;
    violations += r.violations().length;
  }
  return { messages, violations };
}
