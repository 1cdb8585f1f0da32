/**
 * tsmcp/testing: a client connected to a server in memory in one call, on either era, with every message
 * of both directions checked against the official MCP schema of the negotiated revision. Runtime-neutral.
 * @module tsmcp/testing
 */
import { Client, type ClientOptions } from '../entries/client.js';
import { connectServer, type McpServer, type Server } from '../entries/server.js';
import type { RequestIdentity } from '../protocol/identity.js';
import type { Implementation } from '../protocol/types.js';
import { LATEST_PROTOCOL_VERSION, type ProtocolVersion } from '../protocol/versions.js';
import { createLinkedPair } from '../transports/memory/index.js';
import { checkedTransport, Wire, WireViolationError } from './wire.js';

export type { WireViolation } from './validate.js';
export { REVISIONS } from './schema-set.js';
export type { Direction, Revision } from './schema-set.js';
export { Wire, WireViolationError, type WireEntry } from './wire.js';

export interface InMemoryOptions {
  /**
   * Which era the client speaks: `auto` (default) probes as a real client does (2026-07-28 against a
   * tsmcp server); `modern` pins 2026-07-28; `legacy` runs the initialize handshake at the newest legacy
   * revision; a revision (`2025-06-18`) pins that one.
   */
  era?: 'auto' | 'modern' | 'legacy' | ProtocolVersion;
  /** Options of the Client (input handlers, capabilities, middleware, `tasks`…); `version` is set by `era`. */
  client?: ClientOptions;
  /** The client's name and version. Default `{ name: 'tsmcp-testing', version: '0.0.0' }`. */
  clientInfo?: Implementation;
  /** Who the server sees at the other end (`ctx.identity`), e.g. `{ transport: 'memory', auth: { subject: 'alice' } }`. */
  identity?: RequestIdentity;
}

export interface InMemoryConnection {
  /** A connected tsmcp Client. */
  client: Client;
  /** What crossed the connection: `messages`, `violations`, the negotiated `revision`. */
  wire: Wire;
  /**
   * Close both ends. Throws a `WireViolationError` (code `TSMCP_WIRE_INVALID`) when a message outside a
   * call (a notification, a server request, an answer the client sent) broke the schema.
   */
  close(): Promise<void>;
}

/**
 * Connect a Client to `server` over the in-memory transport pair. A message that does not match the MCP
 * schema fails the call it belongs to with a `WireViolationError` (`TSMCP_WIRE_INVALID`), naming the
 * message, direction, revision and schema path; `close()` throws for the others.
 * @example
 * const { client, close } = await connectInMemory(server, { era: 'legacy' });
 * const { tools } = await client.listTools();
 * await close();
 */
export async function connectInMemory(
  server: McpServer | Server,
  options: InMemoryOptions = {},
): Promise<InMemoryConnection> {
  const [clientSide, serverSide] = createLinkedPair(options.identity ? { identity: options.identity } : {});
  const connection = 'connect' in server ? await server.connect(serverSide) : await connectServer(server, serverSide);
  const wire = new Wire();
  const era = options.era ?? 'auto';
  const client = new Client(options.clientInfo ?? { name: 'tsmcp-testing', version: '0.0.0' }, {
    ...options.client,
    version: era === 'modern' ? LATEST_PROTOCOL_VERSION : era,
  });
  const close = async () => {
    await client.close();
    await connection.close();
    await wire.settled();
    const unreported = wire.takeUnreported();
    if (unreported.length > 0) throw new WireViolationError(unreported);
  };
  try {
    await client.connect(checkedTransport(clientSide, wire));
  } catch (e) {
    await client.close().catch(() => {});
    await connection.close().catch(() => {});
    throw e;
  }
  return { client, wire, close };
}
