/**
 * `--spoke` is least privilege: check, plan and apply resolve the environment of the selected
 * Spokes and the Hub only. The other Spokes are still schema- and rule-checked, but their
 * variables are never read — a matrix job for apac holds, and can leak, nothing of emea's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type Sim } from '../../src/sim/index.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { runApply } from '../../src/cli/commands/apply.js';
import { runCheck } from '../../src/cli/commands/check.js';
import { runCli } from '../run-cli.js';

/** emea's variables in org2org.config.yaml; apac's and the Hub's are the rest of the simulator's env. */
const EMEA_VARS = ['OKTA_EMEA_URL', 'OKTA_EMEA_TOKEN', 'ALICE_ANSWER'];

/** The whole environment, recording every variable anything asks for. */
function recordingEnv(values: Record<string, string>): { env: Record<string, string | undefined>; read: Set<string> } {
  const read = new Set<string>();
  const env = new Proxy({ ...values } as Record<string, string | undefined>, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return target[key as string];
    },
    has(target, key) {
      if (typeof key === 'string') read.add(key);
      return key in target;
    },
    ownKeys(target) {
      // Listing the environment would hand emea's values to whoever iterates.
      for (const key of Object.keys(target)) read.add(key);
      return Reflect.ownKeys(target);
    },
  });
  return { env, read };
}

function sink(): { text: () => string; io: { stdout: (t: string) => void; stderr: (t: string) => void } } {
  let all = '';
  return { text: () => all, io: { stdout: (t) => void (all += t), stderr: (t) => void (all += t) } };
}

describe('--spoke apac with the whole environment present', () => {
  let sim: Sim;
  let allVars: Record<string, string>;
  before(async () => {
    sim = await startSim('examples/sim/seed.yaml', { timeScale: 60, provisioningDelayMs: 0 });
    allVars = { ...sim.env, ALICE_ANSWER: 'canary-emea-answer-91c2' };
    for (const name of EMEA_VARS) assert.ok(allVars[name], `${name} is set, so reading it would go unnoticed without the recorder`);
  });
  after(() => sim.close());

  /** Runs `command --spoke apac` with every variable set, checks its exit code and that it read no emea variable; its output and what it read. */
  async function runApacOnly(
    command: typeof runCheck | typeof runPlan,
    args: string[],
    expectedCode: number,
  ): Promise<{ text: string; read: Set<string> }> {
    const { env, read } = recordingEnv(allVars);
    const out = sink();
    const code = await command(['-c', 'org2org.config.yaml', '--spoke', 'apac', ...args], { ...out.io, env });
    assert.equal(code, expectedCode, out.text());
    assert.deepEqual(
      EMEA_VARS.filter((v) => read.has(v)),
      [],
    );
    return { text: out.text(), read };
  }

  test('check reads no emea variable', async () => {
    const { read } = await runApacOnly(runCheck, ['--format', 'json'], 0);
    assert.ok(read.has('OKTA_APAC_TOKEN') && read.has('OKTA_HUB_ADMIN_TOKEN'));
  });

  test('plan reads no emea variable, and plans apac only', async () => {
    const { text } = await runApacOnly(runPlan, ['--no-color', '--detailed-exitcode'], 2);
    assert.match(text, /apac/);
    assert.doesNotMatch(text, /emea/);
  });

  test('apply reads no emea variable; a saved apac plan applies without them too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'org2org-spoke-'));
    try {
      const planned = recordingEnv(allVars);
      const planFile = join(dir, 'plan.json');
      const out = sink();
      assert.equal(
        await runPlan(['-c', 'org2org.config.yaml', '--spoke', 'apac', '--out', planFile], { ...out.io, env: planned.env }),
        0,
        out.text(),
      );
      const applied = recordingEnv(allVars);
      const code = await runApply([planFile, '-c', 'org2org.config.yaml', '--auto-approve', '--no-tty'], { ...out.io, env: applied.env });
      assert.equal(code, 0, out.text());
      assert.deepEqual(
        EMEA_VARS.filter((v) => planned.read.has(v) || applied.read.has(v)),
        [],
      );
      assert.doesNotMatch(out.text(), /canary-emea-answer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("--spoke from the command line, with only the selected Spoke's and the Hub's variables set", () => {
  let sim: Sim;
  let hubAndApac: Record<string, string>;
  let dir: string;
  before(async () => {
    sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
    hubAndApac = Object.fromEntries(Object.entries(sim.env).filter(([name]) => !EMEA_VARS.includes(name)));
    dir = mkdtempSync(join(tmpdir(), 'org2org-spoke-cli-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  });

  test('plan --spoke apac runs; without --spoke the missing emea variables are the errors', async () => {
    const apac = await runCli(['plan', '-c', 'org2org.config.yaml', '--spoke', 'apac', '--detailed-exitcode'], hubAndApac);
    assert.equal(apac.code, 2, apac.stdout + apac.stderr);
    assert.match(apac.stdout, /apac/);
    assert.doesNotMatch(apac.stderr, /not set/);

    const all = await runCli(['plan', '-c', 'org2org.config.yaml'], hubAndApac);
    assert.equal(all.code, 1);
    for (const name of ['OKTA_EMEA_URL', 'OKTA_EMEA_TOKEN', 'ALICE_ANSWER']) assert.match(all.stderr, new RegExp(`${name} is not set`));
    assert.doesNotMatch(all.stderr, /OKTA_APAC_TOKEN is not set/);
  });

  test("check --spoke apac runs; --spoke emea names only emea's missing variables", async () => {
    const apac = await runCli(['check', '-c', 'org2org.config.yaml', '--spoke', 'apac'], hubAndApac);
    assert.equal(apac.code, 0, apac.stdout + apac.stderr);
    const emeaOnly = Object.fromEntries(
      Object.entries(sim.env).filter(([name]) => !name.startsWith('OKTA_APAC_') && name !== 'ALICE_ANSWER'),
    );
    const emea = await runCli(['check', '-c', 'org2org.config.yaml', '--spoke', 'emea'], emeaOnly);
    assert.equal(emea.code, 1);
    assert.match(emea.stderr, /ALICE_ANSWER is not set/);
    assert.doesNotMatch(emea.stderr, /OKTA_APAC/);
  });

  test('the other Spokes are still checked against the schema and the rules', async () => {
    const config = readFileSync('org2org.config.yaml', 'utf8');
    const broken = join(dir, 'broken-emea.yaml');
    writeFileSync(
      broken,
      config
        .replace('      label: Acme Hub\n', '      label: Acme Hub\n      colour: blue\n')
        .replace('        - login: bob@acme.com\n', '        - login: bob@acme.com\n        - login: BOB@acme.com\n'),
    );
    const run = await runCli(['plan', '-c', broken, '--spoke', 'apac'], hubAndApac);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /colour/);
    const rules = join(dir, 'rules-emea.yaml');
    writeFileSync(
      rules,
      config.replace('        - login: bob@acme.com\n', '        - login: bob@acme.com\n        - login: BOB@acme.com\n'),
    );
    const dup = await runCli(['plan', '-c', rules, '--spoke', 'apac'], hubAndApac);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already assigned/);
    assert.doesNotMatch(dup.stderr, /not set/);
  });

  test('an unknown --spoke is a usage error naming the Spokes, not a list of unset variables', async () => {
    const run = await runCli(['plan', '-c', 'org2org.config.yaml', '--spoke', 'apacc'], hubAndApac);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no spoke named "apacc".*spokes: emea, apac/);
    assert.doesNotMatch(run.stderr, /not set/);
  });
});
