// `npm run bench`: every row of the performance issue's table in one run, tsmcp beside a bare handler
// that does no MCP work and the official v2 SDK, printed as one markdown table with ratios of medians.
//   --quick        fewer repeats and requests (under 3 minutes on a 2-core machine)
//   --json <file>  also write every figure (each repeat's value, median, range, ratios) to <file>
//   --fleet        then the fleet section (alone: npm run bench:fleet)
//   --profile      instead, profile the tsmcp servers under load (alone: npm run bench:profile)
//   --only <groups> only these sections, comma-separated: http, alloc, rss, stdio, client, cold
// Repeats are interleaved: each repeat runs every kind once, in an order rotated from repeat to repeat.
// Everything stays on 127.0.0.1; every loop is bounded; every child is killed when this process ends.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { CONNECTIONS, httpAllocation, httpLoad, rssPerSession, startHttp, stopHttp } from './http.js';
import { type Figure, KINDS, type Kind, figure, log, order } from './lib.js';
import {
  IN_FLIGHT,
  clientLoad,
  coldStart,
  pipelined,
  sequential,
  startCaller,
  startStdio,
  stdioAllocation,
} from './stdio.js';

const args = process.argv.slice(2);
const known = new Set(['--quick', '--json', '--fleet', '--profile', '--only']);
const GROUPS = ['http', 'alloc', 'rss', 'stdio', 'client', 'cold'];
for (const [i, a] of args.entries())
  if (!known.has(a) && args[i - 1] !== '--json' && args[i - 1] !== '--only') {
    console.error(
      `unknown option ${a}: npm run bench [-- --quick] [--json <file>] [--fleet] [--profile] [--only ${GROUPS.join(',')}]`,
    );
    process.exit(2);
  }
if (args.includes('--profile')) {
  await import('./profile.js').then((m) => m.runProfile(args.includes('--quick')));
  process.exit(0);
}
const quick = args.includes('--quick');
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',') : GROUPS;
for (const g of only)
  if (!GROUPS.includes(g)) {
    console.error(`--only: unknown section ${g} (sections: ${GROUPS.join(', ')})`);
    process.exit(2);
  }
const want = (group: string) => only.includes(group);
const jsonFile = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
if (args.includes('--json') && (!jsonFile || jsonFile.startsWith('--'))) {
  console.error('--json needs a file name');
  process.exit(2);
}

const P = quick
  ? { repeats: 4, http: 3000, seq: 1000, pipe: 10_000, alloc: 1000, sessions: 2000, client: 3000, cold: 6 }
  : { repeats: 8, http: 6000, seq: 3000, pipe: 10_000, alloc: 1000, sessions: 4000, client: 6000, cold: 10 };

interface Row {
  id: string;
  label: string;
  unit: string;
  aim: string;
  digits: number;
  /** The bare and official columns mean something else on this row. */
  note?: string;
}
const ROWS: Row[] = [
  {
    id: 'http-modern-rps',
    label: `HTTP 2026-07-28 tools/call, ${CONNECTIONS} conns: req/s`,
    unit: 'req/s',
    aim: '≥ 0.75× bare',
    digits: 0,
  },
  {
    id: 'http-modern-cpu',
    label: 'HTTP 2026-07-28: server CPU per request',
    unit: 'µs',
    aim: '≤ 1.35× bare',
    digits: 1,
  },
  {
    id: 'http-legacy-rps',
    label: `HTTP 2025-11-25 (sessions), ${CONNECTIONS} conns: req/s`,
    unit: 'req/s',
    aim: '≥ 0.75× bare',
    digits: 0,
  },
  {
    id: 'http-legacy-cpu',
    label: 'HTTP 2025-11-25: server CPU per request',
    unit: 'µs',
    aim: '≤ 1.35× bare',
    digits: 1,
  },
  { id: 'alloc-http', label: 'allocation per request, HTTP 2026-07-28', unit: 'KiB', aim: '≤ 12 KiB', digits: 1 },
  { id: 'alloc-stdio', label: 'allocation per request, stdio', unit: 'KiB', aim: '≤ 12 KiB', digits: 1 },
  { id: 'rss-session', label: 'RSS per open legacy session', unit: 'KiB', aim: '≤ 6 KiB', digits: 1 },
  { id: 'heap-session', label: '(JS heap per open legacy session)', unit: 'KiB', aim: '–', digits: 1 },
  { id: 'stdio-seq', label: 'stdio sequential calls/s', unit: 'calls/s', aim: '≥ 0.8× bare', digits: 0 },
  {
    id: 'stdio-pipe',
    label: `stdio pipelined calls/s (${P.pipe.toLocaleString('en')} written at once)`,
    unit: 'calls/s',
    aim: '≥ 0.4× bare',
    digits: 0,
  },
  {
    id: 'client',
    label: `client calls/s, ${IN_FLIGHT} in flight, vs a bare responder`,
    unit: 'calls/s',
    aim: '≥ 0.7× bare',
    digits: 0,
    note: 'bare = a hand-written JSON-RPC caller; official = the v2 Client',
  },
  {
    id: 'cold',
    label: 'cold start, spawn → first tools/list over stdio',
    unit: 'ms',
    aim: '≤ 1.25× bare',
    digits: 1,
  },
];

