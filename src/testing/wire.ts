// The wire between a test's client and server: every message, both directions, checked in order against
// the schema of the revision in use. A connection starts as 2026-07-28; an `initialize` request switches it
// (provisionally) to the revision asked for, and its answer to the negotiated `protocolVersion`.
import { TsmcpError } from '../protocol/errors.js';
import type { JsonRpcMessage, RequestId } from '../protocol/jsonrpc.js';
import type { Transport } from '../protocol/transport.js';
import { type Direction, isRevision, LAST_LEGACY, MODERN, type Revision } from './schema-set.js';
import {
  isObject,
  type MessageContext,
  MRTR_METHODS,
  shorten,
  TASKS_EXTENSION,
  validateBatch,
  validateMessage,
  type WireViolation,
} from './validate.js';

/** One message as it crossed the wire. */
export interface WireEntry {
  direction: Direction;
  message: unknown;
}

/**
 * Thrown (code `TSMCP_WIRE_INVALID`) when a message broke the MCP schema of the negotiated revision: the
 * call the message belonged to rejects with it, and `close()` throws it for violations outside a call.
 */
export class WireViolationError extends TsmcpError {
  readonly violations: readonly WireViolation[];
  constructor(violations: WireViolation[]) {
    super('TSMCP_WIRE_INVALID', describe(violations));
    this.name = 'WireViolationError';
    this.violations = violations;
  }
}

function describe(violations: WireViolation[]): string {
  const lines = violations.slice(0, 5).map((v, i) => {
    const sender = v.direction === 'client->server' ? 'client' : 'server';
    return `${i + 1}. ${v.direction} ${v.type} (${v.method ?? 'unknown method'}${v.id === undefined ? '' : `, id ${JSON.stringify(v.id)}`}), sent by the ${sender}: ${v.errors}\n   ${v.message}`;
  });
  const more = violations.length > 5 ? `\n… and ${violations.length - 5} more` : '';
  const revision = violations[0]?.revision ?? MODERN;
  return `${violations.length} message(s) on the wire do not match the MCP ${revision} schema:\n${lines.join('\n')}${more}\nFix the handler, middleware or option that produced the message (the schema path in brackets names the rule broken).`;
}

interface PendingRequest {
  method: string;
  mrtr?: boolean;
  tasks?: boolean;
  clientCapabilities?: Record<string, unknown>;
}

const reverse = (d: Direction): Direction => (d === 'client->server' ? 'server->client' : 'client->server');
const idOf = (m: unknown): RequestId | undefined =>
  isObject(m) && (typeof m.id === 'string' || typeof m.id === 'number') ? m.id : undefined;

/** What crossed one in-memory connection, and what broke the schema. */
export class Wire {
  #revision: Revision = MODERN;
  readonly #log: WireEntry[] = [];
  readonly #violations: WireViolation[] = [];
  /** Violations no rejected call has reported: `close()` throws them. */
  #unreported: WireViolation[] = [];
  /** `${sender direction}:${JSON id}` → the request, to pick the result type of its response. */
  readonly #pending = new Map<string, PendingRequest>();
  /** JSON id of an in-flight initialize → the revision before it (restored if initialize fails). */
  readonly #initializing = new Map<string, Revision>();
  #queue: Promise<void> = Promise.resolve();

  /** The revision the connection speaks now (2026-07-28 until an `initialize` says otherwise). */
  get revision(): Revision {
    return this.#revision;
  }

  /** Every message so far, in order, both directions (parsed JSON, as sent). */
  get messages(): readonly WireEntry[] {
    return this.#log;
  }

  /** Every violation so far, reported through a call or not. */
  get violations(): readonly WireViolation[] {
    return this.#violations;
  }

  /** Resolves once every message seen so far has been checked and passed on. */
  async settled(): Promise<void> {
    await this.#queue;
  }

  /** @internal The violations not yet reported, removed from the list. */
  takeUnreported(): WireViolation[] {
    const out = this.#unreported;
    this.#unreported = [];
    return out;
  }

