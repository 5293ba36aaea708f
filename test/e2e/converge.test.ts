/**
 * Issue 6's proofs, run as users run them: `org2org apply` then `plan` converges; a second apply
 * writes nothing; no secret reaches any output or the plan file (with --debug too); `npm start`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../../src/sim/index.js';
import { CANARY_ANSWER, cliEnv, countWrites, findLeaks, runCli, type CliResult } from './cli.js';

test('apply, then plan: no changes; a second apply writes nothing; no secret in any output or the plan file', async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-e2e-'));
  const outputs: CliResult[] = [];
  try {
    const env = cliEnv(sim);
    const planFile = join(dir, 'plan.json');
    const before = await runCli(['plan', '--out', planFile, '--debug'], env);
    outputs.push(before);
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /securityAnswer: \(sensitive\)/);

    const first = await runCli(['apply', '--auto-approve', '--debug'], env);
    outputs.push(first);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.ok(countWrites(sim) >= 13, `the first apply wrote ${countWrites(sim)} times`);
    assert.match(first.stderr, /POST/, '--debug logs the API calls');
    const emea = sim.org('emea');
    const app = emea.apps.values().find((a) => a.label === 'Acme Hub')!;
    const alice = emea.findUser('alice@acme.com')!;
    // The canary really went through (so its absence below means something): Okta got the answer.
    assert.equal(app.users.get(alice.id)?.profile.securityAnswer, CANARY_ANSWER);

    const plan = await runCli(['plan', '--detailed-exitcode'], env);
    outputs.push(plan);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /No changes/);

    const writes = countWrites(sim);
    const second = await runCli(['apply', '--auto-approve'], env);
    outputs.push(second);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /No changes/);
    assert.equal(countWrites(sim), writes, 'the second apply wrote something');

    outputs.push({ code: 0, signal: null, stdout: readFileSync(planFile, 'utf8'), stderr: '' });
    for (const [i, r] of outputs.entries()) {
      assert.deepEqual(findLeaks(sim, r.stdout), [], `stdout of run ${i} leaks`);
      assert.deepEqual(findLeaks(sim, r.stderr), [], `stderr of run ${i} leaks`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});

test("npm start's command (demo --no-tty) exits 0 and ends on the 'match the config' line", async () => {
  const r = await runCli(['demo', '--no-tty'], {});
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = (r.stdout + r.stderr).trimEnd().split('\n');
  const done = lines.findIndex((l) => /Done: the live orgs match the config/.test(l));
  assert.ok(done >= 0, 'no "match the config" line');
  assert.ok(done >= lines.length - 3, `the demo goes on after its last line:\n${lines.slice(done).join('\n')}`);
  assert.doesNotMatch(r.stdout + r.stderr, /\x1b\[/, 'CI output has no ANSI codes');
  // A newcomer's first run shows the tool working, not a pitfall: the example config pushes no
  // group it assigns, and every pushed group's members are assigned.
  assert.doesNotMatch(r.stdout + r.stderr, /\bwarnings?\b/i, 'the demo plans without a warning');
});
