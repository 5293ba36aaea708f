/**
 * A saved plan carries its config path: `apply plan.json` needs no -c, and a config that changed
 * since the plan is refused before any variable is resolved or any org is read. `show plan.json`
 * prints a saved plan as plan printed it, from the file alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type Sim } from '../../src/sim/index.js';
import { cliEnv, countRequests, countWrites, runCli } from '../e2e/cli.js';

describe('saved plan files', () => {
  let sim: Sim;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    sim = await startSim('examples/sim/seed.yaml', { timeScale: 60, provisioningDelayMs: 0 });
    dir = mkdtempSync(join(tmpdir(), 'org2org-saved-file-'));
    env = cliEnv(sim);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  });

  /** A config of its own and a plan of it, saved with --out. */
  async function planned(name: string): Promise<{ config: string; planFile: string; text: string }> {
    const config = join(dir, `${name}.yaml`);
    copyFileSync('org2org.config.yaml', config);
    const planFile = join(dir, `${name}.plan.json`);
    const run = await runCli(['plan', '-c', config, '--out', planFile, '--no-color'], env);
    assert.equal(run.code, 0, run.stderr);
    return { config, planFile, text: run.stdout };
  }

  test('a config changed since the plan is refused before any variable or org is read', async () => {
    const { config, planFile } = await planned('edited');
    appendFileSync(config, '# a reviewer-invisible edit\n');
    const requests = countRequests(sim);
    // No variable at all: reaching the environment would fail differently ("… is not set").
    const run = await runCli(['apply', planFile, '--auto-approve'], {});
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /stale: the config file .*edited\.yaml changed since the plan/);
    assert.match(run.stderr, /Nothing was written, and no org was read/);
    assert.doesNotMatch(run.stderr, /not set/);
    assert.equal(countRequests(sim), requests, 'no org was read');
  });

  test('show renders the saved plan as plan printed it, with nothing but the file', async () => {
    const { planFile, text } = await planned('shown');
    const shown = await runCli(['show', planFile, '--no-color'], {});
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.stdout, text);
    const markdown = await runCli(['show', planFile, '--format', 'markdown'], {});
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, /<!-- org2org/);
    const json = await runCli(['show', planFile, '--format', 'json'], {});
    assert.equal(json.stdout, readFileSync(planFile, 'utf8'));
    const missing = await runCli(['show', join(dir, 'nope.json')], {});
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read the saved plan/);
    const none = await runCli(['show'], {});
    assert.equal(none.code, 1);
    assert.match(none.stderr, /show needs the saved plan file/);
  });

  test('apply plan.json finds the config the plan was made from; without it, it says to pass -c', async () => {
    const gone = await planned('gone');
    unlinkSync(gone.config);
    const refused = await runCli(['apply', gone.planFile, '--auto-approve'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /was made from the config .*gone\.yaml, which cannot be read .*pass the config with -c FILE/);

    const { planFile } = await planned('kept');
    const writes = countWrites(sim);
    const applied = await runCli(['apply', planFile, '--auto-approve'], env);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.ok(countWrites(sim) > writes, 'the plan was applied');
    const again = await runCli(['plan', '-c', join(dir, 'kept.yaml'), '--detailed-exitcode'], env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
  });
});
