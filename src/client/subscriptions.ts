// Subscriptions: `subscriptions/listen` on 2026-07-28 (one stream per subscription, re-listened with
// backoff when it drops), `resources/subscribe` plus the session's list-changed notifications on legacy servers.
import { TsmcpError } from '../protocol/errors.js';
import type { JsonObject } from '../protocol/jsonrpc.js';
import { listChangedOf } from '../protocol/list-changed.js';
import type { SubscriptionFilter } from '../protocol/types.js';
import { uriCovers } from '../protocol/uri.js';
import { isModernVersion } from '../protocol/versions.js';
import { metaOf } from './era.js';
import type { SubscribeOptions, Subscription } from './options.js';
import type { ClientState } from './state.js';

/** A listen stream up this long counts as healthy: its end resets the reconnect attempts. */
const HEALTHY_LISTEN_MS = 10_000;

/** @internal The Client's `request()` (through its middleware). */
export type Requester = (method: string, params: JsonObject) => Promise<JsonObject>;

/** A subscriber's callback; what it throws goes to `onprotocolerror`, never into the stream's loop. */
function tell(s: ClientState, callback: ((e: Error) => void) | undefined, e: Error): void {
  try {
    callback?.(e);
  } catch (thrown) {
    s.options.onprotocolerror?.(thrown as Error);
  }
}

/** @internal See `Client.subscribe`. */
export async function subscribe(
  s: ClientState,
  request: Requester,
  filter: SubscriptionFilter,
  onevent: (method: string, params: JsonObject) => void,
  options: SubscribeOptions,
): Promise<Subscription> {
  if (s.recovering) await s.recovering.catch(() => undefined);
  if (s.connecting)
    throw new TsmcpError('TSMCP_NOT_CONNECTED', 'connect() is still in progress: await it before subscribing');
  if (!s.peer || !s.version) throw new TsmcpError('TSMCP_NOT_CONNECTED', 'Not connected: await connect() first');
  if (!isModernVersion(s.version)) return legacySubscribe(s, request, filter, onevent, options);
  const controller = new AbortController();
  const maxAttempts = options.reconnect === false ? 0 : (options.maxReconnects ?? 5);
  const report = (callback: ((e: Error) => void) | undefined, e: Error) => tell(s, callback, e);
  /** One listen stream on the current connection; `ended` resolves with why it ended. */
  const listen = () => {
    const peer = s.peer!; // after a stdio server restart this is the new connection
    let id: string | number | undefined;
    let ackResolve!: (f: SubscriptionFilter) => void;
    const ack = new Promise<SubscriptionFilter>((r) => (ackResolve = r));
    const ended: Promise<Error> = peer
      .request(
        'subscriptions/listen',
        { notifications: filter, _meta: metaOf(s, s.version!) },
        {
          signal: controller.signal,
          timeoutMs: Infinity,
          peerCancellable: true, // a server tears a listen down with notifications/cancelled naming it
          onid: (i) => {
            id = i;
            s.listeners.set(i, (method, params) => {
              if (method === 'notifications/subscriptions/acknowledged')
                ackResolve((params.notifications ?? {}) as SubscriptionFilter);
              else onevent(method, params);
            });
          },
        },
      )
      .then(
        () => new TsmcpError('TSMCP_CANCELLED', 'The server ended the subscription (subscriptions/listen returned)'),
        (e: unknown) => (e instanceof Error ? e : new TsmcpError('TSMCP_CONNECTION_CLOSED', String(e))),
      )
      .finally(() => id !== undefined && s.listeners.delete(id));
    const acknowledged = Promise.race([ack, ended.then((e) => Promise.reject(e))]);
    return { acknowledged, ended };
  };
  const first = listen();
  const acknowledged = await first.acknowledged;
  // A stream that drops (or a server that ends or cancels it) is listened to again, with backoff, until closed.
  const supervised = (async () => {
    let current = first.ended;
    let attempts = 0;
    // When the current stream was acknowledged; only one that stayed up a while resets the attempts, so
    // a server that acknowledges and then ends every listen at once is not re-listened forever.
    let liveSince: number | undefined = Date.now();
    for (;;) {
      let why = await current;
      if (controller.signal.aborted) return;
      if (liveSince !== undefined) {
        report(options.oninterrupt, why); // a live stream ended (not a failed re-listen)
        if (Date.now() - liveSince >= HEALTHY_LISTEN_MS) attempts = 0;
        liveSince = undefined;
      }
      // A stdio server being restarted: listen again on the fresh connection, or end with its failure.
      if (s.recovering)
        why = await s.recovering.then(
          () => why,
          (e: Error) => e,
        );
      if (controller.signal.aborted) return;
      if (!s.peer || s.peer.closed || attempts >= maxAttempts) return report(options.onclose, why);
      await new Promise((r) => setTimeout(r, Math.min(10_000, 250 * 2 ** attempts)));
      if (controller.signal.aborted) return;
      attempts++;
      const next = listen();
      const ok = await next.acknowledged.then(
        () => true,
        () => false,
      );
      if (ok) {
        liveSince = Date.now();
        options.onreconnect?.();
      }
      current = next.ended;
    }
  })();
  return {
    acknowledged,
    close: async () => {
      controller.abort('unsubscribed');
      await supervised;
    },
  };
}

