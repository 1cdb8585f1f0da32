// requireScopes(): scopes per tool and per method as a table, in server middleware, on top of those
// registered with a tool (`scopes`). A caller lacking one gets the resource server's 403 `insufficient_scope`.
import type { JsonObject } from '../../protocol/jsonrpc.js';
import type { Middleware } from '../../server/middleware.js';
import { checkScopes } from './metadata.js';
import type { ProtectedResource } from './protected-resource.js';

export interface ScopeRules {
  /** Scopes a `tools/call` of each tool needs (on top of the resource's `requiredScopes`). */
  tools?: { readonly [name: string]: readonly string[] };
  /** Scopes each request method needs (`resources/read`, `prompts/get`...); a tool call needs both. */
  methods?: { readonly [method: string]: readonly string[] };
  /**
   * Leave out of `tools/list` the tools this token cannot call (by this table and the tools' registered
   * `scopes`). Default false (listed; calling them is 403). McpServer's `hideUnauthorized` does the
   * same for registered scopes without this middleware.
   */
  hideTools?: boolean;
}

/**
 * Middleware that refuses a request whose token lacks the scopes its tool or method needs.
 * @example server.use(requireScopes(rs, { tools: { deploy: ['deploy'] }, hideTools: true }));
 */
export function requireScopes(rs: ProtectedResource, rules: ScopeRules): Middleware {
  const tools = new Map(Object.entries(rules.tools ?? {}).map(([n, s]) => [n, checkScopes(`tools.${n}`, s)]));
  const methods = new Map(Object.entries(rules.methods ?? {}).map(([m, s]) => [m, checkScopes(`methods.${m}`, s)]));
  const none: readonly string[] = [];
  return async (req, next) => {
    const auth = req.identity.auth;
    // With the scopes registered for it (a tool's `scopes`): one refusal names every scope needed.
    let needed = union(methods.get(req.method) ?? none, req.scopesOf(req.method, req.params));
    if (req.method === 'tools/call' && typeof req.params.name === 'string') {
      const forTool = tools.get(req.params.name);
      if (forTool) needed = union(needed, forTool);
    }
    if (needed.length) {
      const refusal = rs.checkScopes(auth, needed);
      if (refusal) throw refusal;
    }
    const result = await next();
    if (req.method !== 'tools/list' || !rules.hideTools || !Array.isArray(result.tools)) return result;
    const callable = (result.tools as JsonObject[]).filter((t) => {
      const name = String(t.name);
      const s = union(tools.get(name) ?? none, req.scopesOf('tools/call', { name }));
      return !rs.checkScopes(auth, s);
    });
    return { ...result, tools: callable };
  };
}

function union(a: readonly string[], b: readonly string[]): readonly string[] {
  return b.length === 0 ? a : a.length === 0 ? b : [...new Set([...a, ...b])];
}
