// Scopes declared at registration (`registerTool(name, { scopes })`), enforced without any middleware:
// over real loopback HTTP with protectedResource + jwtVerifier on both revisions (tsmcp client with step-up
// against an in-test AS, the official v2 client, raw 403s), and over memory without credentials.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { before, describe, it } from 'node:test';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { oauthClient } from '../../src/auth/client/index.js';
import { jwtVerifier, protectedResource, requireScopes } from '../../src/auth/index.js';
import { Client } from '../../src/entries/client.js';
import { McpServer } from '../../src/entries/server.js';
import { InsufficientScopeError, McpError } from '../../src/protocol/errors.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/index.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { listenNode } from '../helpers/listen.js';
import { serveAuthed } from './helpers.js';

/** An authorization server on 127.0.0.1: JWKS, RFC 8414 metadata, client_credentials minting the scope asked. */
interface TestAs {
  readonly issuer: string;
  readonly jwksUri: string;
  /** The `scope` of each token request, in order. */
  readonly asked: string[];
  mint(claims: { [k: string]: unknown }): Promise<string>;
}

async function startAs(): Promise<TestAs> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const asked: string[] = [];
  let issuer = '';
  const mint = (claims: { [k: string]: unknown }) =>
    new SignJWT({ iss: issuer, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey as CryptoKey);
  const body = async (req: IncomingMessage) => {
    let s = '';
    for await (const chunk of req) s += chunk;
    return new URLSearchParams(s);
  };
  const port = await listenNode(async (req, res) => {
    const json = (v: unknown) => (
      res.writeHead(200, { 'content-type': 'application/json' }), res.end(JSON.stringify(v))
    );
    if (req.url === '/jwks') return json({ keys: [jwk] });
    if (req.url === '/.well-known/oauth-authorization-server')
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      });
    if (req.url === '/token' && req.method === 'POST') {
      const p = await body(req);
      asked.push(p.get('scope') ?? '');
      const token = await mint({ sub: 'svc', client_id: 'svc', aud: p.get('resource'), scope: p.get('scope') ?? '' });
      return json({ access_token: token, token_type: 'Bearer', expires_in: 300 });
    }
    res.writeHead(404).end();
  });
  issuer = `http://127.0.0.1:${port}`;
  return { issuer, jwksUri: `${issuer}/jwks`, asked, mint };
}

let as: TestAs;
before(async () => {
  as = await startAs();
});

/** `deploy` needs scope `deploy` (declared at registration); `whoami` echoes the verified credentials. */
function scopedServer(options: { hideUnauthorized?: boolean } = {}) {
  const runs = { deploy: 0 };
  const s = new McpServer({ name: 'rs', version: '1' }, options);
  s.registerTool('whoami', {}, (_a, ctx) => ({
    content: [{ type: 'text', text: JSON.stringify({ ...ctx.identity.auth, token: undefined }) }],
  }));
  s.registerTool('deploy', { scopes: ['deploy'] }, () => {
    runs.deploy++;
    return { content: [{ type: 'text', text: 'deployed' }] };
  });
  return { s, runs };
}

async function serve(server: McpServer, setup?: (rs: ReturnType<typeof protectedResource>) => void) {
  const { origin } = await serveAuthed('node', server, (o) => {
    const rs = protectedResource({
      resource: `${o}/mcp`,
      authorizationServers: [as.issuer],
      requiredScopes: ['mcp'],
      verifier: jwtVerifier({ issuer: as.issuer, audience: `${o}/mcp`, jwksUri: as.jwksUri }),
    });
    setup?.(rs);
    return rs;
  });
  return `${origin}/mcp`;
}

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** A raw `tools/call` on either wire; `meta` is merged into the request's `_meta`. */
async function rawCall(url: string, token: string, era: 'modern' | 'legacy', name: string, meta: object = {}) {
  const auth = { authorization: `Bearer ${token}` };
  let headers: Record<string, string>;
  let params: object;
  if (era === 'modern') {
    headers = {
      ...HEADERS,
      ...auth,
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': name,
    };
    params = { _meta: { ...META, ...meta }, name, arguments: {} };
  } else {
    const init = await fetch(url, {
      method: 'POST',
      headers: { ...HEADERS, ...auth },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
    await init.text();
    headers = {
      ...HEADERS,
      ...auth,
      'mcp-session-id': init.headers.get('mcp-session-id')!,
      'mcp-protocol-version': '2025-11-25',
    };
    params = { _meta: meta, name, arguments: {} };
  }
  const r = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
  });
  return {
    status: r.status,
    challenge: r.headers.get('www-authenticate'),
    body: (await r.json()) as { result?: unknown; error?: { code: number; data?: unknown } },
  };
}

