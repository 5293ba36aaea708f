/**
 * A saved plan is the approval: `apply plan.json` applies what was reviewed without asking (and
 * still refuses anything that differs), while `apply` of a fresh plan keeps asking.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApply } from '../../src/cli/commands/apply.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { SafetyError } from '../../src/errors.js';
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
