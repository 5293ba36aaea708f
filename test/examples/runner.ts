/**
 * A small stand-in for the GitHub Actions runner, enough for org2org's workflows and its composite
 * Action (action.yml): it runs a job's steps in order as the runner would — `run` scripts under
 * `bash -eo pipefail` with their `env` evaluated, `if:` conditions, step outputs, $GITHUB_PATH,
 * $GITHUB_STEP_SUMMARY — and runs the org2org Action's own steps for a `uses:` of it. Third-party
 * actions are stood in for: checkout and setup-node do nothing (the work tree and Node are here),
 * upload-artifact copies the file into an artifact store a fake `gh run download` can serve, and
 * actions/cache/restore and /save keep files in a cache store (a directory, kept across jobs: the
 * repository's cache, as GitHub's is between runs). Expressions: context paths, string literals,
 * == != && || ! and parentheses, the status functions and hashFiles('a file'); anything else fails
 * the test instead of being guessed at.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';

export type Context = Record<string, unknown>;

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
export interface Job {
  if?: string;
  env?: Record<string, string>;
  strategy?: { matrix?: { spoke?: string[] } };
  steps: Step[];
}
export interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}
export interface ActionMetadata {
  inputs: Record<string, { default?: string; required?: boolean; description?: string }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

// ── expressions ──────────────────────────────────────────────────────────────

type Value = string | number | boolean | null | Record<string, unknown>;

function lookup(ctx: Context, path: string): Value {
  let value: unknown = ctx;
  for (const part of path.split('.')) value = value === undefined || value === null ? undefined : (value as Record<string, unknown>)[part];
  return value === undefined ? null : (value as Value);
}

const truthy = (v: Value): boolean => v !== null && v !== false && v !== '' && v !== 0;
const str = (v: Value): string => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Evaluates one expression (the text inside `${{ }}`, or an `if:` without it). */
export function evaluate(expression: string, ctx: Context, status: { failed: boolean } = { failed: false }): Value {
  const tokens = expression.match(/'(?:[^']|'')*'|==|!=|&&|\|\||[!()]|[\w.-]+(?:\(\))?|\S/g) ?? [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const next = (): string => {
    const t = tokens[i++];
    assert.ok(t !== undefined, `expression ended early: ${expression}`);
    return t;
  };
  const primary = (): Value => {
    const t = next();
    if (t === '(') {
      const v = or();
      assert.equal(next(), ')', `expression: ${expression}`);
      return v;
    }
    if (t === '!') return !truthy(primary());
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t === 'cancelled()') return false;
    if (t === 'always()') return true;
    if (t === 'success()') return !status.failed;
    if (t === 'failure()') return status.failed;
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'hashFiles' && peek() === '(') {
      // One literal file (no globs) under the workspace: its digest, or '' when it doesn't exist, as GitHub answers.
      next();
      const arg = next();
      assert.match(arg, /^'[^'*?[]+'$/, `hashFiles takes one literal path here: ${expression}`);
      assert.equal(next(), ')', `expression: ${expression}`);
      const file = join(str(lookup(ctx, 'github.workspace')) || '.', arg.slice(1, -1));
      return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : '';
    }
    if (/^\d+$/.test(t)) return Number(t);
    assert.match(t, /^[A-Za-z_][\w-]*(\.[\w-]+)*$/, `expression not understood by the test runner: ${expression}`);
    return lookup(ctx, t);
  };
  const compare = (): Value => {
    const left = primary();
    const op = peek();
    if (op !== '==' && op !== '!=') return left;
    next();
    const right = primary();
    const equal = str(left) === str(right);
    return op === '==' ? equal : !equal;
  };
  const and = (): Value => {
    let v = compare();
    while (peek() === '&&') {
      next();
      const r = compare();
      v = truthy(v) ? r : v;
    }
    return v;
  };
  const or = (): Value => {
    let v = and();
    while (peek() === '||') {
      next();
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  };
  const value = or();
  assert.equal(i, tokens.length, `expression not understood by the test runner: ${expression}`);
  return value;
}