for (const era of ['modern', 'legacy'] as const) {
  describe(`scopes declared at registration over HTTP (${era === 'modern' ? '2026-07-28' : '2025-11-25 session'})`, () => {
    it('answers a token without the tool scope 403 naming every scope needed; _meta claims never count', async () => {
      const { s, runs } = scopedServer();
      const url = await serve(s);
      const token = await as.mint({ sub: 'bob', aud: url, scope: 'mcp' });
      const claims = {
        scopes: ['deploy'],
        scope: 'mcp deploy',
        authorization: { scopes: ['deploy'] },
        'io.modelcontextprotocol/scopes': ['deploy'],
      };
      for (const meta of [{}, claims]) {
        const r = await rawCall(url, token, era, 'deploy', meta);
        assert.equal(r.status, 403);
        assert.equal(
          r.challenge,
          `Bearer resource_metadata="${new URL(url).origin}/.well-known/oauth-protected-resource/mcp", scope="mcp deploy", error="insufficient_scope"`,
        );
        assert.deepEqual(r.body.error?.data, { error: 'insufficient_scope', scopes: ['mcp', 'deploy'] });
      }
      assert.equal(runs.deploy, 0);
      const ok = await rawCall(url, await as.mint({ sub: 'bob', aud: url, scope: 'mcp deploy' }), era, 'deploy');
      assert.equal(ok.status, 200);
      assert.equal(runs.deploy, 1);
    });

    it("the tsmcp client steps up with held ∪ challenged scopes and the handler sees the verified token's", async () => {
      const { s, runs } = scopedServer();
      const url = await serve(s);
      const start = as.asked.length;
      const client = new Client({ name: 'c', version: '1' }, era === 'legacy' ? { version: 'legacy' } : {});
      await client.connect(
        new StreamableHttpClientTransport(url, {
          auth: oauthClient({
            serverUrl: url,
            grant: { type: 'client_credentials', clientId: 'svc', clientSecret: 's' },
          }),
        }),
      );
      try {
        const r = (await client.callTool('deploy')) as { content: { text: string }[] };
        assert.equal(r.content[0]!.text, 'deployed');
        assert.deepEqual(as.asked.slice(start), ['mcp', 'mcp deploy']);
        const who = (await client.callTool('whoami')) as { content: { text: string }[] };
        const auth = JSON.parse(who.content[0]!.text);
        assert.deepEqual([auth.subject, auth.clientId, auth.scopes], ['svc', 'svc', ['mcp', 'deploy']]);
        assert.equal(runs.deploy, 1);
      } finally {
        await client.close();
      }
    });
  });
}

