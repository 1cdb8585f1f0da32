// A server that reports a completed task without its result: the client fails with a typed error
// naming the task, never a raw TypeError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TsmcpError } from '../../src/index.js';
import { McpServer } from '../../src/entries/server.js';
import { connectPair } from '../helpers/pair.js';

describe('client: completed task without a result', () => {
  it('throws TSMCP_INVALID_RESPONSE naming the task, when following and when resuming', async () => {
    const s = new McpServer({ name: 'broken-tasks', version: '1' }, { tasks: { pollIntervalMs: 5 } });
    s.registerTool('job', { task: 'always' }, async () => ({ content: [] }));
    // The server's tasks/get forgets the result of completed tasks.
    s.server.setRequestHandler('tasks/get', (p) => ({
      resultType: 'complete',
      taskId: String(p.taskId),
      status: 'completed',
      createdAt: '2025-01-01T00:00:00Z',
      lastUpdatedAt: '2025-01-01T00:00:00Z',
      ttlMs: 60_000,
    }));
    const { client } = await connectPair(s, { tasks: true });
    const typed = (e: unknown) =>
      e instanceof TsmcpError &&
      e.code === 'TSMCP_INVALID_RESPONSE' &&
      /Task \S+ completed without a result/.test(e.message);
    await assert.rejects(client.callTool('job'), typed);
    await assert.rejects(client.resumeTask('abc123'), (e: unknown) => typed(e) && /abc123/.test((e as Error).message));
  });
});
