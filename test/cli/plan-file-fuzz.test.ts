/**
 * A saved plan is a file anyone may edit: whatever it holds, `show` (every format) and `apply`
 * end with exit 0 or a clear exit 1, never an internal error (70). Mutations are targeted (each
 * field of the plan, a spoke and a change set to null, the wrong type, a list of null) and random
 * (a seeded generator, so a failure names a mutation that reproduces).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApply } from '../../src/cli/commands/apply.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { runShow } from '../../src/cli/commands/show.js';
import { Org2OrgError } from '../../src/errors.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { cliEnv } from '../e2e/cli.js';
import { createRng } from '../../src/sim/faults.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Exit code as main.ts maps it: an Org2OrgError's own, anything else 70. */
async function exitOf(run: () => Promise<number>): Promise<{ code: number; error?: unknown }> {
  try {
    return { code: await run() };
  } catch (error) {
    return { code: error instanceof Org2OrgError ? error.exitCode : 70, error };
  }
}

const quiet = { stdout: () => {}, stderr: () => {} };

const ODD_VALUES: Json[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  '',
  'x',
  true,
  [],
  {},
  [null],
  [{}],
  { x: null },
  'spoke.emea.app',
  '9'.repeat(400),
  '\u001b[2J\u202e',
];

/** Every path (list of keys) into `value`, parents before children. */
function paths(value: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const copy = structuredClone(root);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

function getAt(root: Json, path: (string | number)[]): Json {
  let node = root as Record<string | number, Json>;
  for (const key of path) node = node[key] as Record<string | number, Json>;
  return node as Json;
}

interface Mutation {
  name: string;
  text: string;
}

function targeted(base: Json): Mutation[] {
  const out: Mutation[] = [];
  const spoke0 = ['spokes', 0];
  const change0 = ['spokes', 0, 'changes', 0];
  const roots: (string | number)[][] = [[]];
  for (const prefix of [spoke0, change0]) if (getAt(base, prefix) !== undefined) roots.push(prefix);
  for (const prefix of roots) {
    const node = getAt(base, prefix);
    if (node === null || typeof node !== 'object' || Array.isArray(node)) continue;
    for (const key of Object.keys(node)) {
      for (const value of [null, 'x', [null], {}, 7] as Json[]) {
        const path = [...prefix, key];
        out.push({ name: `${path.join('.')} = ${JSON.stringify(value)}`, text: JSON.stringify(setAt(base, path, value)) });
      }
      out.push({ name: `${[...prefix, key].join('.')} removed`, text: JSON.stringify(setAt(base, [...prefix, key], undefined)) });
    }
  }
  return out;
}

function random(base: Json, seed: number, count: number): Mutation[] {
  const rnd = createRng(seed);
  const all = paths(base).filter((p) => p.length > 0);
  const text = JSON.stringify(base);
  const out: Mutation[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rnd();
    if (kind < 0.1) {
      // Bytes, not structure: a cut, a flipped character.
      const at = Math.floor(rnd() * text.length);
      out.push({ name: `#${i} cut at ${at}`, text: text.slice(0, at) });
      continue;
    }
    let mutated = base;
    const steps = 1 + Math.floor(rnd() * 3);
    const names: string[] = [];
    for (let s = 0; s < steps; s++) {
      const candidates = paths(mutated).filter((p) => p.length > 0);
      const path = (candidates.length > 0 ? candidates : all)[Math.floor(rnd() * candidates.length)]!;
      const r = rnd();
      if (r < 0.2) {
        mutated = setAt(mutated, path, undefined);
        names.push(`${path.join('.')} removed`);
      } else if (r < 0.3) {
        // Another value of the same file in its place (the wrong type, or plausible but wrong).
        const other = all[Math.floor(rnd() * all.length)]!;
        const value = getAt(base, other);
        mutated = setAt(mutated, path, value);
        names.push(`${path.join('.')} = value of ${other.join('.')}`);
      } else {
        const value = ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)]!;
        mutated = setAt(mutated, path, value);
        names.push(`${path.join('.')} = ${JSON.stringify(value).slice(0, 20)}`);
      }
    }
    out.push({ name: `#${i} ${names.join(', ')}`, text: JSON.stringify(mutated) });
  }
  return out;
}

describe('malformed saved plans', () => {
  let sim: Sim;
  let dir: string;
  let env: Record<string, string>;
  let config: string;
  let base: Json;
  before(async () => {
    sim = await startSim('examples/sim/seed.yaml', { timeScale: 60, provisioningDelayMs: 0 });
    dir = mkdtempSync(join(tmpdir(), 'org2org-plan-fuzz-'));
    env = cliEnv(sim);
    config = join(dir, 'org2org.config.yaml');
    copyFileSync('org2org.config.yaml', config);
    const planFile = join(dir, 'base.plan.json');
    const code = await runPlan(['-c', config, '--out', planFile, '--no-color'], { ...quiet, env, cwd: dir });
    assert.equal(code, 0);
    base = JSON.parse(readFileSync(planFile, 'utf8')) as Json;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  });

  async function showAll(mutations: Mutation[]): Promise<string[]> {
    const failures: string[] = [];
    const file = join(dir, 'mutated.plan.json');
    for (const m of mutations) {
      writeFileSync(file, m.text);
      for (const format of ['text', 'markdown', 'json']) {
        const { code, error } = await exitOf(() => runShow([file, '--format', format, '--no-color'], { ...quiet, env: {} }));
        if (code !== 0 && code !== 1) failures.push(`show --format ${format}: ${m.name}: exit ${code}: ${(error as Error)?.stack ?? ''}`);
      }
    }
    return failures;
  }

  test('show: every field set to null, the wrong type or removed exits 0 or 1', async () => {
    const mutations = targeted(base);
    assert.ok(mutations.length > 60, `only ${mutations.length} mutations`);
    const failures = await showAll(mutations);
    assert.deepEqual(failures.slice(0, 5), []);
  });

  test('show: 400 random mutations exit 0 or 1', async () => {
    const failures = await showAll(random(base, 25, 400));
    assert.deepEqual(failures.slice(0, 5), []);
  });

  test('show: a FIFO, /dev/zero, a directory and a missing file fail at once (exit 1)', async () => {
    const { execFileSync } = await import('node:child_process');
    const fifo = join(dir, 'plan.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const file of [fifo, '/dev/zero', dir, join(dir, 'missing.json')]) {
      const { code, error } = await exitOf(() => runShow([file], { ...quiet, env: {} }));
      assert.equal(code, 1, `${file}: ${String(error)}`);
      assert.match((error as Error).message, /cannot read the saved plan/);
    }
  });

  test('apply: the targeted mutations exit 0 or 1', async () => {
    const file = join(dir, 'apply.plan.json');
    const failures: string[] = [];
    // Mutations of the config path would point apply elsewhere: those are the file tests' business.
    // Each plans against the simulator: null, the wrong scalar and removal of every field are enough here.
    const mutations = targeted(base).filter((m) => !m.name.startsWith('config') && /(= null|= "x"|removed)$/.test(m.name));
    for (const m of mutations) {
      writeFileSync(file, m.text);
      const { code, error } = await exitOf(() => runApply([file, '-c', config, '--auto-approve'], { ...quiet, env }));
      // 0: a field apply doesn't compare (createdAt) changed, and the recomputed plan was applied.
      if (code !== 0 && code !== 1) failures.push(`apply: ${m.name}: exit ${code}: ${(error as Error)?.stack ?? ''}`);
    }
    assert.deepEqual(failures.slice(0, 5), []);
  });
});