async function legacySubscribe(
  s: ClientState,
  request: Requester,
  filter: SubscriptionFilter,
  onevent: (method: string, params: JsonObject) => void,
  options: SubscribeOptions,
): Promise<Subscription> {
  const uris = filter.resourceSubscriptions ?? [];
  if (uris.length && !s.serverCapabilities.resources?.subscribe)
    throw new TsmcpError('TSMCP_UNSUPPORTED', 'The server does not support resource subscriptions');
  // Unsubscribe a URI only when no other Subscription of ours still holds it.
  const release = async (held: string[]) => {
    for (const uri of held) {
      const n = (s.legacyHolds.get(uri) ?? 1) - 1;
      if (n > 0) s.legacyHolds.set(uri, n);
      else {
        s.legacyHolds.delete(uri);
        await request('resources/unsubscribe', { uri }).catch(() => undefined);
      }
    }
  };
  for (let i = 0; i < uris.length; i++) {
    try {
      await request('resources/subscribe', { uri: uris[i]! });
      s.legacyHolds.set(uris[i]!, (s.legacyHolds.get(uris[i]!) ?? 0) + 1);
    } catch (e) {
      // The server caps subscriptions per session: give back what this call took, then fail.
      await release(uris.slice(0, i));
      throw e;
    }
  }
  let closed = false;
  const wanted = (method: string, params: JsonObject | undefined) => {
    const list = listChangedOf(method);
    if (list) return !!filter[list.filter];
    return (
      method === 'notifications/resources/updated' &&
      typeof params?.uri === 'string' &&
      uris.some((u) => uriCovers(u, params.uri as string))
    );
  };
  const previous = s.options.onnotification;
  const hook = (method: string, params: JsonObject | undefined) => {
    previous?.(method, params);
    if (wanted(method, params)) onevent(method, params ?? {});
  };
  s.options.onnotification = hook;
  const report = (callback: ((e: Error) => void) | undefined, e: Error) => tell(s, callback, e);
  const life = {
    interrupted: (e: Error) => report(options.oninterrupt, e),
    reconnected: () => options.onreconnect?.(),
    closed: (e: Error) => {
      s.legacySubs.delete(life);
      report(options.onclose, e);
    },
  };
  s.legacySubs.add(life);
  return {
    acknowledged: filter,
    close: async () => {
      s.legacySubs.delete(life);
      if (s.options.onnotification === hook) s.options.onnotification = previous;
      if (closed) return;
      closed = true;
      await release(uris);
    },
  };
}
