/**
 * Issue 6's proofs about failure: a 5xx on one assignment fails only that change (exit 1, named on
 * stderr) and the next apply converges; an apply SIGKILLed at random points leaves nothing the next
 * plan + apply can't finish, and nothing duplicated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createRng } from '../../src/sim/faults.js';
import { startSim, type FaultRule, type Sim } from '../../src/sim/index.js';
import { cliEnv, countWrites, findLeaks, runCli } from './cli.js';

function acmeHub(sim: Sim, org: string) {
  const app = sim
    .org(org)
    .apps.values()
    .find((a) => a.label === 'Acme Hub');
  assert.ok(app, `no Acme Hub app in ${org}`);
  return app;
}

/** Assigned directly (scope USER), not only through a group assignment. */
function isAssigned(sim: Sim, org: string, login: string): boolean {
  const user = sim.org(org).findUser(login);
  assert.ok(user, `no user ${login} in ${org}`);
  return acmeHub(sim, org).users.get(user.id)?.scope === 'USER';
}

test('a 5xx on one assignment: exit 1, the failure named, what depends on it skipped, every independent change applied; the next apply converges', async () => {
  // The first new user assignment in emea (alice's or chloe's: they run concurrently) answers 500.
  // A POST that creates is never resent by the client, so exactly one assignment fails.
  const fault: FaultRule = { kind: 'error', status: 500, org: 'emea', method: 'POST', path: '/api/v1/apps/{appId}/users', times: 1 };
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60, faults: [fault] });
  try {
    const env = cliEnv(sim);
    const failed = await runCli(['apply', '--auto-approve'], env);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.equal(sim.stats('emea').byRoute['POST /api/v1/apps/{appId}/users'], 2, 'alice and chloe each posted once, never resent');

    const missing = ['alice@acme.com', 'chloe@acme.com'].filter((login) => !isAssigned(sim, 'emea', login));
    assert.equal(missing.length, 1, `exactly one assignment failed, not ${missing.length}`);
    const [loser] = missing as [string];
    const failures = failed.stderr.split('\n').filter((l) => l.includes('✗'));
    assert.ok(
      failures.length > 0 && failures.every((l) => l.includes(`assignment.user["${loser}"]`) && / 500 /.test(l)),
      `stderr names ${loser} and the 500:\n${failed.stderr}`,
    );
    // emea and apac (with apac's Hub service app, its 2 grants and 2 roles): 17 changes. Alice is in
    // EMEA Sales: its assignment waits for hers, so her failure skips it; chloe's failure skips nothing.
    const aliceLost = loser === 'alice@acme.com';
    assert.match(failed.stderr, aliceLost ? /15 applied, 1 failed, 1 skipped/ : /16 applied, 1 failed, 0 skipped/);
    if (aliceLost)
      assert.match(
        failed.stderr,
        /skipped spoke\.emea\.assignment\.group\["EMEA Sales"\]: depends on spoke\.emea\.assignment\.user\["alice@acme\.com"\], which failed/,
      );
    // A failed request's message carries no secret (alice's answer may be in the failed body).
    for (const text of [failed.stdout, failed.stderr]) assert.deepEqual(findLeaks(sim, text), []);

    // Everything else was applied.
    const emeaApp = acmeHub(sim, 'emea');
    const bob = sim.org('emea').findUser('bob@acme.com')!;
    assert.equal(emeaApp.provisioning.deactivate, true, 'emea features');
    // bob's initialStatus differs but he is in the Hub already: no effect in Okta, so not written.
    assert.equal(emeaApp.users.get(bob.id)?.profile.initialStatus, 'active_with_pass', "bob's assignment left alone");
    assert.equal(emeaApp.groups.size, aliceLost ? 0 : 1, 'EMEA Sales assigned unless it waits for alice');
    assert.equal(emeaApp.pushMappings.size, 2, 'emea push mappings (Engineering, Legacy Ops): neither waits for alice');
    for (const login of ['kenji@acme.com', 'mei@acme.com']) assert.ok(isAssigned(sim, 'apac', login), `${login} assigned`);
    assert.equal(acmeHub(sim, 'apac').pushMappings.size, 1, 'apac push mapping');

    // The fault was used up: the next apply does only what is left, and then nothing is left.
    const next = await runCli(['apply', '--auto-approve'], env);
    assert.equal(next.code, 0, next.stdout + next.stderr);
    // Alice's assignment and what waited for it; or chloe's alone.
    assert.match(next.stdout, aliceLost ? /Plan: 2 to add, 0 to change, 0 to remove/ : /Plan: 1 to add, 0 to change, 0 to remove/);
    assert.ok(next.stdout.includes(`assignment.user["${loser}"]`));
    assert.ok(isAssigned(sim, 'emea', loser), `${loser} assigned on the second apply`);
    const plan = await runCli(['plan', '--detailed-exitcode'], env);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  } finally {
    await sim.close();
  }
});

