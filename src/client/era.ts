// Era negotiation: the server/discover probe, initialize, the fallbacks between them, the required `_meta`
// of modern requests, and the per-process cache of verdicts.
import { encodeLegacyClientCapabilities } from '../protocol/codec.js';
import { ErrorCode, McpError, TsmcpError } from '../protocol/errors.js';
import { isObject } from '../protocol/jsonrpc.js';
import { META } from '../protocol/meta.js';
import type { DiscoverResult, Implementation, InitializeResult, LoggingLevel, Meta } from '../protocol/types.js';
import {
  LATEST_LEGACY_VERSION,
  LATEST_PROTOCOL_VERSION,
  MODERN_VERSIONS,
  SUPPORTED_PROTOCOL_VERSIONS,
  isLegacyVersion,
  isModernVersion,
  type Era,
  type ProtocolVersion,
} from '../protocol/versions.js';
import type { ClientOptions } from './options.js';
import { checked, type ClientState } from './state.js';

/** Era verdicts per server (transport `eraCacheKey`) for this process. @internal */
export const ERA_CACHE = new Map<string, Era>();

/** @internal What `ClientOptions.version` asks for. */
export type Want = NonNullable<ClientOptions['version']>;

/**
 * @internal Settle the revision on a started peer: the handshake `want` (or `prior`) names, else the probe;
 * `probing` is told while the probe runs (a server that exits on it gets a plain initialize next).
 */
export async function settle(s: ClientState, want: Want, probing: (on: boolean) => void): Promise<void> {
  if (want === 'legacy' || isLegacyVersion(want) || s.options.prior === 'legacy') {
    await initialize(s, isLegacyVersion(want) ? want : LATEST_LEGACY_VERSION, isLegacyVersion(want));
  } else if (isModernVersion(want) || s.options.prior === 'modern') {
    await discover(s, isModernVersion(want) ? want : LATEST_PROTOCOL_VERSION, true);
  } else {
    probing(true);
    await probe(s);
    probing(false);
  }
}

/** @internal Spec: send server/discover; a result or a recognised modern error means modern; anything else legacy. */
export async function probe(s: ClientState): Promise<void> {
  try {
    await discover(s, LATEST_PROTOCOL_VERSION, false);
  } catch (e) {
    if (e instanceof McpError && e.code === ErrorCode.UnsupportedProtocolVersion) {
      // A modern server: pick from what it offers, never fall back blindly.
      const supported =
        isObject(e.data) && Array.isArray(e.data.supported)
          ? e.data.supported.filter((v): v is string => typeof v === 'string')
          : [];
      const modern = MODERN_VERSIONS.find((v) => supported.includes(v));
      if (modern) return discover(s, modern, true);
      const legacy = SUPPORTED_PROTOCOL_VERSIONS.find((v) => isLegacyVersion(v) && supported.includes(v));
      if (legacy) return initialize(s, legacy, false);
      throw new TsmcpError(
        'TSMCP_VERSION_NEGOTIATION',
        `No common protocol version: the server supports ${supported.join(', ') || 'none it listed'}`,
      );
    }
    // Other errors only a 2026-07-28 server sends also settle the era: probe once more, and let a second failure stand.
    if (isModernAnswer(e)) return discover(s, LATEST_PROTOCOL_VERSION, true);
    if (e instanceof TsmcpError && e.code === 'TSMCP_CONNECTION_CLOSED') throw e;
    // A failed authorization is about credentials, not the revision: initialize would authorize again.
    if (isAuthFailure(e)) throw e;
    await initialize(s, LATEST_LEGACY_VERSION, false);
  }
}

/** A `TSMCP_AUTH_…` error (tsmcp/auth's AuthError), thrown or as the cause of the transport's error. */
function isAuthFailure(e: unknown): boolean {
  for (let x = e, depth = 0; x instanceof TsmcpError && depth < 3; x = x.cause, depth++)
    if (x.code.startsWith('TSMCP_AUTH_')) return true;
  return false;
}