const values: { [row: string]: { [k in Kind]?: number[] } } = {};
const put = (row: string, kind: Kind, v: number | undefined) => {
  if (v !== undefined && Number.isFinite(v)) ((values[row] ??= {})[kind] ??= []).push(v);
};
const started = performance.now();
const load0 = os.loadavg()[0]!;
const R = P.repeats;

// HTTP throughput and CPU: one child per kind, both wires per repeat.
if (want('http')) {
  log(`HTTP: ${R} repeats × ${P.http} tools/call per wire, ${CONNECTIONS} connections`);
  const servers = new Map<Kind, Awaited<ReturnType<typeof startHttp>>>();
  try {
    for (const k of KINDS) servers.set(k, await startHttp(k));
    for (let r = 0; r < R; r++) {
      for (const k of order(KINDS, r)) {
        for (const wire of ['modern', 'legacy'] as const) {
          const f = await httpLoad(servers.get(k)!, wire, P.http);
          put(`http-${wire}-rps`, k, f.rps);
          put(`http-${wire}-cpu`, k, f.cpuPerRequest);
        }
      }
      log(`  repeat ${r + 1}/${R}`);
    }
  } finally {
    for (const s of servers.values()) await stopHttp(s);
  }
}

// Allocation per request on both wires, in children with a large young generation (probe.ts).
if (want('alloc')) {
  log(`allocation: ${R} windows of ${P.alloc} requests per wire`);
  const http = new Map<Kind, Awaited<ReturnType<typeof startHttp>>>();
  const stdio = new Map<Kind, Awaited<ReturnType<typeof startStdio>>>();
  try {
    for (const k of KINDS) http.set(k, await startHttp(k, 'alloc'));
    for (const k of KINDS) stdio.set(k, await startStdio(k, 'alloc'));
    for (let r = 0; r < R; r++)
      for (const k of order(KINDS, r)) {
        put('alloc-http', k, (await httpAllocation(http.get(k)!, P.alloc)) / 1024);
        put('alloc-stdio', k, (await stdioAllocation(stdio.get(k)!, P.alloc)) / 1024);
      }
  } finally {
    for (const s of http.values()) await stopHttp(s);
    for (const s of stdio.values()) await s.child.close();
  }
}

// RSS per open legacy session: a fresh child per measurement.
if (want('rss')) {
  log(`sessions: ${R} repeats × ${P.sessions} legacy sessions`);
  for (let r = 0; r < R; r++)
    for (const k of order(KINDS, r)) {
      const f = await rssPerSession(k, P.sessions);
      put('rss-session', k, f && f.rss / 1024);
      put('heap-session', k, f && f.heap / 1024);
    }
}

// stdio sequential and pipelined, raw lines.
if (want('stdio')) {
  log(`stdio: ${R} repeats × ${P.seq} sequential + ${P.pipe} pipelined calls`);
  const servers = new Map<Kind, Awaited<ReturnType<typeof startStdio>>>();
  try {
    for (const k of KINDS) servers.set(k, await startStdio(k));
    for (let r = 0; r < R; r++)
      for (const k of order(KINDS, r)) {
        put('stdio-seq', k, await sequential(servers.get(k)!, P.seq));
        put('stdio-pipe', k, await pipelined(servers.get(k)!, P.pipe));
      }
  } finally {
    for (const s of servers.values()) await s.child.close();
  }
}

