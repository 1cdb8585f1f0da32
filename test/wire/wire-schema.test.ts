// The wire checker itself: the official 2026-07-28 examples pass, hand-made violations are caught, and the
// recorder follows a connection to the revision negotiated by initialize.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { JsonRpcMessage } from '../../src/protocol/jsonrpc.js';
import type { Transport } from '../../src/protocol/transport.js';
import {
  checkType,
  sendersOf,
  specDir,
  validateMessage,
  type Direction,
  type MessageContext,
  type Revision,
} from '../helpers/wire-schema.js';
import {
  WireRecorder,
  checkWireLog,
  recordTransport,
  wireLogFromEnv,
  wireLogViolations,
  wireSummary,
} from '../helpers/wire-recorder.js';

const examplesDir = join(specDir(), '2026-07-28', 'examples');
const S2C: Direction = 'server->client';
const C2S: Direction = 'client->server';

/** Which request each `*ResultResponse` example answers (by hand, independent of the checker's own mapping). */
const ANSWERS: Record<string, string> = {
  CallToolResultResponse: 'tools/call',
  CompleteResultResponse: 'completion/complete',
  DiscoverResultResponse: 'server/discover',
  GetPromptResultResponse: 'prompts/get',
  ListPromptsResultResponse: 'prompts/list',
  ListResourceTemplatesResultResponse: 'resources/templates/list',
  ListResourcesResultResponse: 'resources/list',
  ListToolsResultResponse: 'tools/list',
  ReadResourceResultResponse: 'resources/read',
  SubscriptionsListenResultResponse: 'subscriptions/listen',
};

/**
 * Official example that is only valid through the loose branch of its envelope: ReadResourceResultResponse
 * accepts `InputRequiredResult | ReadResourceResult`, InputRequiredResult only requires `resultType`, so a
 * `resultType: "complete"` result lacking ReadResourceResult's required ttlMs/cacheScope passes the envelope.
 * The checker picks the branch by resultType and flags it.
 */
const LOOSE_EXAMPLES = new Set(['ReadResourceResultResponse/read-resource-result-response.json']);

const ok = (revision: Revision, message: unknown, context: MessageContext) =>
  assert.deepEqual(validateMessage(revision, message, context), []);
function bad(revision: Revision, message: unknown, context: MessageContext, pattern?: RegExp) {
  const v = validateMessage(revision, message, context);
  assert.ok(v.length > 0, `expected a violation for ${JSON.stringify(message)} at ${revision}`);
  if (pattern)
    assert.ok(
      v.some((x) => pattern.test(`${x.type} ${x.errors}`)),
      `no violation matches ${pattern}: ${JSON.stringify(v, null, 1)}`,
    );
  for (const x of v) {
    assert.equal(x.revision, revision);
    assert.equal(x.direction, context.direction);
    assert.equal(typeof x.message, 'string');
  }
  return v;
}

const init = (id: number, version: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'c', version: '1' } },
});
const initResult = (id: number, version: string) => ({
  jsonrpc: '2.0',
  id,
  result: { protocolVersion: version, capabilities: { tools: {} }, serverInfo: { name: 's', version: '1' } },
});

const meta = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