/** A string with `${{ … }}` parts substituted. */
export function interpolate(text: string, ctx: Context): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => str(evaluate(e, ctx)));
}

export function evaluateEnv(env: Record<string, unknown> | undefined, ctx: Context): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)]));
}

function condition(expr: string | undefined, ctx: Context, status: { failed: boolean }): boolean {
  if (expr === undefined) return !status.failed;
  const inner = expr.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  // A condition with no status function means `success() && …`.
  const explicit = /\b(cancelled|always|success|failure)\(\)/.test(inner);
  return (explicit || !status.failed) && truthy(evaluate(inner, ctx, status));
}

// ── jobs ─────────────────────────────────────────────────────────────────────

export interface StepResult {
  name: string;
  code: number | null;
  skipped: boolean;
  log: string;
  outputs: Record<string, string>;
}

export interface JobResult {
  failed: boolean;
  steps: StepResult[];
  summary: string;
  log: string;
  /** Artifacts uploaded: name → a directory holding the file. */
  artifacts: Record<string, string>;
  step(name: string): StepResult;
}

export interface RunnerOptions {
  /** The repository's work tree (where the job runs). */
  work: string;
  /** PATH entries before the system's (the fake gh, npm). */
  binDirs: string[];
  /** The org2org Action's checkout (github.action_path). */
  actionPath: string;
  /** Scratch space: each job gets its own RUNNER_TEMP under it. */
  tmp: string;
  /** Environment every step sees besides its own (HOME, the fakes' state). */
  baseEnv: Record<string, string>;
  /** actions/cache's store: one directory per key, in the order saved (default: under tmp). */
  cache?: string;
}

export interface JobInput {
  workflowFile: string;
  job: string;
  /** matrix, vars, secrets, github (event, sha, …) */
  context: Context;
  /** Steps not to run (by name). */
  skip?: string[];
}

const ORG2ORG_ACTION = /^[^/@\s]+\/org2org@\S+$/;

export class Runner {
  private n = 0;
  constructor(private readonly options: RunnerOptions) {}

  async runJob(input: JobInput): Promise<JobResult> {
    const wf = parse(readFileSync(input.workflowFile, 'utf8')) as Workflow;
    const job = wf.jobs[input.job];
    assert.ok(job, `${input.workflowFile}: no job ${input.job}`);
    const temp = mkdtempSync(join(this.options.tmp, 'runner-temp-'));
    const state: JobState = {
      temp,
      path: [],
      summaryFile: join(temp, '_summary.md'),
      log: '',
      artifacts: {},
      status: { failed: false },
    };
    writeFileSync(state.summaryFile, '');
    // The event payload, as the runner hands it to every step ($GITHUB_EVENT_PATH).
    const eventFile = join(temp, '_event.json');
    writeFileSync(eventFile, JSON.stringify((input.context.github as { event?: unknown } | undefined)?.event ?? {}));
    state.eventFile = eventFile;
    const github = { workspace: this.options.work, ...(input.context.github as Record<string, unknown> | undefined) };
    const ctx: Context = { ...input.context, github, steps: {} as Record<string, unknown>, runner: { temp } };
    const jobEnv = { ...evaluateEnv(wf.env, ctx), ...evaluateEnv(job.env, ctx) };
    const results: StepResult[] = [];
    for (const step of job.steps) {
      const name = step.name ?? step.uses ?? step.run ?? '';
      if (input.skip?.includes(name) || !condition(step.if, ctx, state.status)) {
        results.push({ name, code: null, skipped: true, log: '', outputs: {} });
        continue;
      }
      let result: StepResult;
      if (step.uses && ORG2ORG_ACTION.test(step.uses)) {
        result = await this.runAction(step, ctx, jobEnv, state);
        state.log += result.log;
      } else {
        result = await this.runStep(step, ctx, jobEnv, state);
      }
      results.push(result);
      if (step.id) (ctx.steps as Record<string, unknown>)[step.id] = { outputs: result.outputs };
      if (result.code !== 0) state.status.failed = true;
    }
    return {
      failed: state.status.failed,
      steps: results,
      summary: readFileSync(state.summaryFile, 'utf8'),
      log: state.log,
      artifacts: state.artifacts,
      step: (name) => {
        const found = results.find((r) => r.name === name);
        assert.ok(found, `no step "${name}" (steps: ${results.map((r) => r.name).join(' | ')})`);
        return found;
      },
    };
  }