// Client overhead: the callers against the bare responder.
if (want('client')) {
  log(`client: ${R} repeats × ${P.client} calls`);
  const callers = new Map<Kind, Awaited<ReturnType<typeof startCaller>>>();
  try {
    for (const k of KINDS) {
      const c = await startCaller(k);
      callers.set(k, c);
      await clientLoad(c, 500);
    }
    for (let r = 0; r < R; r++)
      for (const k of order(KINDS, r)) put('client', k, await clientLoad(callers.get(k)!, P.client));
  } finally {
    for (const c of callers.values()) await c.close();
  }
}

// Cold start (no probe: a plain `node script`).
if (want('cold')) {
  log(`cold start: ${P.cold} spawns per kind`);
  for (let r = 0; r < P.cold; r++) for (const k of order(KINDS, r)) put('cold', k, await coldStart(k));
}

const seconds = (performance.now() - started) / 1000;

// The table.
const figures = ROWS.map((row) => {
  const v = values[row.id] ?? {};
  const f: { [k in Kind]?: Figure } = {};
  for (const k of KINDS) if (v[k]?.length) f[k] = figure(v[k]!);
  const ratio = (a?: Figure, b?: Figure) => (a && b ? a.median / b.median : undefined);
  return { ...row, figures: f, vsBare: ratio(f.tsmcp, f.bare), vsOfficial: ratio(f.tsmcp, f.official) };
});
const cell = (f: Figure | undefined, digits: number) => {
  if (!f) return '–';
  const n = (x: number) => x.toFixed(digits);
  return `${n(f.median)} [${n(f.min)}–${n(f.max)}]`;
};
const times = (x?: number) => (x === undefined ? '–' : `${x.toFixed(2)}×`);
const table = [
  ['row', 'tsmcp (median [range])', 'bare', 'official', 'tsmcp÷bare', 'tsmcp÷official', 'aim'],
  ...figures
    .filter((r) => Object.keys(r.figures).length > 0) // --only: the sections run
    .map((r) => [
      r.label.includes(r.unit) ? r.label : `${r.label} (${r.unit})`,
      cell(r.figures.tsmcp, r.digits),
      cell(r.figures.bare, r.digits),
      cell(r.figures.official, r.digits),
      times(r.vsBare),
      times(r.vsOfficial),
      r.aim,
    ]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((l) => l[i]!.length)));
const line = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(
  `\n${quick ? 'quick' : 'full'} run: ${R} interleaved repeats (cold start: ${P.cold}), Node ${process.version}, ` +
    `${os.cpus().length} CPUs, load average ${load0.toFixed(1)} at start, ${seconds.toFixed(0)} s\n`,
);
console.log(line(table[0]!));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const l of table.slice(1)) console.log(line(l));
console.log(
  '\nRatios are of medians. bare: a handler that does no MCP work (canned answers; the HTTP one keeps a session\n' +
    'map); official: the official v2 SDK. Client row: bare = a hand-written JSON-RPC caller, official = the v2\n' +
    'Client, all against the bare stdio responder. Allocation: JS heap bytes per request between two GCs\n' +
    '(bench/servers/probe.ts). HTTP 2025-11-25: sessions on every server (official: its documented\n' +
    'isLegacyRequest routing to sessionful WebStandardStreamableHTTPServerTransports beside createMcpHandler).\n' +
    'One loader process shares the cores with the server: ratios, not absolute figures, carry across machines.',
);
if (jsonFile) {
  writeFileSync(
    jsonFile,
    `${JSON.stringify(
      {
        mode: quick ? 'quick' : 'full',
        date: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        loadAverageAtStart: load0,
        seconds,
        parameters: P,
        rows: figures,
      },
      null,
      2,
    )}\n`,
  );
  log(`figures written to ${jsonFile}`);
}
if (args.includes('--fleet')) await import('./fleet.js').then((m) => m.runFleet());