describe('wire schema: official 2026-07-28 examples', () => {
  it('every whole-message example validates with the right context', () => {
    let checked = 0;
    let loose = 0;
    for (const type of readdirSync(examplesDir).sort()) {
      if (!/(Request|Notification|ResultResponse|Error)$/.test(type)) continue;
      for (const file of readdirSync(join(examplesDir, type)).sort()) {
        const msg = JSON.parse(readFileSync(join(examplesDir, type, file), 'utf8')) as Record<string, unknown>;
        if (!('jsonrpc' in msg)) continue; // bare params/results, embedded MRTR input requests, error objects
        // Sanity: the example is an instance of its folder's type.
        assert.equal(checkType('2026-07-28', type, msg), undefined, `${type}/${file} is not a ${type}`);
        const name = `${type}/${file}`;
        if (type.endsWith('ResultResponse')) {
          const method = ANSWERS[type];
          assert.ok(method, `no method known for ${type}`);
          const v = validateMessage('2026-07-28', msg, { direction: S2C, method });
          if (LOOSE_EXAMPLES.has(name)) {
            assert.ok(
              v.some((x) => x.type === 'ReadResourceResult' && /ttlMs/.test(x.errors) && /cacheScope/.test(x.errors)),
              JSON.stringify(v),
            );
            loose++;
            continue;
          }
          assert.deepEqual(v, [], name);
        } else if (type.endsWith('Error')) {
          assert.deepEqual(validateMessage('2026-07-28', msg, { direction: S2C }), [], name);
        } else {
          const senders = sendersOf('2026-07-28', String(msg.method));
          assert.ok(senders.length > 0, `${name}: nobody may send ${String(msg.method)}`);
          for (const direction of senders)
            assert.deepEqual(validateMessage('2026-07-28', msg, { direction }), [], `${name} (${direction})`);
        }
        checked++;
      }
    }
    assert.equal(loose, LOOSE_EXAMPLES.size);
    // 10 requests, 8 notifications, 11 result responses (one loose), 3 whole-envelope errors.
    assert.equal(checked + loose, 32, `checked ${checked} + ${loose} examples`);
  });

  it('requests are held to the sender side: a server may not send tools/call, nor any request in 2026', () => {
    const msg = JSON.parse(
      readFileSync(join(examplesDir, 'CallToolRequest', 'call-tool-request.json'), 'utf8'),
    ) as unknown;
    bad('2026-07-28', msg, { direction: S2C }, /ServerRequest/);
    bad(
      '2025-06-18',
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } },
      { direction: S2C },
      /ServerRequest/,
    );
    bad(
      '2025-06-18',
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 1 } },
      { direction: C2S },
      /ClientNotification/,
    );
    ok('2025-06-18', { jsonrpc: '2.0', id: 1, method: 'ping' }, { direction: S2C });
    ok('2025-06-18', { jsonrpc: '2.0', id: 1, method: 'ping' }, { direction: C2S });
    // The embedded MRTR request types exist in 2026 but are not JSON-RPC requests any more.
    bad('2026-07-28', { jsonrpc: '2.0', id: 1, method: 'roots/list' }, { direction: S2C }, /ServerRequest/);
  });
});

