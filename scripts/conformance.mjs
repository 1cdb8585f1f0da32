// The official MCP conformance suite (tools/node22: @modelcontextprotocol/conformance, locked), run under
// Node 22 and scored from the checks.json files it writes (never from its stdout).
//
//   node scripts/conformance.mjs URL [REVISION... | all]                 server leg, against a running server
//   node scripts/conformance.mjs --client COMMAND [REVISION... | all] [--only NAME,...]
//                                                                       client leg, against a client program
//
// (default revisions: 2025-11-25 2026-07-28). Server leg: a REVISION is a requirement set bundled with the
// suite: only its `server` scenarios count, one without a result counts as failed. `all` runs the whole
// suite (--suite all) and counts every scenario found, except those whose checks were all skipped
// (reported as skipped). Client leg: COMMAND (run by the suite through /bin/sh, with the mock server's URL
// appended) is run once per scenario, two at a time (all at once starves a small machine), for every
// client scenario of the revision's set, the not-scored ones included, minus CLIENT_EXCLUDED (empty
// today); each counts. Client `all`: every client scenario the suite lists (`conformance list --client`,
// the ones only `--suite all` reaches included, e.g. the 2025-03-26 auth fallbacks), each run once at its
// own revision; all-SKIPPED ones are reported as skipped. `--only` runs just the named client scenarios
// (a name the suite does not know leaves no result and counts as failed, so a typo cannot pass). A
// scenario passes when its checks.json has at least one SUCCESS and no FAILURE (the suite's own
// tier-check rule). The last line is
//   conformance-server: N passed, M failed[, K skipped]      (or conformance-client: ...)
// and the exit status is 0 only when M is 0 and N > 0.
// Environment: TSMCP_CONFORMANCE_TIMEOUT (seconds per server revision run, default 600), TSMCP_CONFORMANCE_KEEP=1
// (keep the results folder).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/** The running CLIs' process groups, killed on exit and on SIGINT/SIGTERM so no scenario client outlives us. */
const groups = new Set();
function reap(group) {
  for (const g of group === undefined ? [...groups] : [group]) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // already gone
    }
    groups.delete(g);
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    reap();
    process.exit(130);
  });
}

/**
 * One CLI run in its own process group, bounded by `limitS` seconds; resolves when it exits (status unused).
 * The group is killed afterwards: the CLI kills only the /bin/sh it spawned for a client, not the client.
 */
