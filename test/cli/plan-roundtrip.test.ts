/**
 * plan → apply → plan on the root config against the example seed: after apply the reader must
 * see exactly what apply wrote, so the second plan is "No changes" (exit 0 with --detailed-exitcode).
 * This is what keeps the reader's normalization and the planner's comparisons honest together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim } from '../../src/sim/index.js';
import { loadConfig } from '../../src/config/load.js';
import { applyPlan } from '../../src/apply/apply-plan.js';
import { createPlan, toPlanFile } from '../../src/plan/create-plan.js';
import { readLiveState } from '../../src/state/read-live-state.js';
import { checkStale } from '../../src/apply/stale.js';
import { buildClients } from '../../src/cli/clients.js';
import { runPlan } from '../../src/cli/commands/plan.js';

test('root config: plan, apply, then plan again shows no changes', async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  try {
    const env = { ...sim.env, ALICE_ANSWER: 'canary-roundtrip-answer' };
    const { desired } = await loadConfig('org2org.config.yaml', { env, requireSecrets: true });
    const clients = buildClients(desired, { maxApiCapacity: 1 });
    const read = await readLiveState(desired, clients);
    const first = toPlanFile(createPlan(desired, read, { maxApiCapacity: 1, toolVersion: 'test' }), read);
    assert.equal(first.empty, false);
    // A saved plan's stale check re-reads its Spokes: nothing moved, so nothing differs.
    const touched = first.spokes.map((s) => s.name);
    assert.deepEqual(checkStale(first, desired, await readLiveState(desired, clients, { spokes: touched })), []);
    const result = await applyPlan(first, clients, { env });
    assert.equal(result.failed, 0, JSON.stringify(result.results.filter((r) => r.outcome === 'failed')));

    let out = '';
    let err = '';
    const code = await runPlan(['-c', 'org2org.config.yaml', '--detailed-exitcode', '--no-color'], {
      env,
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
    });
    assert.equal(code, 0, out + err);
    // …and the first plan is now stale: the objects it was computed from have changed.
    assert.ok(checkStale(first, desired, await readLiveState(desired, clients, { spokes: touched })).length > 0);
    assert.match(out, /No changes/);
  } finally {
    await sim.close();
  }
});