describe('scopes declared at registration: more over HTTP', () => {
  it('the official v2 client with a token lacking the scope is refused; with it the call runs', async () => {
    const { s, runs } = scopedServer();
    const url = await serve(s);
    const connect = async (scope: string) => {
      const token = await as.mint({ sub: 'v2', aud: url, scope });
      const c = new V2Client({ name: 'official-v2', version: '1.0.0' });
      await c.connect(new V2Http(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      return c;
    };
    const narrow = await connect('mcp');
    try {
      // It reads the 403 challenge: every scope the call needs, the resource's and the tool's.
      await assert.rejects(
        narrow.callTool({ name: 'deploy', arguments: {} }),
        /Insufficient scope: required "mcp deploy"/,
      );
    } finally {
      await narrow.close();
    }
    assert.equal(runs.deploy, 0);
    const wide = await connect('mcp deploy');
    try {
      const r = (await wide.callTool({ name: 'deploy', arguments: {} })) as { content: { text: string }[] };
      assert.equal(r.content[0]!.text, 'deployed');
    } finally {
      await wide.close();
    }
  });

  it('hideUnauthorized leaves out of tools/list what the token cannot call; default lists it', async () => {
    const list = async (hideUnauthorized: boolean | undefined, scope: string) => {
      const url = await serve(scopedServer(hideUnauthorized === undefined ? {} : { hideUnauthorized }).s);
      const token = await as.mint({ sub: 'bob', aud: url, scope });
      const c = new Client({ name: 'c', version: '1' });
      await c.connect(new StreamableHttpClientTransport(url, { headers: { authorization: `Bearer ${token}` } }));
      try {
        return (await c.listTools()).tools.map((t) => t.name);
      } finally {
        await c.close();
      }
    };
    assert.deepEqual(await list(undefined, 'mcp'), ['whoami', 'deploy']);
    assert.deepEqual(await list(true, 'mcp'), ['whoami']);
    assert.deepEqual(await list(true, 'mcp deploy'), ['whoami', 'deploy']);
  });

  it('requireScopes and registration both apply: the 403 names the table, the registration and the resource', async () => {
    const { s, runs } = scopedServer();
    const url = await serve(s, (rs) => s.use(requireScopes(rs, { tools: { deploy: ['ops'] } })));
    for (const scope of ['mcp', 'mcp ops', 'mcp deploy']) {
      const r = await rawCall(url, await as.mint({ sub: 'bob', aud: url, scope }), 'modern', 'deploy');
      assert.equal(r.status, 403, scope);
      assert.deepEqual(r.body.error?.data, { error: 'insufficient_scope', scopes: ['mcp', 'deploy', 'ops'] }, scope);
    }
    assert.equal(runs.deploy, 0);
    const ok = await rawCall(url, await as.mint({ sub: 'bob', aud: url, scope: 'mcp ops deploy' }), 'modern', 'deploy');
    assert.equal(ok.status, 200);
  });
});

describe('scopes declared at registration without HTTP', () => {
  const connect = async (s: McpServer, scopes?: string[], options: { version?: 'legacy' } = {}) => {
    const [a, b] = createLinkedPair(
      scopes ? { identity: { transport: 'memory', auth: { subject: 'alice', scopes } } } : {},
    );
    await s.connect(b);
    const c = new Client({ name: 'c', version: '1' }, { ...options, tasks: true } as never);
    await c.connect(a);
    return c;
  };

  it('refuses (fails closed) a call with no verified credentials, naming the scopes and the missing auth layer', async () => {
    for (const version of [undefined, 'legacy'] as const) {
      const { s, runs } = scopedServer();
      const c = await connect(s, undefined, version ? { version } : {});
      await assert.rejects(c.callTool('deploy'), (e: unknown) => {
        assert.ok(e instanceof McpError);
        assert.equal(e.code, -32600);
        assert.deepEqual(e.data, { error: 'insufficient_scope', scopes: ['deploy'] });
        assert.match(e.message, /deploy/);
        assert.match(e.message, /no verified credentials.*`auth`.*`authenticate`/);
        return true;
      });
      assert.equal(runs.deploy, 0);
      await c.close();
    }
  });

  it('prompts and resources declare scopes too: get, read and completion refused, lists hidden on request', async () => {
    const s = new McpServer({ name: 'p', version: '1' }, { hideUnauthorized: true });
    s.registerPrompt('secret', { scopes: ['p'], arguments: [{ name: 'x', complete: () => ['y'] }] }, () => [
      { role: 'user', content: { type: 'text', text: 'hi' } },
    ]);
    s.registerResource('r', 'mem://r', { scopes: ['r'] }, () => [{ uri: 'mem://r', text: 'secret' }]);
    s.registerResourceTemplate(
      't',
      'mem://t/{id}',
      { scopes: ['r'], list: () => [{ uri: 'mem://t/1', name: 'one' }] },
      (uri) => [{ uri, text: 'secret' }],
    );
    const none = await connect(s, []);
    const refused = { data: { error: 'insufficient_scope', scopes: ['p'] } };
    await assert.rejects(none.getPrompt('secret'), refused);
    await assert.rejects(
      none.complete({ ref: { type: 'ref/prompt', name: 'secret' }, argument: { name: 'x', value: '' } }),
      refused,
    );
    await assert.rejects(none.readResource('mem://r'), { data: { error: 'insufficient_scope', scopes: ['r'] } });
    await assert.rejects(none.readResource('mem://t/1'), { data: { error: 'insufficient_scope', scopes: ['r'] } });
    assert.deepEqual((await none.listPrompts()).prompts, []);
    assert.deepEqual((await none.listResources()).resources, []);
    assert.deepEqual((await none.listResourceTemplates()).resourceTemplates, []);
    const all = await connect(s, ['p', 'r']);
    assert.equal((await all.getPrompt('secret')).messages.length, 1);
    assert.equal((await all.readResource('mem://t/1')).contents.length, 1);
    assert.deepEqual(
      (await all.listResources()).resources.map((r) => r.uri),
      ['mem://r', 'mem://t/1'],
    );
    await none.close();
    await all.close();
  });

  it('a task-augmented call is refused like a direct one: no task, no run', async () => {
    const s = new McpServer({ name: 't', version: '1' }, { tasks: { pollIntervalMs: 10 } });
    let runs = 0;
    s.registerTool('job', { task: 'always', scopes: ['deploy'] }, () => {
      runs++;
      return { content: [{ type: 'text', text: 'done' }] };
    });
    const narrow = await connect(s, ['mcp']);
    await assert.rejects(
      narrow.callTool('job'),
      (e: unknown) =>
        e instanceof InsufficientScopeError ||
        (e instanceof McpError && (e.data as { error?: string }).error === 'insufficient_scope'),
    );
    assert.equal(runs, 0);
    const wide = await connect(s, ['deploy']);
    const r = (await wide.callTool('job')) as { content: { text: string }[] };
    assert.equal(r.content[0]!.text, 'done');
    assert.equal(runs, 1);
    await narrow.close();
    await wide.close();
  });

  it("a task's owner is the verified principal: another principal holding the scope cannot get it", async () => {
    const s = new McpServer({ name: 't', version: '1' }, { tasks: { pollIntervalMs: 10 } });
    let release: () => void = () => {};
    s.registerTool('job', { task: 'always', scopes: ['deploy'] }, async () => {
      await new Promise<void>((r) => (release = r));
      return { content: [{ type: 'text', text: 'done' }] };
    });
    const ids: string[] = [];
    const open = async (subject: string, onstatus?: (t: { taskId: string }) => void) => {
      const [a, b] = createLinkedPair({ identity: { transport: 'memory', auth: { subject, scopes: ['deploy'] } } });
      await s.connect(b);
      const c = new Client({ name: subject, version: '1' }, { tasks: onstatus ? { onstatus } : true } as never);
      await c.connect(a);
      return c;
    };
    const alice = await open('alice', (t) => void ids.push(t.taskId));
    const bob = await open('bob');
    const call = alice.callTool('job');
    for (let i = 0; i < 200 && ids.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(ids.length > 0, 'task created');
    await assert.rejects(bob.request('tasks/get', { taskId: ids[0]! }, { noCache: true } as never), McpError);
    release();
    assert.equal(((await call) as { content: { text: string }[] }).content[0]!.text, 'done');
    await alice.close();
    await bob.close();
  });

  it('refuses scopes that are not OAuth scope tokens at registration', () => {
    const s = new McpServer({ name: 'x', version: '1' });
    for (const scopes of [['a b'], ['"q"'], [''], 'deploy' as never])
      assert.throws(() => s.registerTool('t', { scopes }, () => ({ content: [] })), {
        code: 'TSMCP_INVALID_DEFINITION',
      });
  });
});