function runCli(node, cli, args, logFile, limitS = RUN_TIMEOUT_S) {
  return new Promise((resolve) => {
    const fd = openSync(logFile, 'w');
    const child = spawn(node, [cli, ...args], { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const group = child.pid;
    groups.add(group);
    const timer = setTimeout(() => {
      process.stderr.write(`conformance: run exceeded ${limitS} s, killed\n`);
      reap(group);
    }, limitS * 1000);
    child.once('exit', () => {
      clearTimeout(timer);
      reap(group);
      resolve();
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      die(`cannot start the suite: ${e.message}`);
    });
  });
}

/**
 * scenario name → 'pass' | 'fail' | 'empty' | 'error', from `<out>/server-<scenario>-<stamp>/checks.json`
 * (client leg: `<out>/<scenario>-<stamp>/checks.json`).
 */
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
        failing = checks
          .filter((c) => c.status === 'FAILURE')
          .map((c) => `${c.id}: ${String(c.errorMessage ?? c.description ?? '').slice(0, 160)}`);
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

/**
 * Prints one revision's block and returns its counts; `required` undefined = count every scenario found.
 * `skipEmpty`: an all-SKIPPED scenario is reported as skipped instead of failed (`all` runs).
 */
function score(leg, rev, found, required, skipEmpty = !required) {
  const names = required ?? [...found.keys()].sort();
  let p = 0;
  let s = 0;
  const lines = [];
  for (const name of names) {
    const r = found.get(name) ?? { verdict: 'missing', failing: [] };
    if (r.verdict === 'pass') p++;
    else if (skipEmpty && r.verdict === 'empty') s++;
    else lines.push(`  FAIL ${name} [${r.verdict}] ${r.failing[0] ?? ''}`);
  }
  const which = !required || rev === 'all' ? ' (whole suite)' : leg === 'client' ? ' (all)' : ' (required)';
  console.log(`${leg} ${rev}: ${p}/${names.length - s} passed${which}${s ? `, ${s} skipped` : ''}`);
  for (const line of lines) console.log(line);
  return { p, s, f: names.length - p - s };
}

/** Client scenarios not run (none today: the DPoP extension runs since the client speaks RFC 9449). */
const CLIENT_EXCLUDED = [];
/** Client scenarios run at once: each is a CLI, a mock server and a client process. */
const CLIENT_JOBS = 2;

/** The client scenarios of a requirement set, scored and not-scored, minus the excluded ones. */
function clientScenarios(doc, file) {
  if (!Array.isArray(doc.client) || doc.client.length === 0) die(`${file}: no client scenarios (format changed?)`);
  const extra = (doc.not_scored ?? []).filter((e) => e.leg === 'client').map((e) => e.scenario);
  return [...doc.client, ...extra].filter((n) => !CLIENT_EXCLUDED.includes(n));
}

/** Every client scenario of the pinned suite, from `conformance list --client` (`  - name [revisions]`). */
function allClientScenarios(node, cli) {
  const run = spawnSync(node, [cli, 'list', '--client'], { encoding: 'utf8', timeout: 60_000 });
  const names = [...String(run.stdout).matchAll(/^\s+- (\S+) \[/gm)].map((m) => m[1]);
  if (names.length === 0) die(`conformance list --client printed no scenarios (format changed?)\n${run.stderr}`);
  return names.filter((n) => !CLIENT_EXCLUDED.includes(n));
}

async function main() {
  const argv = process.argv.slice(2);
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt === -1 ? undefined : argv.splice(onlyAt, 2)[1]?.split(',').filter(Boolean);
  if (only !== undefined && only.length === 0) die('--only needs a comma-separated list of scenario names');
  const leg = argv[0] === '--client' ? 'client' : 'server';
  const [target, ...args] = leg === 'client' ? argv.slice(1) : argv;
  if (!target || target === '-h' || target === '--help')
    die(
      'usage: node scripts/conformance.mjs URL [REVISION... | all]\n       node scripts/conformance.mjs --client COMMAND [REVISION...]',
    );
  if (leg === 'server' && !loopback(target))
    die(`refusing ${target}: only http(s) URLs on localhost, 127.0.0.0/8 or [::1]`);
  const revisions = args.length > 0 ? args : ['2025-11-25', '2026-07-28'];
  if (only && leg !== 'client') die('--only is for the client leg');

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
    let doc;
    const file = join(pkg, 'requirements', `${rev}.yaml`);
    if (rev !== 'all') {
      if (!existsSync(file))
        die(
          `no requirement set ${rev} in the pinned suite (known: ${readdirSync(join(pkg, 'requirements')).join(', ')})`,
        );
      doc = parse(readFileSync(file, 'utf8'));
    }
    const out = join(root, rev);
    let required;
    if (leg === 'client') {
      required = rev === 'all' ? allClientScenarios(node, cli) : clientScenarios(doc, file);
      if (only) required = only; // names outside the set have no result: counted as failed
      mkdirSync(`${out}.logs`, { recursive: true });
      const queue = [...required];
      const worker = async () => {
        for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
          const log = join(`${out}.logs`, `${s.replaceAll('/', '_')}.log`);
          // `all`: each scenario at its own revision, as --suite all runs it.
          const at = rev === 'all' ? [] : ['--spec-version', rev, '--force'];
          const args = [
            'client',
            '--command',
            target,
            '--scenario',
            s,
            ...at,
            '--timeout',
            String(SCENARIO_TIMEOUT_MS),
            '-o',
            out,
          ];
          await runCli(node, cli, args, log, SCENARIO_TIMEOUT_MS / 1000 + 60);
        }
      };
      await Promise.all(Array.from({ length: CLIENT_JOBS }, worker));
    } else {
      if (doc) {
        required = doc.server;
        if (!Array.isArray(required) || required.length === 0) die(`${file}: no server scenarios (format changed?)`);
      }
      const select = rev === 'all' ? ['--suite', 'all'] : ['--requirements', rev];
      await runCli(
        node,
        cli,
        ['server', '--url', target, ...select, '--timeout', String(SCENARIO_TIMEOUT_MS), '-o', out],
        `${out}.log`,
      );
    }

    const found = results(out);
    if (found.size === 0 && leg === 'server')
      process.stderr.write(
        `conformance: ${rev}: no results; end of the log:\n${readFileSync(`${out}.log`, 'utf8').slice(-2000)}\n`,
      );
    if (found.size === 0 && leg === 'client')
      process.stderr.write(
        `conformance: ${rev}: no results; logs in ${out}.logs (TSMCP_CONFORMANCE_KEEP=1 keeps them)\n`,
      );
    const { p, s, f } = score(leg, rev, found, required, !required || rev === 'all');
    passed += p;
    skipped += s;
    failed += f;
  }
  if (process.env.TSMCP_CONFORMANCE_KEEP === '1') console.log(`results in ${root}`);
  else rmSync(root, { recursive: true, force: true });
  console.log(`conformance-${leg}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((e) => {
  reap();
  die(e.stack ?? String(e));
});
