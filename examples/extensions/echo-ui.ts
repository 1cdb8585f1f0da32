// A small extension written the way tsmcp/tasks is: `com.example/echo-ui` adds one method
// (`echo/say`, 2026-07-28 only, for clients that declare the extension), advertises its settings, and
// marks the tools configured for it in tools/list and in their results. Tested by
// test/extensions/example-extension.test.ts; explained in docs/extensions.md.
import type { ClientExtension } from '../../src/entries/client.js';
import { ErrorCode, McpError, type JsonObject } from '../../src/index.js';
import type { ServerExtension } from '../../src/entries/server.js';

export const ECHO_UI = 'com.example/echo-ui';

/** Per-tool configuration: `registerTool(name, { extensions: { [ECHO_UI]: { badge: '…' } } }, …)`. */
export interface EchoUiToolConfig {
  badge: string;
}

/** The server side. */
export function echoUi(): ServerExtension {
  return {
    id: ECHO_UI,
    settings: { version: 1 },
    install(host) {
      host.setRequestHandler(
        'echo/say',
        (params, ctx) => {
          // A method of an extension is for clients that declared it (-32021 names what is missing).
          if (!isObject(ctx.clientCapabilities.extensions) || !(ECHO_UI in ctx.clientCapabilities.extensions)) {
            throw new McpError(ErrorCode.MissingRequiredClientCapability, `echo/say needs the ${ECHO_UI} extension`, {
              requiredCapabilities: { extensions: { [ECHO_UI]: {} } },
            });
          }
          return { said: typeof params.text === 'string' ? params.text : '' };
        },
        { era: 'modern' },
      );
      host.addToolHooks({
        list: (tool, config) =>
          config ? { ...tool, _meta: { ...tool._meta, [ECHO_UI]: config as JsonObject } } : tool,
        // Around each call of a configured tool: its result carries the badge too.
        wrap: async ({ ctx, config }, next) => {
          const result = await next(ctx);
          if (!config) return result;
          const meta = isObject(result._meta) ? result._meta : {};
          return { ...result, _meta: { ...meta, [ECHO_UI]: config as JsonObject } };
        },
      });
    },
  };
}

/** The client side: declares the extension on every request. */
export function echoUiClient(): ClientExtension {
  return { id: ECHO_UI, install: (host) => host.declareCapability({ version: 1 }) };
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
