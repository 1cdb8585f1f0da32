// `npm run bench:profile` (or `npm run bench -- --profile`): the tsmcp servers under --cpu-prof, for the
// HTTP 2026-07-28 tools/call load (16 connections) and the stdio pipelined load (10,000 lines at once), each
// followed by the top self-time functions of its .cpuprofile, so optimisers see where the time goes.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONNECTIONS, httpLoad, startHttp, stopHttp } from './http.js';
import { log } from './lib.js';
import { pipelined, startStdio } from './stdio.js';

const TOP = 15;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name, file, line), summed over every node of the profile; sorted, largest first. */
export function selfTimes(p: CpuProfile): { name: string; where: string; ms: number; share: number }[] {
  const byNode = new Map<number, ProfileNode>(p.nodes.map((n) => [n.id, n]));
  const time = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  // timeDeltas[i] is the time before samples[i]; attribute it to the sample that ends it (as DevTools does).
  for (let i = 0; i < p.samples.length; i++) {
    const us = p.timeDeltas[i + 1] ?? 0;
    const f = byNode.get(p.samples[i]!)!.callFrame;
    const file = f.url.includes('/node_modules/')
      ? f.url.slice(f.url.lastIndexOf('/node_modules/') + 1)
      : f.url.replace(/^.*\/dist\//, 'dist/');
    const where = file ? `${file}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName}@${where}`;
    const e = time.get(key) ?? { name: f.functionName || '(anonymous)', where, us: 0 };
    e.us += us;
    time.set(key, e);
    total += us;
  }
  return [...time.values()]
    .sort((a, b) => b.us - a.us)
    .map((e) => ({ name: e.name, where: e.where, ms: e.us / 1000, share: total ? e.us / total : 0 }));
}

function print(title: string, dir: string) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${title}: no .cpuprofile written`);
  const rows = selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile).slice(0, TOP);
  console.log(`\n${title}: top ${TOP} functions by self time`);
  console.log(`${'self %'.padStart(7)} ${'ms'.padStart(8)}  function  (file:line)`);
  for (const r of rows)
    console.log(`${(r.share * 100).toFixed(1).padStart(6)}% ${r.ms.toFixed(1).padStart(8)}  ${r.name}  ${r.where}`);
}

export async function runProfile(quick = false) {
  const requests = quick ? 5000 : 20_000;
  const batches = quick ? 2 : 5;
  const root = mkdtempSync(join(os.tmpdir(), 'tsmcp-prof-'));
  try {
    const httpDir = join(root, 'http');
    log(`profiling the tsmcp HTTP server: ${requests} tools/call (2026-07-28), ${CONNECTIONS} connections`);
    const h = await startHttp('tsmcp', undefined, ['--cpu-prof', `--cpu-prof-dir=${httpDir}`]);
    const f = await httpLoad(h, 'modern', requests);
    await h.child.exit(); // a clean exit writes the profile
    await stopHttp(h);
    print(`HTTP 2026-07-28 tools/call (${f.rps.toFixed(0)} req/s under the profiler)`, httpDir);

    const stdioDir = join(root, 'stdio');
    log(`profiling the tsmcp stdio server: ${batches} × 10,000 pipelined tools/call`);
    const s = await startStdio('tsmcp', undefined, ['--cpu-prof', `--cpu-prof-dir=${stdioDir}`]);
    let rate = 0;
    for (let i = 0; i < batches; i++) rate += (await pipelined(s, 10_000)) / batches;
    await s.child.exit();
    print(`stdio pipelined tools/call (${rate.toFixed(0)} calls/s under the profiler)`, stdioDir);
    console.log(
      '\nSelf time includes warm-up (200 requests per wire, or 300 sequential + 1,000 pipelined calls).\n' +
        '(garbage collector), (program) and (idle) are V8 pseudo-frames.',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runProfile(process.argv.includes('--quick'));