describe('wire schema: violations are caught', () => {
  it('a 2026 CallToolResult without resultType', () => {
    const msg = { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'hi' }] } };
    bad('2026-07-28', msg, { direction: S2C, method: 'tools/call' }, /CallToolResult.*resultType/);
    ok(
      '2026-07-28',
      { ...msg, result: { ...msg.result, resultType: 'complete' } },
      { direction: S2C, method: 'tools/call' },
    );
    // The same result is fine in a legacy revision.
    ok('2025-06-18', msg, { direction: S2C, method: 'tools/call' });
  });

  it('a tools/list result missing tools', () => {
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, result: { resultType: 'complete', ttlMs: 0, cacheScope: 'private' } },
      { direction: S2C, method: 'tools/list' },
      /ListToolsResult.*tools/,
    );
    bad(
      '2025-06-18',
      { jsonrpc: '2.0', id: 1, result: {} },
      { direction: S2C, method: 'tools/list' },
      /ListToolsResult.*tools/,
    );
    ok('2025-06-18', { jsonrpc: '2.0', id: 1, result: { tools: [] } }, { direction: S2C, method: 'tools/list' });
  });

  it('a 2025-06-18 initialize result with a wrong type', () => {
    const result = { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } };
    ok('2025-06-18', { jsonrpc: '2.0', id: 0, result }, { direction: S2C, method: 'initialize' });
    bad(
      '2025-06-18',
      { jsonrpc: '2.0', id: 0, result: { ...result, protocolVersion: 20250618 } },
      { direction: S2C, method: 'initialize' },
      /InitializeResult.*protocolVersion/,
    );
    bad(
      '2025-06-18',
      { jsonrpc: '2.0', id: 0, result: { ...result, serverInfo: { name: 's' } } },
      { direction: S2C, method: 'initialize' },
      /InitializeResult/,
    );
  });

  it('server/discover sent on 2025-11-25, and methods no revision knows', () => {
    const discover = { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta } };
    ok('2026-07-28', discover, { direction: C2S });
    bad('2025-11-25', discover, { direction: C2S }, /server\/discover is not defined/);
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, method: 'tools/frobnicate', params: {} },
      { direction: C2S },
      /unknown request/,
    );
    bad(
      '2024-11-05',
      { jsonrpc: '2.0', method: 'notifications/frobnicated' },
      { direction: S2C },
      /unknown notification/,
    );
    bad('2026-07-28', { jsonrpc: '2.0', id: 1, method: 'ping' }, { direction: C2S }, /ping is not defined/);
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} },
      { direction: C2S },
      /initialize is not defined/,
    );
    bad(
      '2025-03-26',
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'elicitation/create',
        params: { message: 'x', requestedSchema: { type: 'object', properties: {} } },
      },
      { direction: S2C },
      /elicitation\/create is not defined/,
    );
    // A notification sent with an id (as a request).
    bad(
      '2025-06-18',
      { jsonrpc: '2.0', id: 3, method: 'notifications/initialized' },
      { direction: C2S },
      /is a notification/,
    );
  });

  it('malformed envelopes', () => {
    bad('2026-07-28', { jsonrpc: '1.0', method: 'notifications/tools/list_changed' }, { direction: S2C }, /jsonrpc/);
    bad('2025-06-18', { jsonrpc: '2.0', id: 1 }, { direction: S2C }, /neither/);
    bad('2025-06-18', 'hello', { direction: S2C }, /not a JSON object/);
    bad(
      '2025-06-18',
      { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } },
      { direction: S2C, method: 'ping' },
      /both/,
    );
  });

  it('error responses, with and without id', () => {
    const error = { code: -32601, message: 'Method not found' };
    for (const revision of ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] as const) {
      ok(revision, { jsonrpc: '2.0', id: 7, error }, { direction: S2C });
      // An id-less error answers an unreadable request (validated against 2025-11-25 for older revisions).
      ok(revision, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } }, { direction: S2C });
      bad(revision, { jsonrpc: '2.0', id: null, error }, { direction: S2C }, /id/);
      bad(revision, { jsonrpc: '2.0', id: 7, error: { code: '-32601', message: 'x' } }, { direction: S2C }, /code/);
    }
    // 2026 specific error types, chosen by code.
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, error: { code: -32022, message: 'Unsupported protocol version' } },
      { direction: S2C },
      /UnsupportedProtocolVersionError.*data/,
    );
    ok(
      '2026-07-28',
      {
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32022, message: 'Unsupported', data: { supported: ['2026-07-28'], requested: '1999-01-01' } },
      },
      { direction: S2C },
    );
  });

  it('InputRequiredResult only for multi round-trip capable requests, and well-formed', () => {
    const input = { resultType: 'input_required', requestState: 'abc' };
    ok('2026-07-28', { jsonrpc: '2.0', id: 1, result: input }, { direction: S2C, method: 'tools/call' });
    ok('2026-07-28', { jsonrpc: '2.0', id: 1, result: input }, { direction: S2C, method: 'resources/read' });
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, result: input },
      { direction: S2C, method: 'tools/list' },
      /multi round-trip/,
    );
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, result: input },
      { direction: S2C, method: 'tools/call', mrtr: false },
      /multi round-trip/,
    );
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, result: { resultType: 'input_required' } },
      { direction: S2C, method: 'tools/call' },
      /inputRequests \/ requestState/,
    );
    const elicit = {
      resultType: 'input_required',
      inputRequests: {
        a: {
          method: 'elicitation/create',
          params: { message: 'Name?', requestedSchema: { type: 'object', properties: { n: { type: 'string' } } } },
        },
      },
    };
    ok(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, result: elicit },
      { direction: S2C, method: 'tools/call', clientCapabilities: { elicitation: {} } },
    );
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, result: elicit },
      { direction: S2C, method: 'tools/call', clientCapabilities: {} },
      /capability elicitation/,
    );
    bad(
      '2026-07-28',
      {
        jsonrpc: '2.0',
        id: 1,
        result: { resultType: 'input_required', inputRequests: { a: { method: 'tools/list' } } },
      },
      { direction: S2C, method: 'tools/call' },
      /InputRequiredResult/,
    );
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, result: { resultType: 'partial', content: [] } },
      { direction: S2C, method: 'tools/call' },
      /unknown resultType/,
    );
  });

  it('tasks extension messages go to the ext-tasks schema, on 2026 only', () => {
    const get = { jsonrpc: '2.0', id: 4, method: 'tasks/get', params: { _meta: meta, taskId: 't1' } };
    ok('2026-07-28', get, { direction: C2S });
    bad('2026-07-28', { ...get, params: { _meta: meta } }, { direction: C2S }, /ext-tasks:GetTaskRequest/);
    bad('2026-07-28', get, { direction: S2C }, /ServerRequest/);
    bad('2025-06-18', get, { direction: C2S }, /tasks\/get is not defined/);
    const task = {
      resultType: 'task',
      taskId: 't1',
      status: 'working',
      createdAt: '2026-01-01T00:00:00Z',
      lastUpdatedAt: '2026-01-01T00:00:00Z',
      ttlMs: null,
    };
    ok('2026-07-28', { jsonrpc: '2.0', id: 1, result: task }, { direction: S2C, method: 'tools/call', tasks: true });
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, result: task },
      { direction: S2C, method: 'tools/call', tasks: false },
      /declare/,
    );
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, result: task },
      { direction: S2C, method: 'prompts/get', tasks: true },
      /only answer tools\/call/,
    );
    bad(
      '2026-07-28',
      { jsonrpc: '2.0', id: 1, result: { ...task, status: 'sleeping' } },
      { direction: S2C, method: 'tools/call', tasks: true },
      /CreateTaskResult/,
    );
    ok(
      '2026-07-28',
      {
        jsonrpc: '2.0',
        id: 4,
        result: {
          resultType: 'complete',
          taskId: 't1',
          status: 'working',
          createdAt: 'x',
          lastUpdatedAt: 'y',
          ttlMs: 1000,
        },
      },
      { direction: S2C, method: 'tasks/get' },
    );
    // 2025-11-25 core tasks: a task-augmented tools/call is answered with CreateTaskResult {task}.
    const t25 = {
      taskId: 't1',
      status: 'working',
      createdAt: '2025-01-01T00:00:00Z',
      lastUpdatedAt: '2025-01-01T00:00:00Z',
      ttl: null,
    };
    ok(
      '2025-11-25',
      { jsonrpc: '2.0', id: 1, result: { task: t25 } },
      { direction: S2C, method: 'tools/call', tasks: true },
    );
    bad(
      '2025-11-25',
      { jsonrpc: '2.0', id: 1, result: { task: { taskId: 't1' } } },
      { direction: S2C, method: 'tools/call', tasks: true },
      /CreateTaskResult/,
    );
  });
});

