// Who a task belongs to: the principal when the server knows one, else the legacy session it was
// created on (2025-11-25 requires binding tasks to the authorization context), else nobody in particular.
import type { RequestContext } from '../../server/context.js';
import { legacySessionOf, type LegacySession, type PrincipalContext, type Server } from '../../server/server.js';
import type { TaskRecord } from './store.js';

export interface Owner {
  principal?: string;
  /** Only when there is no principal: an opaque key of the legacy session. */
  session?: string;
}

/** The one place tasks derive a principal; follow Server's API for it here only. */
export function principalOf(server: Server, ctx: RequestContext): string | undefined {
  return server.principal(ctx);
}

const sessionKeys = new WeakMap<LegacySession, string>();

/** Random, stable per session object; kept only while the session lives (it is a weak key). */
export function sessionKey(session: LegacySession): string {
  let key = sessionKeys.get(session);
  if (!key) {
    key = randomId();
    sessionKeys.set(session, key);
  }
  return key;
}

export function randomId(): string {
  let out = '';
  for (const b of crypto.getRandomValues(new Uint8Array(16))) out += b.toString(16).padStart(2, '0');
  return out;
}

export function ownerOf(server: Server, ctx: RequestContext): Owner {
  const principal = principalOf(server, ctx);
  if (principal !== undefined) return { principal };
  const session = legacySessionOf(ctx);
  return session ? { session: sessionKey(session) } : {};
}

/** The owner a 2026-07-28 request (no legacy session) speaks for: its principal, if any. */
export function statelessOwnerOf(server: Server, ctx: PrincipalContext): Owner {
  const principal = server.principal(ctx);
  return principal !== undefined ? { principal } : {};
}

/** Whether `owner` may see `t`: same principal, or (no principal on either side) same session or none. */
export function owns(owner: Owner, t: TaskRecord): boolean {
  return t.principal === owner.principal && (owner.principal !== undefined || t.session === owner.session);
}

/**
 * The bucket whose unfinished tasks count against `maxTasksPerPrincipal`: the principal, else the legacy
 * session, else one shared anonymous bucket (stateless requests without a principal cannot be told apart).
 */
export function bucketOf(owner: Owner): string {
  return owner.principal !== undefined
    ? `p:${owner.principal}`
    : owner.session !== undefined
      ? `s:${owner.session}`
      : 'anonymous';
}
