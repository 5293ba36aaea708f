/**
 * Every guard is decided when the plan is made: the plan says what apply will refuse and the flag
 * that allows it (text, Markdown, JSON); the flags given to plan are recorded in the saved plan,
 * which then applies with exactly them and no others. The Hub's identity is one of the guards, and
 * a Hub that can't be read makes every change that depends on it a plan error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApply } from '../../src/cli/commands/apply.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { SafetyError, UsageError } from '../../src/errors.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import type { Plan } from '../../src/plan/types.js';
import { cliEnv, countWrites } from '../e2e/cli.js';
import { thirtyTemps } from '../builders/seeds.js';

function cli(sim: Sim, env: Record<string, string> = {}) {
  const sink = { out: '', err: '' };
  const io = {
    env: { ...cliEnv(sim), ...env },
    stdout: (t: string) => void (sink.out += t),
    stderr: (t: string) => void (sink.err += t),
  };
  const reset = () => {
    sink.out = '';
    sink.err = '';
  };
  return { sink, io, reset };
}

test('30 removals: plan says apply will refuse and how to allow it; the plan made with the allowance applies from its file with no prompt and no flag', {
  timeout: 120_000,
}, async () => {
  const sim = await startSim(thirtyTemps(), { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-guards-'));
  try {
    const { sink, io, reset } = cli(sim);
    const refuse =
      /apply will refuse this plan: the plan unprovisions 30 people \(in apac: the members of 1 group unassigned\), more than --max-removals 25; to allow it, plan with --max-removals 30/;
    assert.equal(await runPlan(['--spoke', 'apac', '--detailed-exitcode'], io), 1, 'a plan apply would refuse is not a clean exit 2');
    assert.match(sink.out, refuse);
    assert.match(sink.err, /apply will refuse this plan \(1 guard, listed above\); to allow it, plan with --max-removals 30/);
    reset();
    assert.equal(await runPlan(['--spoke', 'apac', '--format', 'markdown'], io), 0);
    assert.match(sink.out, /⛔ apply will refuse this plan: .*30 people.*to allow it, plan with `--max-removals 30`/);
    reset();
    assert.equal(await runPlan(['--spoke', 'apac', '--format', 'json'], io), 0);
    const json = JSON.parse(sink.out) as Plan;
    assert.deepEqual(
      json.guards.map((g) => [g.guard, g.allowWith, g.allowed]),
      [['max-removals', '--max-removals 30', false]],
    );
    assert.equal(json.allowances.maxRemovals, 25);

    // The reviewer's allowance, recorded in the plan and shown with it.
    reset();
    const file = join(dir, 'plan.json');
    assert.equal(await runPlan(['--spoke', 'apac', '--max-removals', '30', '--detailed-exitcode', '--out', file], io), 2, sink.err);
    assert.match(sink.out, /allowed by --max-removals 30 given to plan: the plan unprovisions 30 people/);
    assert.match(sink.out, /Allowances recorded in this plan \(apply honours exactly these\): --max-removals 30/);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Plan;
    assert.equal(saved.allowances.maxRemovals, 30);
    assert.equal(saved.guards[0]!.allowed, true);

    // Flags can't be added to a saved plan: the reviewers saw its allowances, not these.
    await assert.rejects(
      runApply([file, '--max-removals', '100'], io),
      (e: unknown) => e instanceof UsageError && /--max-removals 30/.test(e.message),
    );
    assert.equal(countWrites(sim), 0);
    reset();
    assert.equal(await runApply([file], io), 0, sink.err);
    assert.match(sink.err, /Applying with the allowances recorded in the plan: --max-removals 30/);
    const app = sim
      .org('apac')
      .apps.values()
      .find((a) => a.label === 'Acme Hub')!;
    assert.equal(app.groups.size, 0, 'the group was unassigned');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});

test('a saved plan made without the allowance is refused by apply, which says to plan again with the flag', {
  timeout: 120_000,
}, async () => {
  const sim = await startSim(thirtyTemps(), { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-guards-'));
  try {
    const { sink, io } = cli(sim);
    const file = join(dir, 'plan.json');
    assert.equal(await runPlan(['--spoke', 'apac', '--out', file], io), 0, sink.err);
    await assert.rejects(runApply([file], io), (e: unknown) => {
      assert.ok(e instanceof SafetyError, String(e));
      assert.match(e.message, /30 people.*to allow it, plan again with --max-removals 30, review that plan and apply it/);
      return true;
    });
    assert.equal(countWrites(sim), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});

test('an unreachable Hub URL: the base URL change is a plan error, and nothing is written', { timeout: 120_000 }, async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  try {
    const { sink, io } = cli(sim, { OKTA_HUB_URL: 'http://127.0.0.1:1' });
    assert.equal(await runPlan(['--spoke', 'emea'], io), 1);
    assert.match(
      sink.out,
      /spoke\.emea\.app sets the app's Hub \(base URL http:\/\/127\.0\.0\.1:1\), but the Hub could not be read .*check the Hub's URL and credentials/,
    );
    await assert.rejects(runApply(['--spoke', 'emea', '--auto-approve'], io));
    assert.equal(countWrites(sim), 0);
    const emea = sim.org('emea');
    const app = emea.apps.values().find((a) => a.label === 'Acme Hub')!;
    assert.equal((app.settings.app as { baseUrl?: string }).baseUrl, sim.orgs.hub!.url, 'still pointing at its Hub');
  } finally {
    await sim.close();
  }
});

test('a different, readable Hub: the base URL change is guarded; refused without --allow-hub-change, nothing written', {
  timeout: 120_000,
}, async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  try {
    // Another org answers as the Hub (apac, with its own Super Administrator's token): readable, but not emea's Hub.
    const apacToken = sim.orgs.apac!.tokens.OKTA_APAC_TOKEN!;
    const { sink, io, reset } = cli(sim, {
      OKTA_HUB_URL: sim.orgs.apac!.url,
      OKTA_HUB_ADMIN_TOKEN: apacToken,
      OKTA_HUB_PROVISIONING_TOKEN: apacToken,
    });
    assert.equal(await runPlan(['--spoke', 'emea', '--detailed-exitcode'], io), 1, sink.out + sink.err);
    assert.match(
      sink.out,
      /apply will refuse this plan: spoke\.emea\.app: the plan points the Spoke's app at another Hub .*; to allow it, plan with --allow-hub-change/,
    );
    reset();
    await assert.rejects(
      runApply(['--spoke', 'emea', '--auto-approve'], io),
      (e: unknown) => e instanceof SafetyError && /--allow-hub-change/.test(e.message),
    );
    assert.equal(countWrites(sim), 0);
    reset();
    assert.equal(await runPlan(['--spoke', 'emea', '--allow-hub-change'], io), 0);
    assert.match(sink.out, /allowed by --allow-hub-change given to plan: spoke\.emea\.app/);
  } finally {
    await sim.close();
  }
});
