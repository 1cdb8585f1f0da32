// The state the client's parts (era, input, mrtr, subscriptions) share. It lives in a private field of
// Client: nothing here is reachable from the public API.
import type { Peer } from '../engine/peer.js';
import { TsmcpError } from '../protocol/errors.js';
import type { JsonObject } from '../protocol/jsonrpc.js';
import type { ClientCapabilities, Implementation, Meta, ServerCapabilities } from '../protocol/types.js';
import type { Transport } from '../protocol/transport.js';
import { validateResult } from '../protocol/validate.js';
import type { ProtocolVersion } from '../protocol/versions.js';
import type { ResponseCache } from './cache.js';
import type { ResultFollower } from './extension.js';
import type { ClientOptions } from './options.js';

/** A legacy subscription, told about connection loss and restarts. @internal */
export interface LegacySubscriber {
  interrupted(e: Error): void;
  reconnected(): void;
  closed(e: Error): void;
}

/** @internal */
export interface ClientState {
  readonly info: Implementation;
  /** The options as given; a legacy subscription swaps `onnotification` while it lives. */
  readonly options: ClientOptions;
  capabilities: ClientCapabilities;
  readonly cache: ResponseCache | undefined;
  peer: Peer | undefined;
  transport: Transport | undefined;
  /** The revision in use; set before the handshake's request (server requests are judged by it meanwhile). */
  version: ProtocolVersion | undefined;
  serverCapabilities: ServerCapabilities;
  serverInfo: Implementation | undefined;
  instructions: string | undefined;
  /** A `connect()` in progress: calls fail at once (TSMCP_NOT_CONNECTED) instead of racing the era probe. */
  connecting: boolean;
  /** A stdio server restart in progress: requests and re-listens wait for it. */
  recovering: Promise<void> | undefined;
  /** The required `_meta` of modern requests, built once per version. */
  baseMeta: { version: ProtocolVersion; meta: Meta } | undefined;
  /** Followers of extension result types, by resultType. */
  readonly followers: Map<string, { methods: readonly string[]; follow: ResultFollower }>;
  readonly legacyPassThrough: ((method: string, params: JsonObject) => boolean)[];
  /** Listen streams by request id: their notifications carry it as `subscriptionId`. */
  readonly listeners: Map<string | number, (method: string, params: JsonObject) => void>;
  /** Legacy resources/subscribe is per session, not per Subscription: how many of ours hold each URI. */
  readonly legacyHolds: Map<string, number>;
  readonly legacySubs: Set<LegacySubscriber>;
}

/** Throw a local error (never confused with a peer's McpError) when a result lacks what its method promises. @internal */
export function checked(method: string, result: JsonObject): JsonObject {
  const problem = validateResult(method, result);
  if (problem) throw new TsmcpError('TSMCP_INVALID_RESPONSE', problem);
  return result;
}
