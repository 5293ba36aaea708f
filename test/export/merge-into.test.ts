/**
 * `export --into`: console changes of every kind a Spoke's entry lists (a user assigned to an
 * authoritative list and one to an additive list, a user and a push unassigned, a group
 * assigned, a push paused and one added, a To App feature flipped) are taken into a commented
 * config in place. The file becomes the golden one (only those lines differ: comments, aligned
 * notes, flow/block styles, the anchor and every `${…}` stay), it plans as no changes, a second
 * run changes nothing, and a value behind a shared anchor is left for a person, not edited.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { startSim, type Sim } from '../../src/sim/index.js';
import { consoleChange, type ConsoleChange } from '../../src/sim/console.js';
import { runExport } from '../../src/cli/commands/export.js';
import { runPlan } from '../../src/cli/commands/plan.js';

const FIXTURES = new URL('./fixtures/drift/', import.meta.url);
const SEED = new URL('seed.yaml', FIXTURES).pathname;
const CANARY = 'sim-canary-answer-7f3a';

let dir: string;
let original: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'org2org-merge-'));
  original = await readFile(new URL('config.yaml', FIXTURES), 'utf8');
});
after(() => rm(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(command: typeof runExport, argv: string[], sim: Sim): Promise<Run> {
  const r = { code: 0, out: '', err: '' };
  r.code = await command(argv, { env: sim.env, stdout: (t) => (r.out += t), stderr: (t) => (r.err += t) });
  return r;
}

const EMEA_CHANGES: ConsoleChange[] = [
  { assignUser: 'dieter@acme.com', initialStatus: 'pending_with_pass' },
  { unassignUser: 'chloe@acme.com' },
  { assignGroup: 'Ops Team' },
  { pushStatus: 'Finance', status: 'INACTIVE' },
  { pushGroup: 'Marketing' },
  { toApp: 'deactivateUsers', enabled: true },
];
const APAC_CHANGES: ConsoleChange[] = [{ assignUser: 'sora@acme.com' }, { unassignUser: 'mei@acme.com' }, { unpushGroup: 'APAC Support' }];

test('console changes of every kind → export --into edits only their lines (golden), keeps comments and ${…}, plans as no changes', async () => {
  const sim = await startSim(SEED, { timeScale: 60 });
  try {
    const file = join(dir, 'org2org.config.yaml');
    await writeFile(file, original);
    const clean = await run(runPlan, ['-c', file, '--detailed-exitcode'], sim);
    assert.equal(clean.code, 0, 'the config matches the seeded orgs before the console is used');

    for (const change of EMEA_CHANGES) await consoleChange(sim, 'emea', change);
    for (const change of APAC_CHANGES) await consoleChange(sim, 'apac', change);
    const drift = await run(runPlan, ['-c', file, '--detailed-exitcode'], sim);
    assert.equal(drift.code, 2, 'the console made drift');

    const check = await run(runExport, ['--into', file, '--check'], sim);
    assert.equal(check.code, 2, check.err);
    assert.equal(await readFile(file, 'utf8'), original, '--check writes nothing');

    const merge = await run(runExport, ['--into', file], sim);
    assert.equal(merge.code, 0, merge.err);
    assert.deepEqual(merge.out.trim().split('\n').sort(), [
      'merged: spoke.apac.assignment.user["mei@acme.com"]',
      'merged: spoke.apac.pushMapping["APAC Support"]',
      'merged: spoke.emea.assignment.group["Ops Team"]',
      'merged: spoke.emea.assignment.user["chloe@acme.com"]',
      'merged: spoke.emea.assignment.user["dieter@acme.com"]',
      'merged: spoke.emea.features.toApp',
      'merged: spoke.emea.pushMapping["Finance"]',
      'merged: spoke.emea.pushMapping["Marketing"]',
    ]);
    assert.match(merge.err, /8 changes merged; the file now plans as No changes/);

    const merged = await readFile(file, 'utf8');
    assert.equal(merged, await readFile(new URL('config.merged.yaml', FIXTURES), 'utf8'));
    // The golden file says it; these say why it matters.
    const removed = diffLines(original, merged)
      .filter((p) => p.removed)
      .flatMap((p) => p.value.trimEnd().split('\n'));
    assert.deepEqual(removed, [
      '      toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: false, syncPassword: false }',
      '        - login: chloe@acme.com',
      '          initialStatus: pending_without_pass',
      '        - { name: Finance, targetName: Finance }',
      '      users: [{ login: kenji@acme.com }, { login: mei@acme.com }]',
      '      groups:',
      '        - name: APAC Support                    # the support desk',
    ]);
    for (const kept of ['${ALICE_ANSWER}       # never in the file', '&defaults', '*defaults', '# people of the sales team']) {
      assert.ok(merged.includes(kept), kept);
    }
    assert.ok(!merged.includes('sora@acme.com'), 'an assignment added to an additive list is not drift');
    assert.ok(!(merge.out + merge.err + merged).includes(CANARY), 'no security answer is written or printed');
    for (const token of Object.values(sim.orgs).flatMap((o) => Object.values(o.tokens))) assert.ok(!merged.includes(token));

    const plan = await run(runPlan, ['-c', file, '--detailed-exitcode'], sim);
    assert.equal(plan.code, 0, plan.out);
    assert.match(plan.out, /No changes\./);

    const again = await run(runExport, ['--into', file], sim);
    assert.equal(again.code, 0);
    assert.equal(again.out, '');
    assert.equal(await readFile(file, 'utf8'), merged, 'a second merge changes nothing');
  } finally {
    await sim.close();
  }
});

test('--spoke limits the merge; a value shared through an anchor is left for a person (exit 3), the rest is merged', async () => {
  const sim = await startSim(SEED, { timeScale: 60 });
  try {
    const file = join(dir, 'anchored.yaml');
    // Both Spokes' To App features are one anchored mapping: flipping emea's can't be said without changing apac's.
    const anchored = original
      .replace(
        'toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: false',
        'toApp: &toApp { createUsers: true, updateUserAttributes: true, deactivateUsers: true',
      )
      .replace('toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: true, syncPassword: false }', 'toApp: *toApp');
    await writeFile(file, anchored);
    await consoleChange(sim, 'emea', { toApp: 'deactivateUsers', enabled: false });
    await consoleChange(sim, 'emea', { unassignUser: 'bob@acme.com' });
    await consoleChange(sim, 'apac', { unassignUser: 'kenji@acme.com' });

    const merge = await run(runExport, ['--into', file, '--spoke', 'emea'], sim);
    assert.equal(merge.code, 3, merge.err);
    assert.equal(merge.out, 'merged: spoke.emea.assignment.user["bob@acme.com"]\n');
    assert.match(merge.err, /not merged: spoke\.emea\.features\.toApp: the value is shared through the anchor &toApp; edit it by hand/);
    assert.match(merge.err, /1 change merged; 1 change still planned/);
    const merged = await readFile(file, 'utf8');
    assert.ok(merged.includes('&toApp') && merged.includes('toApp: *toApp'));
    assert.ok(!merged.includes('bob@acme.com'));
    assert.ok(merged.includes('kenji@acme.com'), 'apac was not chosen');
  } finally {
    await sim.close();
  }
});