/** Nothing doubled: one Acme Hub per Spoke, one push mapping per source group, unique Hub users and groups. */
function assertNoDuplicates(sim: Sim, { converged }: { converged: boolean }): void {
  for (const spoke of ['emea', 'apac']) {
    const apps = sim
      .org(spoke)
      .apps.values()
      .filter((a) => a.label === 'Acme Hub');
    // Killed before apac's app was created, there is none yet; never more than one.
    assert.ok(converged ? apps.length === 1 : apps.length <= 1, `${spoke} has ${apps.length} Acme Hub apps`);
    for (const app of apps) {
      const sources = app.pushMappings.values().map((m) => m.sourceGroupId);
      assert.equal(new Set(sources).size, sources.length, `${spoke} has duplicate push mappings`);
    }
  }
  const hub = sim.org('hub');
  const logins = hub.users.values().map((u) => u.profile.login.toLowerCase());
  assert.equal(new Set(logins).size, logins.length, 'duplicate Hub users');
  const names = hub.groups.values().map((g) => g.profile.name);
  assert.equal(new Set(names).size, names.length, `duplicate Hub groups: ${names.join(', ')}`);
}

/**
 * SIGKILL the child once the simulator has received its k-th write (k seeded in 1..13 of the
 * apply's 17), plus a seeded 0–50 ms: the kill lands with that write in flight or just answered.
 */
function killDuringWrites(
  sim: Sim,
  rng: () => number,
): { onChild: (child: ChildProcess) => void; target: number; killedAtWrites: () => number } {
  const target = 1 + Math.floor(rng() * 13);
  const delayMs = Math.floor(rng() * 50);
  let killedAt = -1;
  const onChild = (child: ChildProcess): void => {
    const poll = setInterval(() => {
      if (child.exitCode !== null || child.signalCode !== null) return clearInterval(poll);
      if (countWrites(sim) < target) return;
      clearInterval(poll);
      setTimeout(() => {
        killedAt = countWrites(sim);
        child.kill('SIGKILL');
      }, delayMs);
    }, 1);
  };
  return { onChild, target, killedAtWrites: () => killedAt };
}

for (const seed of [1, 2, 3, 4]) {
  test(`apply SIGKILLed at a random point (seed ${seed}): the next apply converges, nothing duplicated`, async (t) => {
    // Latency (100–200 ms a request) leaves time to kill between any two writes.
    const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60, latencyMs: 100, jitterMs: 100, rngSeed: seed });
    try {
      const env = cliEnv(sim);
      const killer = killDuringWrites(sim, createRng(seed * 7919));
      const killed = await runCli(['apply', '--auto-approve'], env, { onChild: killer.onChild });
      assert.equal(killed.signal, 'SIGKILL', `the apply ended before the kill (exit ${killed.code}):\n${killed.stderr}`);
      assert.ok(killer.killedAtWrites() >= killer.target, 'killed too early');
      t.diagnostic(`killed after write ${killer.target} (${killer.killedAtWrites()} of 17 received)`);
      assertNoDuplicates(sim, { converged: false });

      const again = await runCli(['apply', '--auto-approve'], env);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assertNoDuplicates(sim, { converged: true });
      const writes = countWrites(sim);
      const plan = await runCli(['plan', '--detailed-exitcode'], env);
      assert.equal(plan.code, 0, plan.stdout + plan.stderr);
      assert.match(plan.stdout, /No changes/);
      assert.equal(countWrites(sim), writes);
      assert.equal(acmeHub(sim, 'emea').pushMappings.size, 2);
      assert.equal(acmeHub(sim, 'apac').pushMappings.size, 1);
    } finally {
      await sim.close();
    }
  });
}
