// Test helper: sits between a tsmcp server and its transport and tears down listen subscriptions the way
// a server may (S26 cancellation page): `notifications/cancelled` naming the listen id, then nothing more
// for that id. tsmcp's own server has no such switch, so the helper does it on the wire.
import type { JsonRpcMessage, RequestId } from '../../src/protocol/jsonrpc.js';
import type { Transport } from '../../src/protocol/transport.js';

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
type Msg = { id?: RequestId; method?: string; params?: { _meta?: Record<string, unknown> } };

export interface ListenTeardown {
  readonly transport: Transport;
  /** Listen requests seen and not torn down. */
  readonly live: Set<RequestId>;
  /** Send `notifications/cancelled` for every live listen and drop whatever the server still sends for them. */
  cancelAll(reason: string): Promise<number>;
}

export function listenTeardown(inner: Transport): ListenTeardown {
  const live = new Set<RequestId>();
  const dead = new Set<RequestId>();
  const isDead = (m: Msg) => {
    if (m.method === undefined) return m.id !== undefined && dead.has(m.id);
    const sub = m.params?._meta?.[SUBSCRIPTION_ID];
    return (typeof sub === 'string' || typeof sub === 'number') && dead.has(sub);
  };
  const outer: Transport = {
    start: () => inner.start(),
    close: () => inner.close(),
    send: async (message: JsonRpcMessage | JsonRpcMessage[]) => {
      if (!Array.isArray(message) && isDead(message as Msg)) return;
      await inner.send(message);
    },
  };
  inner.onmessage = (value) => {
    const m = value as Msg;
    if (m.method === 'subscriptions/listen' && m.id !== undefined) live.add(m.id);
    outer.onmessage?.(value);
  };
  inner.onframeerror = (e) => outer.onframeerror?.(e);
  inner.onerror = (e) => outer.onerror?.(e);
  inner.onclose = (reason) => outer.onclose?.(reason);
  Object.defineProperty(outer, 'identity', { get: () => inner.identity });
  return {
    transport: outer,
    live,
    async cancelAll(reason) {
      const ids = [...live];
      for (const id of ids) {
        live.delete(id);
        dead.add(id);
        await inner.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
      }
      return ids.length;
    },
  };
}
