/**
 * Order by effect: a user's direct assignment (which carries her initialStatus) lands before the
 * assignment of any group she is in, whatever the latency. The adverse order is forced: the
 * simulator holds every user-assignment POST back, so a group assignment sent alongside would
 * create her Hub user first, without her initialStatus, for good.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApply } from '../../src/cli/commands/apply.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { startSim, type Sim, type SimOptions } from '../../src/sim/index.js';
import type { WrittenPlanFile } from '../../src/plan/types.js';
import { cliEnv } from '../e2e/cli.js';

const ALICE = 'spoke.emea.assignment.user["alice@acme.com"]';
const CHLOE = 'spoke.emea.assignment.user["chloe@acme.com"]';
const SALES = 'spoke.emea.assignment.group["EMEA Sales"]';

/** What each listed emea user's initialStatus asks the Hub user to be. */
const ASKED: Record<string, string> = { 'alice@acme.com': 'ACTIVE', 'bob@acme.com': 'ACTIVE', 'chloe@acme.com': 'STAGED' };

function io(sim: Sim) {
  const sink = { out: '', err: '' };
  return {
    sink,
    io: {
      env: cliEnv(sim),
      stdout: (t: string) => void (sink.out += t),
      stderr: (t: string) => void (sink.err += t),
      pollMs: 5,
    },
  };
}

async function applyEmea(options: SimOptions): Promise<{ sim: Sim; code: number; log: string }> {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60, provisioningDelayMs: 0, ...options });
  const { sink, io: cliIo } = io(sim);
  try {
    const code = await runApply(['--auto-approve', '--wait', '--spoke', 'emea'], cliIo);
    return { sim, code, log: sink.out + sink.err };
  } catch (error) {
    await sim.close();
    throw error;
  }
}

function hubStatuses(sim: Sim): Record<string, string | undefined> {
  const hub = sim.org('hub');
  return Object.fromEntries(Object.keys(ASKED).map((login) => [login, hub.findUser(login)?.status]));
}

test('the plan makes a group assignment wait for the direct assignments of its members, and the push for its group', async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-order-'));
  try {
    const { io: cliIo, sink } = io(sim);
    // The example pushes no group it assigns (Okta doesn't support one group for both); pushing
    // EMEA Sales as well is that pitfall, which the plan warns about and still orders.
    const config = join(dir, 'org2org.config.yaml');
    const example = readFileSync('org2org.config.yaml', 'utf8');
    const pushed = example.replace('        - { name: Engineering }', '        - { name: EMEA Sales }\n        - { name: Engineering }');
    assert.notEqual(pushed, example);
    writeFileSync(config, pushed);
    const file = join(dir, 'plan.json');
    assert.equal(await runPlan(['-c', config, '--spoke', 'emea', '--out', file], cliIo), 0, sink.err);
    assert.match(sink.out, /EMEA Sales is both assigned to the app and pushed: Okta does not support/);
    const plan = JSON.parse(readFileSync(file, 'utf8')) as WrittenPlanFile;
    const changes = new Map(plan.spokes[0]!.changes.map((c) => [c.address, c]));
    // Alice is in EMEA Sales; chloe is not (she is in Engineering, which is only pushed).
    assert.deepEqual(changes.get(SALES)!.dependsOn, [ALICE]);
    assert.ok(changes.has(CHLOE));
    assert.deepEqual(changes.get(CHLOE)!.dependsOn, []);
    assert.ok(changes.get('spoke.emea.pushMapping["EMEA Sales"]')!.dependsOn.includes(SALES));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});

test('with every user assignment held back 1.5 s, the group assignment still waits: each user gets the status asked', {
  timeout: 120_000,
}, async () => {
  const { sim, code, log } = await applyEmea({
    faults: [{ kind: 'slow', delayMs: 1500, method: 'POST', path: '/api/v1/apps/{appId}/users', org: 'emea' }],
  });
  try {
    assert.equal(code, 0, log);
    assert.deepEqual(hubStatuses(sim), ASKED);
    const emea = sim.org('emea');
    const app = emea.apps.values().find((a) => a.label === 'Acme Hub')!;
    // Eva came through the group alone, and was provisioned too.
    assert.equal(app.users.get(emea.findUser('eva@acme.com')!.id)?.scope, 'GROUP');
  } finally {
    await sim.close();
  }
});

test('with a jittered simulator, apply --wait gives every user the status asked: 10 of 10 runs', { timeout: 300_000 }, async () => {
  const outcomes: string[] = [];
  for (let run = 0; run < 10; run++) {
    const { sim, code, log } = await applyEmea({ latencyMs: 5, jitterMs: 60, rngSeed: 1000 + run });
    try {
      const statuses = hubStatuses(sim);
      outcomes.push(
        code === 0 && JSON.stringify(statuses) === JSON.stringify(ASKED)
          ? 'ok'
          : `run ${run}: exit ${code} ${JSON.stringify(statuses)}\n${log}`,
      );
    } finally {
      await sim.close();
    }
  }
  assert.deepEqual(
    outcomes.filter((o) => o !== 'ok'),
    [],
  );
  assert.equal(outcomes.length, 10);
});
