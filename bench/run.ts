// `npm run bench`: tsmcp beside the official v2 SDK over stdio (cold start, sequential and pipelined
// round trips), printed side by side. Loops are bounded; everything stays on this machine.
import { fileURLToPath } from 'node:url';
import { Client } from '../src/entries/client.js';
import { StdioClientTransport } from '../src/transports/stdio/index.js';
import { runFleet } from './fleet.js';
import { runHttp } from './http.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SERVERS = [
  { name: 'tsmcp', script: here('./servers/tsmcp-stdio.js') },
  { name: 'official v2', script: here('./servers/official-stdio.js') },
];
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2000);
const PIPELINED = Number(process.env.BENCH_PIPELINED ?? 5000);
const IN_FLIGHT = 64;
const COLD_RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function connect(script: string, version: 'auto' | '2026-07-28' | '2025-11-25') {
  const client = new Client({ name: 'bench', version: '1' }, { version, cache: false });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [script], stderr: 'ignore' }));
  return client;
}

async function coldStart(script: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const t0 = performance.now();
    const c = await connect(script, '2025-11-25');
    await c.listTools();
    times.push(performance.now() - t0);
    await c.close();
  }
  return median(times);
}

async function sequential(client: Client): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) await client.callTool('echo', { text: 'hi' });
  return SEQUENTIAL / ((performance.now() - t0) / 1000);
}

async function pipelined(client: Client): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < PIPELINED) {
      next++;
      await client.callTool('echo', { text: 'hi' });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return PIPELINED / ((performance.now() - t0) / 1000);
}

const rows: { [metric: string]: number[] } = {};
const put = (metric: string, v: number) => (rows[metric] ??= []).push(v);

for (const s of SERVERS) {
  process.stderr.write(`benchmarking ${s.name}…\n`);
  put('cold start, spawn → first tools/list (ms, median)', await coldStart(s.script));
  for (const era of ['2026-07-28', '2025-11-25'] as const) {
    const c = await connect(s.script, era);
    await sequential(c); // warm up
    put(`stdio ${era} sequential (calls/s)`, await sequential(c));
    put(`stdio ${era} pipelined ×${IN_FLIGHT} (calls/s)`, await pipelined(c));
    await c.close();
  }
}

const w = Math.max(...Object.keys(rows).map((k) => k.length));
console.log(`${'metric'.padEnd(w)}  ${SERVERS.map((s) => s.name.padStart(12)).join('')}  ratio`);
for (const [metric, [a, b]] of Object.entries(rows)) {
  const ratio = metric.includes('(ms') ? b! / a! : a! / b!;
  console.log(
    `${metric.padEnd(w)}  ${a!.toFixed(1).padStart(12)}${b!.toFixed(1).padStart(12)}  ${ratio.toFixed(2)}x in tsmcp's favour`,
  );
}
console.log(
  '\nThe same tsmcp client drives both servers; ratios, not absolute figures, are what carry across machines.\n',
);

const http = await runHttp();
const kinds = ['tsmcp', 'official', 'bare'];
const hw = Math.max(...Object.keys(http).map((k) => k.length));
console.log(`${'metric'.padEnd(hw)}  ${kinds.map((k) => k.padStart(10)).join('')}  tsmcp/official  tsmcp/bare`);
for (const [metric, v] of Object.entries(http)) {
  const f = (k: string) =>
    v[k] === undefined ? '–'.padStart(10) : v[k]!.toFixed(metric.includes('req/s') ? 0 : 1).padStart(10);
  const ratio = (a?: number, b?: number) => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}x`);
  console.log(
    `${metric.padEnd(hw)}  ${kinds.map(f).join('')}  ${ratio(v.tsmcp, v.official).padStart(14)}  ${ratio(v.tsmcp, v.bare).padStart(10)}`,
  );
}
console.log(
  '\nFor req/s higher is better; for latency, CPU and heap lower is better. One loader process on the same 2 cores: ratios only.',
);

await runFleet();
