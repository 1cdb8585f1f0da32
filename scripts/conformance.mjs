// The official MCP conformance suite (tools/node22: @modelcontextprotocol/conformance, locked) against a
// running server, under Node 22, scored from the checks.json files it writes (never from its stdout).
//
//   node scripts/conformance.mjs URL [REVISION... | all]     (default: 2025-11-25 2026-07-28)
//
// A REVISION is a requirement set bundled with the suite: only its `server` scenarios count, one without
// a result counts as failed. `all` runs the whole suite (--suite all) and counts every scenario found,
// except those whose checks were all skipped (reported as skipped). A scenario passes when its
// checks.json has at least one SUCCESS and no FAILURE (the suite's own tier-check rule). The last line is
//   conformance-server: N passed, M failed[, K skipped]
// and the exit status is 0 only when M is 0 and N > 0.
// Environment: TSMCP_CONFORMANCE_TIMEOUT (seconds per revision run, default 600), TSMCP_CONFORMANCE_KEEP=1
// (keep the results folder).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { node22, toolsDir } from './node22.mjs';

const SCENARIO_TIMEOUT_MS = 30_000;
const RUN_TIMEOUT_S = Number(process.env.TSMCP_CONFORMANCE_TIMEOUT) || 600;
const STAMP = /-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

function die(message) {
  process.stderr.write(`conformance: ${message}\n`);
  process.exit(2);
}

function loopback(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return /^https?:$/.test(u.protocol) && (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

/** The running CLI's process group, killed on exit and on SIGINT/SIGTERM so no scenario client outlives us. */
let group;
function reap() {
  if (group === undefined) return;
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // already gone
  }
  group = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    reap();
    process.exit(130);
  });
}

/** One CLI run in its own process group, bounded by RUN_TIMEOUT_S; resolves when it exits (status unused). */
function runCli(node, cli, args, logFile) {
  return new Promise((resolve) => {
    const fd = openSync(logFile, 'w');
    const child = spawn(node, [cli, ...args], { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    group = child.pid;
    const timer = setTimeout(() => {
      process.stderr.write(`conformance: run exceeded ${RUN_TIMEOUT_S} s, killed\n`);
      reap();
    }, RUN_TIMEOUT_S * 1000);
    child.once('exit', () => {
      clearTimeout(timer);
      reap();
      resolve();
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      die(`cannot start the suite: ${e.message}`);
    });
  });
}

/** scenario name → 'pass' | 'fail' | 'empty' | 'error', from `<out>/server-<scenario>-<stamp>/checks.json`. */
function results(out) {
  const found = new Map();
  const walk = (dir, prefix) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const rel = `${prefix}${entry.name}`;
      if (!STAMP.test(entry.name)) {
        walk(join(dir, entry.name), `${rel}/`); // scenario names with "/" nest a level down
        continue;
      }
      const name = rel.replace(STAMP, '').replace(/^server-/, '');
      let verdict = 'error';
      let failing = [];
      try {
        const checks = JSON.parse(readFileSync(join(dir, entry.name, 'checks.json'), 'utf8'));
        failing = checks.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${String(c.errorMessage ?? c.description ?? '').slice(0, 160)}`);
        verdict = failing.length > 0 ? 'fail' : checks.some((c) => c.status === 'SUCCESS') ? 'pass' : 'empty';
      } catch {
        // no or unreadable checks.json: the scenario did not finish
      }
      found.set(name, { verdict, failing });
    }
  };
  if (existsSync(out)) walk(out, '');
  return found;
}

async function main() {
  const [url, ...args] = process.argv.slice(2);
  if (!url || url === '-h' || url === '--help') die('usage: node scripts/conformance.mjs URL [REVISION... | all]');
  if (!loopback(url)) die(`refusing ${url}: only http(s) URLs on localhost, 127.0.0.0/8 or [::1]`);
  const revisions = args.length > 0 ? args : ['2025-11-25', '2026-07-28'];

  const node = node22();
  const tools = toolsDir();
  const pkg = join(tools, 'node_modules', '@modelcontextprotocol', 'conformance');
  const cli = join(pkg, 'dist', 'index.js');
  const { parse } = createRequire(join(tools, 'package.json'))('yaml');
  const root = mkdtempSync(join(tmpdir(), 'tsmcp-conformance-'));

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const rev of revisions) {
    let required;
    if (rev !== 'all') {
      const file = join(pkg, 'requirements', `${rev}.yaml`);
      if (!existsSync(file)) die(`no requirement set ${rev} in the pinned suite (known: ${readdirSync(join(pkg, 'requirements')).join(', ')})`);
      required = parse(readFileSync(file, 'utf8')).server;
      if (!Array.isArray(required) || required.length === 0) die(`${file}: no server scenarios (format changed?)`);
    }
    const out = join(root, rev);
    const select = rev === 'all' ? ['--suite', 'all'] : ['--requirements', rev];
    await runCli(node, cli, ['server', '--url', url, ...select, '--timeout', String(SCENARIO_TIMEOUT_MS), '-o', out], `${out}.log`);

    const found = results(out);
    if (found.size === 0) process.stderr.write(`conformance: ${rev}: no results; end of the log:\n${readFileSync(`${out}.log`, 'utf8').slice(-2000)}\n`);
    const names = required ?? [...found.keys()].sort();
    let p = 0;
    let s = 0;
    const lines = [];
    for (const name of names) {
      const r = found.get(name) ?? { verdict: 'missing', failing: [] };
      if (r.verdict === 'pass') p++;
      else if (!required && r.verdict === 'empty') s++;
      else lines.push(`  FAIL ${name} [${r.verdict}] ${r.failing[0] ?? ''}`);
    }
    console.log(`server ${rev}: ${p}/${names.length - s} passed${required ? ' (required)' : ' (whole suite)'}${s ? `, ${s} skipped` : ''}`);
    for (const line of lines) console.log(line);
    passed += p;
    skipped += s;
    failed += names.length - p - s;
  }
  if (process.env.TSMCP_CONFORMANCE_KEEP === '1') console.log(`results in ${root}`);
  else rmSync(root, { recursive: true, force: true });
  console.log(`conformance-server: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((e) => {
  reap();
  die(e.stack ?? String(e));
});
