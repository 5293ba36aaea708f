/**
 * Every file a command reads or writes is handled: only regular files are read (a FIFO or
 * /dev/zero named by a saved plan fails at once), nothing is written through a symbolic link,
 * onto the config or into a directory, a missing directory or a full device, and each of these
 * is a clear exit 1 that names the file, with nothing half-written.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApply } from '../../src/cli/commands/apply.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { readRegularFile, writeOutputFile } from '../../src/cli/files.js';
import { Org2OrgError } from '../../src/errors.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { cliEnv, countRequests } from '../e2e/cli.js';

const quiet = { stdout: () => {}, stderr: () => {} };

async function exitOf(run: () => Promise<number>): Promise<{ code: number; message: string }> {
  try {
    return { code: await run(), message: '' };
  } catch (error) {
    return { code: error instanceof Org2OrgError ? error.exitCode : 70, message: (error as Error).message };
  }
}

describe('files read and written by the commands', () => {
  let sim: Sim;
  let dir: string;
  let env: Record<string, string>;
  let config: string;
  let planFile: string;
  before(async () => {
    sim = await startSim('examples/sim/seed.yaml', { timeScale: 60, provisioningDelayMs: 0 });
    dir = mkdtempSync(join(tmpdir(), 'org2org-files-'));
    env = cliEnv(sim);
    config = join(dir, 'org2org.config.yaml');
    copyFileSync('org2org.config.yaml', config);
    planFile = join(dir, 'plan.json');
    assert.equal(await runPlan(['-c', config, '--out', planFile, '--no-color'], { ...quiet, env }), 0);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  });

  test('plan --out refuses a directory, a missing directory, a device, a link and the config, before any org is read', async () => {
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'keep me\n');
    const link = join(dir, 'link.json');
    symlinkSync(outside, link);
    const dangling = join(dir, 'dangling.json');
    symlinkSync(join(dir, 'nowhere', 'target.json'), dangling);
    const configLink = join(dir, 'hard-config.yaml');
    execFileSync('ln', [config, configLink]);
    const configBefore = readFileSync(config, 'utf8');
    const cases: Array<[string, RegExp]> = [
      [dir, /it is a directory/],
      [join(dir, 'missing', 'plan.json'), /the directory .*missing does not exist/],
      ['/dev/full', /it is a device/],
      [link, /symbolic link/],
      [dangling, /symbolic link/],
      [config, /which this command reads/],
      [configLink, /which this command reads/],
    ];
    for (const [out, why] of cases) {
      const requests = countRequests(sim);
      const { code, message } = await exitOf(() => runPlan(['-c', config, '--out', out, '--no-color'], { ...quiet, env }));
      assert.equal(code, 1, `${out}: ${message}`);
      assert.match(message, /^cannot write the plan \(--out\) to /);
      assert.match(message, why, out);
      assert.equal(countRequests(sim), requests, `${out}: an org was read before the path was checked`);
    }
    assert.equal(readFileSync(outside, 'utf8'), 'keep me\n');
    assert.equal(readFileSync(config, 'utf8'), configBefore);
    assert.ok(!existsSync(join(dir, 'nowhere')));
    assert.ok(lstatSync(dangling).isSymbolicLink());
  });

  test("the step summary: a directory or a link is a clear exit 1; a regular file gets the plan's Markdown", async () => {
    const summaryLink = join(dir, 'summary-link.md');
    symlinkSync(join(dir, 'summary-target.md'), summaryLink);
    for (const [file, why] of [
      [dir, /it is a directory/],
      [summaryLink, /symbolic link/],
    ] as const) {
      const { code, message } = await exitOf(() =>
        runPlan(['-c', config, '--no-color'], { ...quiet, env: { ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file } }),
      );
      assert.equal(code, 1, message);
      assert.match(message, /cannot write the step summary \(\$GITHUB_STEP_SUMMARY\)/);
      assert.match(message, why);
    }
    assert.ok(!existsSync(join(dir, 'summary-target.md')));
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const code = await runPlan(['-c', config, '--no-color'], {
      ...quiet,
      env: { ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    });
    assert.equal(code, 0);
    const text = readFileSync(summary, 'utf8');
    assert.ok(text.startsWith('# earlier step\n') && text.length > 100, text);
  });

  test("a saved plan's config.file that is a FIFO, /dev/zero or a directory fails at once, before any org is read", async () => {
    const fifo = join(dir, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    const saved = JSON.parse(readFileSync(planFile, 'utf8')) as { config: { file: string } };
    for (const [target, why] of [
      [fifo, /named pipe/],
      ['/dev/zero', /device/],
      [dir, /directory/],
    ] as const) {
      saved.config.file = target;
      const edited = join(dir, 'edited.plan.json');
      writeFileSync(edited, JSON.stringify(saved));
      const requests = countRequests(sim);
      const { code, message } = await exitOf(() => runApply([edited, '--auto-approve'], { ...quiet, env }));
      assert.equal(code, 1, `${target}: ${message}`);
      assert.match(message, why);
      assert.equal(countRequests(sim), requests);
    }
  });

  test('a write replaces the file whole, leaving no temporary file', () => {
    const target = join(dir, 'whole.json');
    writeFileSync(target, 'previous');
    const before = readdirSync(dir).length;
    writeOutputFile(target, 'new', { what: 'the plan' });
    assert.equal(readFileSync(target, 'utf8'), 'new');
    assert.equal(readdirSync(dir).length, before);
  });

  // A full disk can't be made here (no loop device, no RLIMIT_FSIZE from Node): a read-only
  // directory fails the same step (the new file can't be written) and needs a non-root user.
  test('a failed write leaves the previous file and no temporary file', {
    skip: process.getuid?.() === 0 && 'root writes anywhere',
  }, () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    writeFileSync(join(ro, 'plan.json'), 'previous');
    execFileSync('chmod', ['0555', ro]);
    try {
      assert.throws(
        () => writeOutputFile(join(ro, 'plan.json'), 'new', { what: 'the plan' }),
        /permission denied; nothing was written there/,
      );
      assert.equal(readFileSync(join(ro, 'plan.json'), 'utf8'), 'previous');
      assert.deepEqual(readdirSync(ro), ['plan.json']);
    } finally {
      execFileSync('chmod', ['0755', ro]);
    }
  });

  test('reads are capped: a file over the limit is refused without reading it whole', () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, Buffer.alloc(2048, 0x20));
    assert.throws(() => readRegularFile(big, 'the saved plan', 1024), /over the 0\.0 MB limit|over the .* limit/);
    assert.equal(readRegularFile(big, 'the saved plan', 4096).length, 2048);
  });
});