describe('wire recorder', () => {
  it('follows a legacy conversation to the negotiated revision', () => {
    const r = new WireRecorder();
    assert.equal(r.revision, '2026-07-28');
    r.record(C2S, init(0, '2025-11-25'));
    r.record(C2S, { jsonrpc: '2.0', id: 'p', method: 'ping' }); // allowed before the answer: legacy already
    r.record(S2C, { jsonrpc: '2.0', id: 'p', result: {} });
    r.record(S2C, initResult(0, '2025-06-18'));
    assert.equal(r.revision, '2025-06-18');
    r.record(C2S, { jsonrpc: '2.0', method: 'notifications/initialized' });
    r.record(C2S, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    // A legacy tools/list result: no resultType/ttlMs/cacheScope, which 2026 would require.
    const listResult = { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 't', inputSchema: { type: 'object' } }] } };
    assert.ok(validateMessage('2026-07-28', listResult, { direction: S2C, method: 'tools/list' }).length > 0);
    r.record(S2C, listResult);
    assert.deepEqual(r.violations(), []);
    assert.equal(r.count, 7);
    r.assertClean();

    // Now a bad result (and a result nobody asked for) after the switch.
    r.record(C2S, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    r.record(S2C, { jsonrpc: '2.0', id: 2, result: { tools: [{ name: 7 }] } });
    r.record(S2C, { jsonrpc: '2.0', id: 99, result: {} });
    const v = r.violations();
    assert.ok(
      v.some((x) => x.revision === '2025-06-18' && x.type === 'ListToolsResult' && x.method === 'tools/list'),
      JSON.stringify(v),
    );
    assert.ok(v.some((x) => x.type === 'RequestId' && /answers no request/.test(x.errors)));
    assert.throws(
      () => r.assertClean(),
      (e: unknown) =>
        e instanceof assert.AssertionError && /schema violation/.test(e.message) && /ListToolsResult/.test(e.message),
    );
  });

  it('stays on 2026 without initialize, and reverts when initialize fails', () => {
    const r = new WireRecorder();
    r.record(C2S, { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta } });
    r.record(S2C, { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } });
    r.record(C2S, init(2, '2025-06-18'));
    assert.equal(r.revision, '2025-06-18');
    r.record(S2C, { jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'Unsupported protocol version' } });
    assert.equal(r.revision, '2026-07-28');
    r.assertClean();
    r.record(C2S, { jsonrpc: '2.0', id: 3, method: 'ping' });
    assert.equal(r.violations().length, 1);
  });

  it('with `only`, holds just one side to the schema; a pinned revision does not move', () => {
    const r = new WireRecorder({ only: S2C });
    r.record(C2S, init(0, '2025-03-26'));
    r.record(S2C, initResult(0, '2025-03-26'));
    r.record(C2S, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 5 } }); // the peer's fault: ignored
    r.record(S2C, { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'Invalid params' } });
    assert.equal(r.count, 2);
    assert.equal(r.revision, '2025-03-26');
    r.assertClean();

    const pinned = new WireRecorder({ revision: '2025-06-18' });
    pinned.record(C2S, init(0, '2024-11-05'));
    pinned.record(S2C, initResult(0, '2024-11-05'));
    assert.equal(pinned.revision, '2025-06-18');
    pinned.assertClean();
  });

  it('batches are only allowed in 2025-03-26; in-flight ids may not be reused', () => {
    const r = new WireRecorder({ revision: '2025-03-26' });
    r.record(C2S, [
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ]);
    r.record(S2C, [
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 2, result: { tools: [] } },
    ]);
    r.assertClean();
    assert.equal(r.count, 4);
    const later = new WireRecorder({ revision: '2025-06-18' });
    later.record(C2S, [{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    assert.ok(later.violations().some((x) => /batches are not allowed/.test(x.errors)));
    later.record(C2S, { jsonrpc: '2.0', id: 1, method: 'ping' });
    assert.ok(later.violations().some((x) => /reused/.test(x.errors)));
  });

  it('2026 requests tell the checker about MRTR and declared capabilities', () => {
    const r = new WireRecorder();
    r.record(C2S, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { _meta: meta, name: 'ask' } });
    r.record(S2C, {
      jsonrpc: '2.0',
      id: 1,
      result: { resultType: 'input_required', inputRequests: { q: { method: 'roots/list' } } },
    });
    assert.ok(
      r.violations().some((x) => /capability roots/.test(x.errors)),
      JSON.stringify(r.violations()),
    );
    const withTasks = new WireRecorder();
    const caps = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
    withTasks.record(C2S, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { _meta: { ...meta, 'io.modelcontextprotocol/clientCapabilities': caps }, name: 'slow' },
    });
    withTasks.record(S2C, {
      jsonrpc: '2.0',
      id: 1,
      result: { resultType: 'task', taskId: 't', status: 'working', createdAt: 'a', lastUpdatedAt: 'b', ttlMs: null },
    });
    withTasks.record(C2S, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { _meta: meta, name: 'slow' } });
    withTasks.record(S2C, {
      jsonrpc: '2.0',
      id: 2,
      result: { resultType: 'task', taskId: 't', status: 'working', createdAt: 'a', lastUpdatedAt: 'b', ttlMs: null },
    });
    const v = withTasks.violations();
    assert.equal(v.length, 1, JSON.stringify(v));
    assert.match(v[0]!.errors, /declare/);
  });
});