  /** The org2org Action's steps, with the calling step's `with:` as inputs and its `env:` for every step. */
  private async runAction(step: Step, outer: Context, jobEnv: Record<string, string>, state: JobState): Promise<StepResult> {
    const meta = parse(readFileSync(join(this.options.actionPath, 'action.yml'), 'utf8')) as ActionMetadata;
    assert.equal(meta.runs.using, 'composite');
    const given = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), outer)]));
    for (const k of Object.keys(given)) assert.ok(k in meta.inputs, `the Action has no input "${k}"`);
    const github = { ...(outer.github as Record<string, unknown>), action_path: this.options.actionPath };
    const inputs: Record<string, string> = {};
    for (const [k, spec] of Object.entries(meta.inputs)) {
      inputs[k] = given[k] ?? interpolate(String(spec.default ?? ''), { github });
      if (spec.required) assert.ok(inputs[k] !== '', `required input ${k} not given`);
    }
    const callerEnv = { ...jobEnv, ...evaluateEnv(step.env, outer) };
    const ctx: Context = { github, inputs, steps: {} as Record<string, unknown>, runner: outer.runner };
    const inner = { ...state, status: { failed: false } };
    let log = '';
    for (const s of meta.runs.steps) {
      if (!condition(s.if, ctx, inner.status)) continue;
      if (s.run) assert.equal(s.shell, 'bash', `${s.name}: a composite step names its shell`);
      const r = await this.runStep(s, ctx, callerEnv, inner);
      log += r.log;
      if (s.id) (ctx.steps as Record<string, unknown>)[s.id] = { outputs: r.outputs };
      if (r.code !== 0) inner.status.failed = true;
    }
    const outputs = Object.fromEntries(Object.entries(meta.outputs ?? {}).map(([k, o]) => [k, interpolate(o.value, ctx)]));
    return { name: step.name ?? step.uses!, code: inner.status.failed ? 1 : 0, skipped: false, log, outputs };
  }

  private async runStep(step: Step, ctx: Context, outerEnv: Record<string, string>, state: JobState): Promise<StepResult> {
    const name = step.name ?? step.uses ?? '';
    if (step.uses) return this.standIn(step, ctx, state);
    assert.ok(step.run, `${name}: neither run nor uses`);
    assert.doesNotMatch(step.run, /\$\{\{/, `${name}: expressions go through env, not into the script`);
    const files = { output: join(state.temp, `_output-${++this.n}`), path: join(state.temp, `_path-${this.n}`) };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const env: Record<string, string> = {
      ...this.options.baseEnv,
      PATH: [...state.path, ...this.options.binDirs, process.env.PATH ?? ''].join(':'),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/okta',
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: state.summaryFile,
      GITHUB_PATH: files.path,
      GITHUB_EVENT_PATH: state.eventFile ?? '',
      RUNNER_TEMP: state.temp,
      ...outerEnv,
      ...evaluateEnv(step.env, ctx),
    };
    const script = join(state.temp, `_step-${this.n}.sh`);
    writeFileSync(script, step.run);
    const { code, log } = await new Promise<{ code: number | null; log: string }>((resolve, reject) => {
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
        cwd: this.options.work,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, log: out }));
    });
    state.log += log;
    state.path.unshift(
      ...readFileSync(files.path, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .reverse(),
    );
    const outputs = Object.fromEntries(
      readFileSync(files.output, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return { name, code, skipped: false, log, outputs };
  }

  /** Third-party actions: what they would leave behind, no more. */
  private async standIn(step: Step, ctx: Context, state: JobState): Promise<StepResult> {
    const name = step.name ?? step.uses!;
    const uses = step.uses!;
    const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)]));
    if (uses.startsWith('actions/checkout@') || uses.startsWith('actions/setup-node@')) {
      return { name, code: 0, skipped: false, log: '', outputs: {} };
    }
    if (uses.startsWith('actions/upload-artifact@')) {
      assert.equal(w.overwrite, 'true', `${name}: a re-run must be able to replace the artifact`);
      const file = w.path!.startsWith('/') ? w.path! : join(this.options.work, w.path!);
      if (!existsSync(file)) {
        const code = w['if-no-files-found'] === 'error' ? 1 : 0;
        return { name, code, skipped: false, log: `no file ${file}\n`, outputs: {} };
      }
      const dir = mkdtempSync(join(this.options.tmp, 'artifact-'));
      mkdirSync(dir, { recursive: true });
      cpSync(file, join(dir, basename(file)));
      state.artifacts[w.name!] = dir;
      return { name, code: 0, skipped: false, log: '', outputs: {} };
    }
    if (uses.startsWith('actions/cache/restore@')) return this.cacheRestore(name, w);
    if (uses.startsWith('actions/cache/save@')) return this.cacheSave(name, w);
    throw new Error(`no stand-in for ${uses}`);
  }

  private get cacheDir(): string {
    const dir = this.options.cache ?? join(this.options.tmp, 'actions-cache');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** The saved keys, oldest first. */
  cacheKeys(): string[] {
    const index = join(this.cacheDir, 'index.json');
    return existsSync(index) ? (JSON.parse(readFileSync(index, 'utf8')) as string[]) : [];
  }

  /** The exact key, else the newest key that starts with one of restore-keys (in their order), as actions/cache matches. */
  private cacheRestore(name: string, w: Record<string, string>): StepResult {
    const key = w.key!;
    assert.ok(key && w.path, `${name}: key and path are required`);
    const keys = this.cacheKeys();
    const prefixes = (w['restore-keys'] ?? '')
      .split('\n')
      .map((k) => k.trim())
      .filter((k) => k !== '');
    const matched = keys.includes(key) ? key : prefixes.map((p) => keys.filter((k) => k.startsWith(p)).at(-1)).find((k) => k !== undefined);
    const outputs: Record<string, string> = {
      'cache-primary-key': key,
      'cache-hit': String(matched === key),
      'cache-matched-key': matched ?? '',
    };
    if (matched === undefined) return { name, code: 0, skipped: false, log: `Cache not found for input keys: ${key}\n`, outputs };
    const stored = join(this.cacheDir, String(keys.indexOf(matched)));
    const file = this.workPath(w.path);
    mkdirSync(dirname(file), { recursive: true });
    cpSync(join(stored, 'file'), file);
    return { name, code: 0, skipped: false, log: `Cache restored from key: ${matched}\n`, outputs };
  }

  /** A key is saved once (caches are immutable); a missing path is a warning, not a failure, as in actions/cache. */
  private cacheSave(name: string, w: Record<string, string>): StepResult {
    const key = w.key!;
    assert.ok(key && w.path, `${name}: key and path are required`);
    const keys = this.cacheKeys();
    assert.ok(!keys.includes(key), `${name}: the key ${key} is saved already: a cache a run updates needs a new key each run`);
    const file = this.workPath(w.path);
    if (!existsSync(file))
      return { name, code: 0, skipped: false, log: `Warning: Path Validation Error: ${file} does not exist\n`, outputs: {} };
    const stored = join(this.cacheDir, String(keys.length));
    mkdirSync(stored, { recursive: true });
    cpSync(file, join(stored, 'file'));
    writeFileSync(join(this.cacheDir, 'index.json'), JSON.stringify([...keys, key]));
    return { name, code: 0, skipped: false, log: `Cache saved with key: ${key}\n`, outputs: {} };
  }

  private workPath(path: string): string {
    assert.ok(!path.includes('\n') && !/[*?[]/.test(path), `the cache stand-in keeps one file: ${path}`);
    return path.startsWith('/') ? path : join(this.options.work, path);
  }
}

interface JobState {
  temp: string;
  eventFile?: string;
  path: string[];
  summaryFile: string;
  log: string;
  artifacts: Record<string, string>;
  status: { failed: boolean };
}
