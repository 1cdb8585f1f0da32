// Test helper for the runtime matrix: the runtimes scripts/runtimes.mjs installed, servers spawned under
// them, and the smoke checks a tsmcp client (in this test's Node) runs against each, both eras.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';
import { Client } from '../../src/entries/client.js';
import type { Transport } from '../../src/protocol/transport.js';
import { recordTransport, WireRecorder } from '../helpers/wire-recorder.js';
import { repoPath } from '../helpers/repo.js';

export type RuntimeName = 'node20' | 'node22' | 'node24' | 'bun' | 'deno' | 'workerd';
export interface Runtime {
  name: RuntimeName;
  bin: string;
  version: string;
}
type Installed = Record<string, { bin?: string; version?: string; error?: string }>;

/** CI (and TSMCP_REQUIRE_RUNTIMES=1) fails on a runtime that did not install; elsewhere it is skipped, saying why. */
const required = !!process.env.CI || process.env.TSMCP_REQUIRE_RUNTIMES === '1';

/** Installs (once, into the tool cache; bounded: 10 minutes per npm run, 25 in all) the named runtimes. */
function install(names: RuntimeName[]): Installed {
  const r = spawnSync(process.execPath, [repoPath('scripts', 'runtimes.mjs'), ...names], {
    encoding: 'utf8',
    timeout: 1_500_000,
  });
  try {
    return JSON.parse(r.stdout) as Installed;
  } catch {
    const why = `scripts/runtimes.mjs printed no result (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr?.slice(-2000)}`;
    return Object.fromEntries(names.map((n) => [n, { error: why }]));
  }
}

/**
 * The runtimes of `names` to run the suite under, and for each that did not install: in CI a failing test
 * with the install error, elsewhere a skipped one with it.
 */
export function runtimes(names: RuntimeName[]): Runtime[] {
  const installed = install(names);
  const ok: Runtime[] = [];
  for (const name of names) {
    const got = installed[name];
    if (got?.bin && got.version) {
      ok.push({ name, bin: got.bin, version: got.version });
      continue;
    }
    const why = got?.error ?? 'not reported by scripts/runtimes.mjs';
    const title = `${name} installs from its npm package`;
    if (required) it(title, () => assert.fail(`${name} did not install, so its smoke suite cannot run: ${why}`));
    else it(title, { skip: `${name} did not install (set CI=1 to make this a failure): ${why}` }, () => {});
  }
  return ok;
}

/** What the runtime's binary needs before a script path: Deno runs npm-compatible code with all permissions. */
export function scriptArgs(rt: Runtime, script: string, ...args: string[]): string[] {
  return rt.name === 'deno' ? ['run', '-A', '--no-lock', script, ...args] : [script, ...args];
}

/** Environment for a child: Deno's cache (DENO_DIR) in its install folder, no update checks, no colours. */
export function runtimeEnv(rt: Runtime): Record<string, string> {
  if (rt.name !== 'deno') return {};
  return { DENO_DIR: join(rt.bin, '..', '..', '..', '..', 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
}

/** A compiled fixture of this folder. */
export const fixture = (name: string): string => repoPath('dist', 'test', 'runtimes', 'fixtures', name);

export interface Child {
  child: ChildProcess;
  /** Output (stdout and stderr) so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Spawn `bin args` and wait (bounded) for a stdout line matching `ready`; returns the match and the child. */
export async function spawnUntil(
  what: string,
  bin: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  waitMs = 30_000,
): Promise<{ match: RegExpExecArray; server: Child }> {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const server: Child = {
    child,
    output: () => out.slice(-3000),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(t);
    },
  };
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void server.stop();
      reject(new Error(`${what}: ${why}; expected a line matching ${ready} on stdout. Output:\n${out.slice(-3000)}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${waitMs} ms`), waitMs);
    const seen = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', (e) => fail(`did not start (${e.message})`));
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal}) before it was ready`));
  });
  return { match, server };
}

export const ERAS = [
  { era: 'modern', version: 'auto', protocol: '2026-07-28' },
  { era: 'legacy', version: '2025-11-25', protocol: '2025-11-25' },
] as const;

/**
 * The smoke checks, over a fresh client transport per era: the era the client detected, a tool call that
 * names the runtime it ran on, and an elicitation (a server→client request on legacy, an input round on
 * modern); every message is checked against the revision's schema.
 */
export async function smoke(
  transport: () => Transport,
  expect: { runtime: RegExp; era: (typeof ERAS)[number]; elicit?: boolean },
  output: () => string,
): Promise<void> {
  const { era, version, protocol } = expect.era;
  const recorder = new WireRecorder({ label: `${era} smoke` });
  const client = new Client(
    { name: 'runtime-smoke-client', version: '1.0.0' },
    { version, handlers: { elicitation: () => ({ action: 'accept', content: { name: 'Ada' } }) } },
  );
  try {
    await client.connect(recordTransport(transport(), recorder, 'client'));
    assert.equal(client.era, era, `the client should detect the ${era} era`);
    assert.equal(client.protocolVersion, protocol);
    const where = await client.callTool('where');
    const text = (where.content[0] as { text: string }).text;
    assert.match(text, expect.runtime, `the tool should run on the runtime under test; got "${text}"`);
    assert.match(text, new RegExp(`\\| ${era} ${protocol}$`));
    if (expect.elicit !== false) {
      const ask = await client.callTool('ask');
      assert.equal((ask.content[0] as { text: string }).text, 'hello Ada');
    }
    recorder.assertClean();
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- server output ---\n${output()}`, { cause: e });
  } finally {
    await client.close();
  }
}

/** What `where` names: `node 22.23.3`, `bun 1.4.4`, `deno 2.9.6`, `workerd`. */
export function runtimePattern(rt: Runtime): RegExp {
  if (rt.name === 'workerd') return /^workerd \|/;
  const v = /(\d+\.\d+\.\d+)/.exec(rt.version)?.[1] ?? '';
  const name = rt.name.startsWith('node') ? 'node' : rt.name;
  return new RegExp(`^${name} ${v.replace(/\./g, '\\.')} \\|`);
}
