// The official conformance suite's client leg (scripts/conformance.mjs --client) against the everything
// client: every client scenario of 2025-11-25 and 2026-07-28 (not-scored ones included) must pass, the
// OAuth ones (auth/*) included, and the non-interactive auth extensions (client_credentials, workload
// identity, enterprise-managed, DPoP with and without server nonces); the runner excludes nothing.
// Each scenario is one CLI run with the suite's mock server, two at a time; the runner bounds each run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { distPath } from '../helpers/raw-stdio.js';
import { node22Tools, repoPath } from '../helpers/repo.js';

/** The suite runs COMMAND through /bin/sh and appends its mock server's URL. */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const everythingClient = `${quote(process.execPath)} ${quote(distPath('examples/conformance/client.js'))}`;

/** The auth scenarios that run and must pass: 14 at 2025-11-25, 25 at 2026-07-28 (the first 14 again). */
const AUTH_BOTH = [
  'metadata-default',
  'metadata-var1',
  'metadata-var2',
  'metadata-var3',
  'basic-cimd',
  'scope-from-www-authenticate',
  'scope-from-scopes-supported',
  'scope-omitted-when-undefined',
  'scope-step-up',
  'scope-retry-limit',
  'token-endpoint-auth-basic',
  'token-endpoint-auth-post',
  'token-endpoint-auth-none',
  'pre-registration',
].map((s) => `auth/${s}`);
const AUTH_2026 = [
  'resource-mismatch',
  'offline-access-scope',
  'offline-access-not-supported',
  'authorization-server-migration',
  'iss-supported',
  'iss-not-advertised',
  'iss-supported-missing',
  'iss-wrong-issuer',
  'iss-unexpected',
  'iss-normalized',
  'metadata-issuer-mismatch',
].map((s) => `auth/${s}`);

/** The auth extensions (not on the spec timeline, forced by the runner) that run at both revisions. */
const AUTH_EXT = [
  'client-credentials-basic',
  'client-credentials-jwt',
  'wif-jwt-bearer',
  'enterprise-managed-authorization',
  'dpop',
  'dpop-nonce',
].map((s) => `auth/${s}`);

/** Only `--suite all` reaches these (2025-03-26 auth: no PRM; AS metadata at the root, else /authorize, /token). */
const AUTH_LEGACY = ['2025-03-26-oauth-metadata-backcompat', '2025-03-26-oauth-endpoint-fallback'].map(
  (s) => `auth/${s}`,
);

/** 64 scenarios, each bounded by the runner (30 s client timeout + 60 s); this is a backstop. */
function clientLeg(command: string, revisions: string[] = []) {
  return spawnSync(process.execPath, [repoPath('scripts', 'conformance.mjs'), '--client', command, ...revisions], {
    encoding: 'utf8',
    timeout: 600_000,
    killSignal: 'SIGTERM',
  });
}

function summary(out: string) {
  const m = /conformance-client: (\d+) passed, (\d+) failed/.exec(out);
  assert.ok(m, `no summary line from the suite:\n${out.slice(-3000)}`);
  return { passed: Number(m[1]), failed: Number(m[2]) };
}

describe('official conformance suite, client side', () => {
  before(() => void node22Tools(), { timeout: 1_600_000 });

  it('passes every client scenario at 2025-11-25 and 2026-07-28', { timeout: 660_000 }, () => {
    const run = clientLeg(everythingClient);
    const out = `${run.stdout}${run.stderr}`;
    const { passed, failed } = summary(out);
    assert.equal(failed, 0, `failing scenarios:\n${out.slice(-3000)}`);
    // 5 at 2025-11-25 (initialize, tools_call, elicitation defaults, sse-retry, 2020-12 preservation) + 14
    // auth + 6 extensions, 8 at 2026-07-28 + 25 auth + 6 extensions: a smaller number means the suite's
    // list changed or the exclusion list ate a scenario.
    for (const name of [...AUTH_BOTH, ...AUTH_2026, ...AUTH_EXT])
      assert.doesNotMatch(out, new RegExp(`FAIL ${name} `), out.slice(-3000));
    assert.equal(passed, 13 + (AUTH_BOTH.length + AUTH_EXT.length) * 2 + AUTH_2026.length, out.slice(-3000));
    assert.equal(run.status, 0);
  });

  it('passes the 2025-03-26 auth fallbacks of the whole suite (`all`)', { timeout: 660_000 }, () => {
    const run = clientLeg(everythingClient, ['all', '--only', AUTH_LEGACY.join(',')]);
    const out = `${run.stdout}${run.stderr}`;
    assert.deepEqual(summary(out), { passed: AUTH_LEGACY.length, failed: 0 }, out.slice(-3000));
    assert.equal(run.status, 0);
  });

  it('fails when the client does nothing (the leg really scores)', { timeout: 660_000 }, () => {
    const run = clientLeg(`${quote(process.execPath)} -e 0`, ['2025-11-25']);
    const out = `${run.stdout}${run.stderr}`;
    const { passed, failed } = summary(out);
    assert.equal(passed, 0, out.slice(-3000));
    assert.equal(failed, 5 + AUTH_BOTH.length + AUTH_EXT.length, out.slice(-3000));
    assert.notEqual(run.status, 0);
  });
});
