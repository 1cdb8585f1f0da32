// Test helper: a tsmcp client connected to a tsmcp server over the in-memory pair, with the wire
// recorder on both directions.
import { Client, type ClientOptions } from '../../src/entries/client.js';
import type { McpServer } from '../../src/entries/server.js';
import { createLinkedPair } from '../../src/transports/memory/index.js';
import { WireRecorder, recordTransport } from './wire-recorder.js';

export async function connectPair(server: McpServer, options: ClientOptions = {}) {
  const [ct, st] = createLinkedPair();
  const recorder = new WireRecorder();
  const conn = await server.connect(recordTransport(st, recorder, 'server'));
  const client = new Client({ name: 'test-client', version: '1.0.0' }, options);
  await client.connect(recordTransport(ct, recorder, 'client'));
  return { client, recorder, conn };
}
