/**
 * The bench's incremental scenario (bench/incremental.ts) runs, at S size and in this process: the
 * full plan writes the snapshot, the steady-state `--refresh changes` plan costs only the log and
 * token-check calls, and after console changes the plan sees every one of them. Call counts only,
 * never times.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type Sim } from '../../src/sim/index.js';
import { incrementalSequence, unassignments } from '../../bench/incremental.js';
import { snapshotPlan } from '../../bench/snapshot-plan.js';
import { buildPlanWorld, PLAN_SCENARIOS } from '../../bench/scenarios.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'org2org-bench-incremental-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('the change sets are spread over the Spokes and say what they are', () => {
  const world = buildPlanWorld(PLAN_SCENARIOS.M);
  const set = unassignments(world, 5, 0);
  assert.equal(set.what, '5 console unassignments of assigned users (3 emea, 2 apac)');
  assert.deepEqual(
    set.changes.map((c) => [c.org, c.change]),
    [
      ['emea', { unassignUser: 'user2475@emea.example.com' }],
      ['apac', { unassignUser: 'user2475@apac.example.com' }],
      ['emea', { unassignUser: 'user2474@emea.example.com' }],
      ['apac', { unassignUser: 'user2474@apac.example.com' }],
      ['emea', { unassignUser: 'user2473@emea.example.com' }],
    ],
  );
  // The next set continues where this one stopped.
  assert.deepEqual(unassignments(world, 1, 5).changes, [{ org: 'apac', change: { unassignUser: 'user2473@apac.example.com' } }]);
  assert.throws(() => unassignments(buildPlanWorld(PLAN_SCENARIOS.S), 200), /too few assigned people/);
});

test('S: full plan with the snapshot, steady state reusing every org, then 3 console changes all seen', async () => {
  const world = buildPlanWorld(PLAN_SCENARIOS.S);
  const sim: Sim = await startSim(world.seed);
  try {
    const configFile = join(dir, 'config.yaml');
    await writeFile(configFile, world.config);
    const orgUrls = Object.fromEntries(Object.entries(sim.orgs).map(([name, o]) => [name, o.url]));
    const snapshotFile = join(dir, 'snapshot.json');
    const env = { ...process.env, ...sim.env };
    const figures = await incrementalSequence(sim, world, [3], (refresh) =>
      snapshotPlan({ mode: 'snapshot-plan', configFile, orgUrls, capacity: 0.5, snapshotFile, refresh }, env),
    );
    const { full, steady, changed } = figures;
    assert.equal(full.mode, 'full');
    assert.deepEqual(full.read, ['hub', 'emea']);
    assert.equal(steady.mode, 'incremental');
    assert.deepEqual(steady.reused, ['hub', 'emea']);
    assert.deepEqual(steady.read, []);
    assert.deepEqual(steady.patched, []);
    // Steady state: one log call per org, and the TOKEN connection's check on the Hub (its user and roles).
    assert.equal(steady.logCalls, 2);
    assert.deepEqual(steady.callsByOrg, { hub: 3, emea: 1 });
    assert.ok(full.calls > steady.calls * 2, `full ${full.calls} vs steady ${steady.calls}`);
    assert.equal(changed.length, 1);
    assert.equal(changed[0]!.what, '3 console unassignments of assigned users (3 emea)');
    assert.equal(changed[0]!.figures.summary.add, full.summary.add + 3);
    // Three app users gone: emea brought up to date object by object (and the Hub with it), not read whole.
    const after3 = changed[0]!.figures;
    assert.deepEqual(after3.read, []);
    assert.ok(after3.patched.includes('emea'), after3.patched.join(', '));
    assert.ok(after3.calls > steady.calls, 'a change costs reads');
    assert.ok(after3.calls <= steady.calls + 3 * 3, `${after3.calls} calls after 3 changes (steady ${steady.calls})`);
  } finally {
    await sim.close();
  }
});
