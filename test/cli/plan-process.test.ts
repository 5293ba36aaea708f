/** `org2org plan` as users run it: a child process, the root config, env from the simulator. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../../src/sim/index.js';
import { runCli } from '../run-cli.js';

const CANARY_ANSWER = 'canary-alice-answer-51c9';

test('plan on the root config against examples/sim/seed.yaml: changes (exit 2), plan file without secrets', async () => {
  const sim = await startSim('examples/sim/seed.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'org2org-plan-cli-'));
  try {
    const env = { ...sim.env, ALICE_ANSWER: CANARY_ANSWER };
    const out = join(dir, 'plan.json');
    const r = await runCli(['plan', '-c', 'org2org.config.yaml', '--detailed-exitcode', '--no-color', '--out', out], env);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /emea/);
    assert.match(r.stdout, /apac/);
    assert.match(r.stdout, /Plan: \d+ to add, \d+ to change, \d+ to remove/);
    assert.match(r.stderr, /read emea app users: 1/);
    const planFile = readFileSync(out, 'utf8');
    const plan = JSON.parse(planFile) as { empty: boolean; errored: boolean; spokes: { name: string }[] };
    assert.equal(plan.empty, false);
    assert.equal(plan.errored, false, planFile.slice(0, 2000));
    assert.deepEqual(
      plan.spokes.map((s) => s.name),
      ['emea', 'apac'],
    );
    for (const text of [planFile, r.stdout, r.stderr]) {
      assert.ok(!text.includes(CANARY_ANSWER), 'the security answer leaked');
      for (const [name, value] of Object.entries(sim.env)) {
        if (name.endsWith('_TOKEN')) assert.ok(!text.includes(value), `${name} leaked`);
      }
    }

    const one = await runCli(['plan', '-c', 'org2org.config.yaml', '--spoke', 'nowhere'], env);
    assert.equal(one.code, 1);
    assert.match(one.stderr, /no spoke named "nowhere".*\(spokes: emea, apac\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});
