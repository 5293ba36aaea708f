/**
 * Adoption, end to end against the simulator: export → the project's own loader accepts the file
 * → `plan --detailed-exitcode` exits 0 (no changes). Then two reviewed edits (one assignment
 * removed under `authoritative`, one group pushed) → the plan shows exactly those two changes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { startSim, type Sim } from '../../src/sim/index.js';
import { runExport } from '../../src/cli/commands/export.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { loadConfig } from '../../src/config/load.js';
import type { WrittenPlanFile } from '../../src/plan/types.js';
import { adoptionSeed, ageLegacyHubGroups } from './setup.js';

let sim: Sim;
let dir: string;
let file: string;

before(async () => {
  sim = await startSim(adoptionSeed(), { timeScale: 60 });
  ageLegacyHubGroups(sim);
  dir = await mkdtemp(join(tmpdir(), 'org2org-roundtrip-'));
  file = join(dir, 'org2org.config.yaml');
  const code = await runExport(
    ['--hub-url', sim.orgs.hub!.url, '--spoke', `emea=${sim.orgs.emea!.url}`, '--spoke', `apac=${sim.orgs.apac!.url}`, '-o', file],
    { env: sim.env, stdout: () => {}, stderr: () => {} },
  );
  assert.equal(code, 0);
});

after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

async function plan(configFile: string): Promise<{ code: number; plan: WrittenPlanFile }> {
  let stdout = '';
  const code = await runPlan(['-c', configFile, '--format', 'json', '--detailed-exitcode'], {
    env: sim.env,
    stdout: (t) => (stdout += t),
    stderr: () => {},
  });
  return { code, plan: JSON.parse(stdout) as WrittenPlanFile };
}

const changesOf = (p: WrittenPlanFile) =>
  p.spokes.flatMap((s) => s.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`));

test('the exported file loads with the config loader (schema and rules)', async () => {
  const { desired, warnings } = await loadConfig(file, { env: sim.env, requireSecrets: true });
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    desired.spokes.map((s) => [s.name, s.assignments.mode, s.assignments.users.length, s.pushGroups.groups.length]),
    [
      ['apac', 'authoritative', 600, 20],
      ['emea', 'authoritative', 800, 30],
    ],
  );
});

test('the first plan of an export is a no-op (exit 0 with --detailed-exitcode)', async () => {
  const { code, plan: p } = await plan(file);
  assert.deepEqual(changesOf(p), []);
  assert.equal(p.errored, false);
  assert.equal(code, 0);
});

test('two reviewed edits → exactly two changes: one unassignment, one new push', async () => {
  const doc = parseDocument(await readFile(file, 'utf8'));
  const users = doc.getIn(['spokes', 1, 'assignments', 'users']) as YAMLSeq<YAMLMap>;
  assert.equal(doc.getIn(['spokes', 1, 'name']), 'emea');
  const removed = users.items.findIndex((u) => u.get('login') === 'user42@emea.example.com');
  assert.ok(removed >= 0);
  users.items.splice(removed, 1);
  (doc.getIn(['spokes', 0, 'pushGroups', 'groups']) as YAMLSeq).add(doc.createNode({ name: 'apac staff 1' }));
  const edited = join(dir, 'edited.yaml');
  await writeFile(edited, doc.toString({ lineWidth: 0 }));

  const { code, plan: p } = await plan(edited);
  assert.deepEqual(changesOf(p).sort(), [
    'create spoke.apac.pushMapping["apac staff 1"]',
    'delete spoke.emea.assignment.user["user42@emea.example.com"]',
  ]);
  assert.equal(code, 2);
});