/** @internal Ask server/discover in `version` (`pinned`: no probe timeout) and take the server's answer. */
export async function discover(s: ClientState, version: ProtocolVersion, pinned: boolean): Promise<void> {
  s.version = version;
  const raw = await s.peer!.request(
    'server/discover',
    { _meta: metaOf(s, version) },
    { timeoutMs: pinned ? undefined : (s.options.probeTimeoutMs ?? 5_000) },
  );
  const result = raw as DiscoverResult; // its two required fields are checked just below
  if (!Array.isArray(result.supportedVersions) || !isObject(result.capabilities)) {
    s.version = undefined;
    throw new TsmcpError('TSMCP_INVALID_RESPONSE', 'server/discover returned a malformed result');
  }
  if (!result.supportedVersions.includes(version)) {
    const other = MODERN_VERSIONS.find((v) => result.supportedVersions.includes(v));
    if (!other) {
      s.version = undefined;
      throw new TsmcpError(
        'TSMCP_VERSION_NEGOTIATION',
        `Server supports ${result.supportedVersions.join(', ')}; this client speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`,
      );
    }
    s.version = other;
  }
  s.serverCapabilities = result.capabilities;
  const info = (isObject(result._meta) && result._meta[META.serverInfo]) || raw.serverInfo;
  // Self-asserted and informational (never a security signal): taken as the server wrote it, like before.
  s.serverInfo = isObject(info) ? (info as unknown as Implementation) : undefined;
  s.instructions = typeof result.instructions === 'string' ? result.instructions : undefined;
  s.cache?.put('server/discover', {}, raw);
}

/** @internal The legacy handshake, offering `version` (`pinned`: accept no other). */
export async function initialize(s: ClientState, version: ProtocolVersion, pinned: boolean): Promise<void> {
  s.version = undefined; // a failed probe may have left the modern revision here
  // checked() verified the fields InitializeResult requires (protocolVersion, capabilities, serverInfo).
  const result = checked(
    'initialize',
    await s.peer!.request(
      'initialize',
      {
        protocolVersion: version,
        capabilities: encodeLegacyClientCapabilities(s.capabilities, version),
        clientInfo: s.info,
      },
      { cancellable: false },
    ), // the spec forbids cancelling initialize, even on timeout
  ) as InitializeResult;
  const agreed = result.protocolVersion;
  if (!isLegacyVersion(agreed) || (pinned && agreed !== version)) {
    throw new TsmcpError(
      'TSMCP_VERSION_NEGOTIATION',
      `Server answered initialize with protocol version ${String(agreed)}, which this client ${pinned ? 'was told not to use' : 'does not speak'}`,
    );
  }
  s.version = agreed;
  s.serverCapabilities = isObject(result.capabilities) ? result.capabilities : {};
  s.serverInfo = isObject(result.serverInfo) ? result.serverInfo : undefined;
  s.instructions = typeof result.instructions === 'string' ? result.instructions : undefined;
  await s.peer!.notify('notifications/initialized');
}

/** @internal The required `_meta` of every modern request (built once per version), plus per-call extras. */
export function metaOf(s: ClientState, version: ProtocolVersion, extra?: Meta, logLevel?: LoggingLevel): Meta {
  if (s.baseMeta?.version !== version) {
    s.baseMeta = {
      version,
      meta: {
        [META.protocolVersion]: version,
        [META.clientCapabilities]: s.capabilities,
        [META.clientInfo]: s.info,
      },
    };
  }
  const base = s.baseMeta.meta;
  if (!extra && logLevel === undefined) return base;
  const meta: Meta = { ...extra, ...base };
  if (logLevel !== undefined) meta[META.logLevel] = logLevel;
  return meta;
}

/** Errors only a 2026-07-28 server sends (a -32602 counts when it names the missing `_meta`). */
function isModernAnswer(e: unknown): boolean {
  if (!(e instanceof McpError)) return false;
  if (e.code === ErrorCode.HeaderMismatch || e.code === ErrorCode.MissingRequiredClientCapability) return true;
  return (
    e.code === ErrorCode.InvalidParams &&
    /_meta|io\.modelcontextprotocol\//.test(`${e.message} ${JSON.stringify(e.data ?? '')}`)
  );
}
