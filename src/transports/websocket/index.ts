/**
 * tsmcp/websocket: the deprecated WebSocket transport (never part of the MCP specification), kept
 * working with the `mcp` subprotocol for peers that still use it. Needs the optional `ws` package.
 * @module tsmcp/websocket
 */
import type { IncomingMessage } from 'node:http';
import { deprecate } from '../../deprecation.js';
import { TsmcpError } from '../../protocol/errors.js';
import { connectServer, type ServerConnection } from '../../server/connection.js';
import { securityCheck, type SecurityOptions } from '../shared/security.js';
import { serverOf, type ServerLike } from '../shared/server-of.js';
import { WebSocketTransport, type WebSocketLike } from './transport.js';

const SUBPROTOCOL = 'mcp';
const MIGRATE =
  'use Streamable HTTP instead (StreamableHttpClientTransport from tsmcp/http; createNodeHandler from tsmcp/node). See DEPRECATIONS.md.';

/**
 * @deprecated WebSocket was never part of MCP. Use `StreamableHttpClientTransport` from `tsmcp/http`.
 * A client transport over a WebSocket with the `mcp` subprotocol.
 */
export class WebSocketClientTransport extends WebSocketTransport {
  readonly #url: string;
  constructor(url: string | URL, options: { maxMessageBytes?: number } = {}) {
    deprecate('TSMCP_DEP001', `WebSocketClientTransport is deprecated: WebSocket was never part of MCP; ${MIGRATE}`);
    super(undefined, options.maxMessageBytes);
    this.#url = String(url);
  }

  override async start(): Promise<void> {
    const { default: WebSocket } = await import('ws').catch((e: unknown) => {
      throw new TsmcpError('TSMCP_UNSUPPORTED', 'The WebSocket transport needs the optional package "ws" (npm i ws)', {
        cause: e,
      });
    });
    const socket = new WebSocket(this.#url, SUBPROTOCOL);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (e) =>
        reject(
          new TsmcpError('TSMCP_CONNECTION_CLOSED', `WebSocket connection to ${this.#url} failed: ${e.message}`, {
            cause: e,
          }),
        ),
      );
    });
    if (socket.protocol !== SUBPROTOCOL) {
      socket.close(1002, 'subprotocol');
      throw new TsmcpError(
        'TSMCP_CONNECTION_CLOSED',
        `The server did not accept the "${SUBPROTOCOL}" WebSocket subprotocol`,
      );
    }
    this.attach(socket as unknown as WebSocketLike);
  }
}

export interface WebSocketHandlerOptions extends SecurityOptions {
  /** Longest accepted message in bytes. Default 4 MiB (also set the WebSocketServer's `maxPayload`). */
  maxMessageBytes?: number;
  /** Most bytes queued for a client that does not read; beyond, its socket is dropped. Default 4 MiB. */
  maxBufferedBytes?: number;
}

/**
 * @deprecated WebSocket was never part of MCP. Serve Streamable HTTP with `createNodeHandler` (`tsmcp/node`).
 * Returns a `connection` listener for a `ws` WebSocketServer: each socket becomes one connection to
 * `server` (legacy or modern, as the client speaks). Create the WebSocketServer with
 * `handleProtocols: pickMcpSubprotocol` so only `mcp` clients are accepted. Browsers do not apply CORS
 * to WebSockets, so the upgrade request's Host and Origin are checked as on HTTP (`options`, loopback
 * only by default); a refused socket is closed with 1008 before any message is read.
 * @example new WebSocketServer({ port, handleProtocols: pickMcpSubprotocol }).on('connection', createWebSocketHandler(server));
 */
export function createWebSocketHandler(
  server: ServerLike,
  options: WebSocketHandlerOptions = {},
): (socket: WebSocketLike, request?: IncomingMessage) => Promise<ServerConnection | undefined> {
  deprecate(
    'TSMCP_DEP001',
    `The WebSocket server transport is deprecated: WebSocket was never part of MCP; ${MIGRATE}`,
  );
  const target = serverOf(server);
  const refuse = securityCheck(options);
  return async (socket, request) => {
    if ((socket as { protocol?: string }).protocol !== SUBPROTOCOL) {
      socket.close(1002, 'the mcp subprotocol is required');
      return undefined;
    }
    // ws always passes the upgrade request; without one there is nothing to check against.
    const refused = request && refuse(request.headers.host, request.headers.origin);
    if (refused) {
      // A close reason is at most 123 bytes.
      socket.close(
        1008,
        Buffer.from(`Forbidden: ${refused}`)
          .subarray(0, 123)
          .toString('utf8')
          .replace(/\uFFFD$/, ''),
      );
      return undefined;
    }
    const transport = new WebSocketTransport(socket, options.maxMessageBytes, options.maxBufferedBytes);
    if (request) {
      transport.identity = {
        transport: 'websocket',
        remoteAddress: request.socket?.remoteAddress,
        header: (name) => {
          const v = request.headers[name.toLowerCase()];
          return Array.isArray(v) ? v.join(', ') : v;
        },
      };
    }
    return connectServer(target, transport);
  };
}

/** For `new WebSocketServer({ handleProtocols })`: accept only the `mcp` subprotocol. */
export function pickMcpSubprotocol(protocols: Set<string>): string | false {
  return protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false;
}

export type { WebSocketLike } from './transport.js';
