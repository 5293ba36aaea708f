/**
 * Issue 6's safety proofs, as users run them: a saved plan made stale by a live change is refused
 * with the change listed and nothing written; a mass unassignment needs --max-removals; without a
 * terminal, apply without --auto-approve reads and writes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../../src/sim/index.js';
import { cliEnv, countRequests, countWrites, findLeaks, runCli, seedWithApacRemovals } from './cli.js';

test('a live change between plan --out and apply plan.json: refused as stale, the change listed, nothing written', async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-e2e-stale-'));
  try {
    const env = cliEnv(sim);
    const planFile = join(dir, 'plan.json');
    const plan = await runCli(['plan', '--out', planFile], env);
    assert.equal(plan.code, 0, plan.stderr);

    // Someone unassigns bob in emea's admin console (here: Okta's API, with emea's token).
    const emea = sim.org('emea');
    const app = emea.apps.values().find((a) => a.label === 'Acme Hub')!;
    const bob = emea.findUser('bob@acme.com')!;
    const res = await fetch(`${sim.orgs.emea!.url}/api/v1/apps/${app.id}/users/${bob.id}`, {
      method: 'DELETE',
      headers: { authorization: `SSWS ${sim.env.OKTA_EMEA_TOKEN}`, accept: 'application/json' },
    });
    assert.equal(res.status, 204);
    assert.equal(app.users.get(bob.id), undefined);

    const writes = countWrites(sim);
    const apply = await runCli(['apply', planFile, '--auto-approve'], env);
    assert.equal(apply.code, 1, apply.stdout + apply.stderr);
    assert.match(apply.stderr, /stale/);
    assert.match(apply.stderr, /^ {2}- .*bob@acme\.com/m, `the change is listed:\n${apply.stderr}`);
    assert.match(apply.stderr, /Nothing was written/);
    assert.equal(countWrites(sim), writes, 'a stale plan wrote something');
    for (const text of [apply.stdout, apply.stderr]) assert.deepEqual(findLeaks(sim, text), []);

    // The same saved plan, when nothing changed, is carried out.
    const fresh = join(dir, 'fresh.json');
    assert.equal((await runCli(['plan', '--out', fresh], env)).code, 0);
    const ok = await runCli(['apply', fresh, '--auto-approve'], env);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stderr, /up to date/);
    assert.ok(countWrites(sim) > writes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});

test('mass unassignment: refused without --max-removals, nothing written; with --max-removals 100 it goes through', async () => {
  const sim = await startSim(seedWithApacRemovals(30), { timeScale: 60 });
  try {
    const env = cliEnv(sim);
    const apacApp = sim
      .org('apac')
      .apps.values()
      .find((a) => a.label === 'Acme Hub')!;
    assert.equal(apacApp.users.size, 30);

    // No terminal and no --auto-approve: refused before anything is read.
    const asked = await runCli(['apply'], env);
    assert.equal(asked.code, 1, asked.stdout + asked.stderr);
    assert.match(asked.stderr, /--auto-approve/);
    assert.equal(countRequests(sim), 0, 'apply without --auto-approve and without a terminal read something');

    const refused = await runCli(['apply', '--auto-approve'], env);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /--max-removals/);
    assert.match(refused.stderr, /nothing was written/i);
    assert.ok(countRequests(sim) > 0, 'the refusal comes from the plan, after reading');
    assert.equal(countWrites(sim), 0, 'a refused apply wrote something');
    assert.equal(apacApp.users.size, 30);

    const allowed = await runCli(['apply', '--auto-approve', '--max-removals', '100'], env);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    const logins = apacApp.users
      .values()
      .map((u) => sim.org('apac').findUser(u.id)!.profile.login)
      .sort();
    assert.deepEqual(logins, ['kenji@acme.com', 'mei@acme.com']);
    const plan = await runCli(['plan', '--detailed-exitcode'], env);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  } finally {
    await sim.close();
  }
});