/** A linked pair of in-process transports (enough for the wrapper tests). */
function pair(): [Transport, Transport] {
  const make = (): Transport & { peer?: Transport } => ({
    start: async () => {},
    close: async () => {},
    send: async () => {},
  });
  const a = make();
  const b = make();
  a.send = async (m: JsonRpcMessage | JsonRpcMessage[]) => b.onmessage?.(JSON.parse(JSON.stringify(m)));
  b.send = async (m: JsonRpcMessage | JsonRpcMessage[]) => a.onmessage?.(JSON.parse(JSON.stringify(m)));
  return [a, b];
}

describe('recordTransport and wire logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsmcp-wire-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('records each message once when both ends are wrapped, and both directions otherwise', async () => {
    const [c, s] = pair();
    const r = new WireRecorder();
    const server = recordTransport(s, r, 'server');
    const client = recordTransport(c, r, 'client');
    server.onmessage = (m) =>
      void server.send({
        jsonrpc: '2.0',
        id: (m as { id: number }).id,
        result: { tools: [] },
      } as unknown as JsonRpcMessage);
    const got: unknown[] = [];
    client.onmessage = (m) => got.push(m);
    await client.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { _meta: meta },
    } as unknown as JsonRpcMessage);
    assert.equal(got.length, 1);
    assert.equal(r.count, 2);
    // The reply lacks resultType/ttlMs/cacheScope (2026): caught once, not twice.
    assert.equal(r.violations().filter((v) => v.type === 'ListToolsResult').length, 1);

    const [c2, s2] = pair();
    const one = new WireRecorder({ only: S2C });
    const server2 = recordTransport(s2, one, 'server');
    server2.onmessage = (m) =>
      void server2.send({
        jsonrpc: '2.0',
        id: (m as { id: number }).id,
        result: { resultType: 'complete', tools: [], ttlMs: 0, cacheScope: 'public' },
      } as unknown as JsonRpcMessage);
    await c2.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { bogus: true },
    } as unknown as JsonRpcMessage); // peer's request: tracked only
    assert.equal(one.count, 1);
    one.assertClean();
  });

  it('wireLogFromEnv writes {dir, msg} lines that checkWireLog replays', async () => {
    const file = join(dir, 'wire.jsonl');
    const saved = process.env.TSMCP_WIRE_LOG;
    try {
      delete process.env.TSMCP_WIRE_LOG;
      assert.equal(wireLogFromEnv('server'), undefined);
      const [c0] = pair();
      assert.equal(wireLogFromEnv(c0, 'server'), c0);
      process.env.TSMCP_WIRE_LOG = file;
      const sink = wireLogFromEnv('server');
      assert.ok(sink);
      const [c, s] = pair();
      const server = sink.wrap(s);
      server.onmessage = (m) => {
        const id = (m as { id: number }).id;
        void server.send(
          (id === 0
            ? initResult(0, '2025-06-18')
            : { jsonrpc: '2.0', id, result: { tools: 'none' } }) as unknown as JsonRpcMessage,
        );
      };
      await c.send(init(0, '2025-06-18') as unknown as JsonRpcMessage);
      await c.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' } as unknown as JsonRpcMessage);
    } finally {
      if (saved === undefined) delete process.env.TSMCP_WIRE_LOG;
      else process.env.TSMCP_WIRE_LOG = saved;
    }
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { dir: string; msg: unknown });
    assert.deepEqual(
      lines.map((l) => l.dir),
      [C2S, S2C, C2S, S2C],
    );
    const r = checkWireLog(file, { only: S2C });
    assert.equal(r.revision, '2025-06-18');
    assert.equal(r.count, 2);
    const v = wireLogViolations(file, { only: S2C });
    assert.equal(v.length, 1);
    assert.equal(v[0]!.type, 'ListToolsResult');
    assert.throws(() => checkWireLog(join(dir, 'missing.jsonl')), /no wire log/);
    writeFileSync(join(dir, 'broken.jsonl'), '{"dir":"server->client"\n{}\n');
    assert.throws(() => checkWireLog(join(dir, 'broken.jsonl')), /not JSON/);
  });

  it('wireSummary totals every recorder of the process', () => {
    const before = wireSummary();
    const r = new WireRecorder();
    r.record(S2C, { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    r.record(S2C, { jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: 5 });
    const now = wireSummary();
    assert.equal(now.connections, before.connections + 1);
    assert.equal(now.messages, before.messages + 2);
    assert.equal(now.violations, before.violations + r.violations().length);
    assert.ok(r.violations().length > 0);
  });
});