  /**
   * @internal Check `message` in order with everything before it, then `deliver` it; a broken request of
   * the client, or a broken answer to one, is not delivered: `fail` rejects that call instead.
   */
  pass(
    direction: Direction,
    message: unknown,
    deliver: () => unknown,
    fail: (id: RequestId, e: Error) => void,
  ): Promise<void> {
    const step = async () => {
      this.#log.push({ direction, message });
      let violations: WireViolation[];
      let answers: RequestId | undefined;
      try {
        [violations, answers] = await this.#check(direction, message);
      } catch (e) {
        violations = [this.#internal(direction, message, e)];
      }
      this.#violations.push(...violations);
      const id = idOf(message);
      if (violations.length > 0) {
        // A request the client sent, or the answer to one: that call fails with the violation.
        const callId = direction === 'client->server' && isObject(message) && 'method' in message ? id : answers;
        if (callId !== undefined) return fail(callId, new WireViolationError(violations));
        this.#unreported.push(...violations);
      }
      return deliver();
    };
    const run = this.#queue.then(step);
    const done = run.then(() => {});
    this.#queue = done.catch(() => {});
    return done;
  }

  #internal(direction: Direction, message: unknown, e: unknown): WireViolation {
    const why = e instanceof Error ? e.message : String(e);
    return {
      revision: this.#revision,
      direction,
      method: undefined,
      id: idOf(message),
      type: 'wire check',
      schemaPath: '(none)',
      errors: `the check itself failed: ${why}`,
      message: shorten(message),
    };
  }

  /** The violations of one message, and the id of the client request it answers (when it does). */
  async #check(direction: Direction, message: unknown): Promise<[WireViolation[], RequestId | undefined]> {
    if (Array.isArray(message)) {
      const out = await validateBatch(this.#revision, message, direction);
      for (const m of message) out.push(...(await this.#check(direction, m))[0]);
      return [out, undefined];
    }
    if (!isObject(message)) return [await validateMessage(this.#revision, message, { direction }), undefined];
    const m = message;
    const context: MessageContext = { direction };
    const out: WireViolation[] = [];
    let revision = this.#revision;
    let answers: RequestId | undefined;

    if (typeof m.method === 'string' && 'id' in m) {
      const key = `${direction}:${JSON.stringify(m.id)}`;
      if (this.#pending.has(key))
        out.push(
          this.#rule(
            direction,
            m,
            'RequestId',
            `request id ${JSON.stringify(m.id)} is reused while a request with that id is still in flight`,
          ),
        );
      if (m.method === 'initialize' && direction === 'client->server') {
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
        Object.assign(context, request);
        if (direction === 'server->client') answers = idOf(m);
      } else if ('result' in m) {
        out.push(
          this.#rule(
            direction,
            m,
            'RequestId',
            `result for id ${idKey ?? '(none)'}, which answers no request seen on this connection`,
          ),
        );
      }
      const before = request?.method === 'initialize' ? this.#initializing.get(idKey) : undefined;
      if (before !== undefined) {
        this.#initializing.delete(idKey);
        const negotiated = isObject(m.result) ? m.result.protocolVersion : undefined;
        if (isRevision(negotiated) && negotiated !== MODERN) this.#revision = revision = negotiated;
        else if (!('result' in m)) this.#revision = before; // initialize failed: back to where we were
      }
    }
    out.push(...(await validateMessage(revision, m, context)));
    return [out, answers];
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
    // Legacy: no multi round-trip; 2025-11-25 task-augmented requests carry `params.task`.
    return { method, mrtr: false, tasks: revision === LAST_LEGACY && 'task' in p };
  }

  #rule(direction: Direction, m: Record<string, unknown>, type: string, errors: string): WireViolation {
    const method = typeof m.method === 'string' ? m.method : undefined;
    return {
      revision: this.#revision,
      direction,
      method,
      id: idOf(m),
      type,
      schemaPath: '(spec rule)',
      errors,
      message: shorten(m),
    };
  }
}

/**
 * The client's side of the connection, with every message in both directions passing through `wire`.
 * Callbacks of the inner transport are routed through the same queue, so `onclose` follows the last message.
 */
export function checkedTransport(inner: Transport, wire: Wire): Transport {
  const outer: Transport = {
    start: () => inner.start(),
    close: () => inner.close(),
    send: (message: JsonRpcMessage | JsonRpcMessage[]) =>
      wire.pass(
        'client->server',
        message,
        () => inner.send(message),
        (id, e) => outer.onrequestfailed?.(id, e),
      ),
  };
  inner.onmessage = (value) =>
    void wire.pass(
      'server->client',
      value,
      () => outer.onmessage?.(value),
      (id, e) => outer.onrequestfailed?.(id, e),
    );
  inner.onclose = (reason) => void wire.settled().then(() => outer.onclose?.(reason));
  inner.onerror = (e) => outer.onerror?.(e);
  inner.onframeerror = (e) => outer.onframeerror?.(e);
  return outer;
}
