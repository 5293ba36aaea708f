/**
 * A saved plan is the approval: `apply plan.json` applies what was reviewed without asking (and
 * still refuses anything that differs), while `apply` of a fresh plan keeps asking. A reviewed plan
 * applied in part is finished by applying it again, and one applied whole is done in one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApply } from '../../src/cli/commands/apply.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { SafetyError, StalePlanError } from '../../src/errors.js';
import type { Plan } from '../../src/plan/types.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { cliEnv, countWrites } from '../e2e/cli.js';

function cli(sim: Sim) {
  const sink = { out: '', err: '' };
  const io = { env: cliEnv(sim), stdout: (t: string) => void (sink.out += t), stderr: (t: string) => void (sink.err += t) };
  return { sink, io };
}

test('apply plan.json applies without a prompt or --auto-approve; apply without a plan file still needs a yes', {
  timeout: 120_000,
}, async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-reviewed-'));
  try {
    const { sink, io } = cli(sim);
    await assert.rejects(runApply(['--spoke', 'emea'], io), (e: unknown) => e instanceof SafetyError && /needs a `yes`/.test(e.message));
    assert.equal(countWrites(sim), 0);
    const file = join(dir, 'plan.json');
    assert.equal(await runPlan(['--spoke', 'emea', '--out', file], io), 0, sink.err);
    assert.equal(await runApply([file], io), 0, sink.err);
    assert.ok(countWrites(sim) > 0, 'the reviewed plan was applied');
    assert.doesNotMatch(sink.err, /needs a `yes`|\[yes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});

test('a reviewed plan applied in part is finished by applying it again; then it is "already applied" in one line, exit 0, nothing written or waited for', {
  timeout: 180_000,
}, async () => {
  const sim = await startSim('examples/sim/seed.yaml', {
    timeScale: 60,
    faults: [{ kind: 'error', status: 500, org: 'emea', method: 'POST', path: '/api/v1/apps/{appId}/users', times: 1 }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-reviewed-'));
  try {
    const { sink, io } = cli(sim);
    const file = join(dir, 'plan.json');
    assert.equal(await runPlan(['--out', file], io), 0, sink.err);
    const total = (JSON.parse(readFileSync(file, 'utf8')) as Plan).spokes
      .flatMap((s) => s.changes)
      .filter((c) => c.action !== 'noop').length;

    assert.equal(await runApply([file], io), 1, 'one assignment failed');
    sink.err = '';
    assert.equal(await runApply([file], io), 0, sink.err);
    assert.match(sink.err, new RegExp(`Finishing the saved plan .*plan\\.json: \\d+ of its ${total} changes are in place already`));
    const emea = sim.org('emea');
    const app = emea.apps.values().find((a) => a.label === 'Acme Hub')!;
    for (const login of ['alice@acme.com', 'chloe@acme.com']) assert.equal(app.users.get(emea.findUser(login)!.id)?.scope, 'USER', login);

    // Once more, as a CI re-run of a green job: one line, exit 0, no write, no rate-limit wait.
    sink.out = '';
    sink.err = '';
    const writes = countWrites(sim);
    sim.resetStats();
    assert.equal(await runApply([file], io), 0, sink.err);
    assert.equal(sink.out, `already applied: ${total} changes of ${file} are in place\n`);
    assert.equal(countWrites(sim), 0, 'nothing written');
    assert.ok(writes > 0);
    assert.doesNotMatch(sink.err, /waiting|rate-limit|stale|was created since/);
    for (const org of ['hub', 'emea', 'apac']) assert.equal(sim.stats(org).status429, 0, `${org}: no 429`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});

test('finishing a saved plan still refuses any change it does not have, writing nothing', { timeout: 180_000 }, async () => {
  const sim = await startSim('examples/sim/seed.yaml', {
    timeScale: 60,
    faults: [{ kind: 'error', status: 500, org: 'emea', method: 'POST', path: '/api/v1/apps/{appId}/users', times: 1 }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-reviewed-'));
  try {
    const { sink, io } = cli(sim);
    const file = join(dir, 'plan.json');
    assert.equal(await runPlan(['--spoke', 'emea', '--out', file], io), 0, sink.err);
    assert.equal(await runApply([file], io), 1);
    // Behind org2org's back, the push of Engineering (made by the first apply) is deactivated: the
    // plan created it, and has no update to make it ACTIVE again.
    const emea = sim.org('emea');
    const app = emea.apps.values().find((a) => a.label === 'Acme Hub')!;
    const engineering = emea.findGroupByName('Engineering')!.id;
    app.pushMappings.values().find((m) => m.sourceGroupId === engineering)!.status = 'INACTIVE';
    const writes = countWrites(sim);
    await assert.rejects(
      runApply([file], io),
      (e: unknown) => e instanceof StalePlanError && /pushMapping\["Engineering"\]/.test(e.message),
    );
    assert.equal(countWrites(sim), writes, 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});
