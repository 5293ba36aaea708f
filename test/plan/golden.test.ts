/**
 * Golden tests: each `test/fixtures/plan/<case>/` holds config.json + live.json and the exact
 * expected plan.txt, plan.md and plan.json (colour off). `UPDATE_GOLDEN=1` rewrites the expected
 * files from the current output; review the diff before committing it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPlan, toPlanFile } from '../../src/plan/create-plan.js';
import { renderPlanJson } from '../../src/render/json.js';
import { renderPlanMarkdown } from '../../src/render/markdown.js';
import { renderPlanText } from '../../src/render/text.js';
import { CANARY, desiredFromJson } from '../builders/desired.js';
import { liveFromJson } from '../builders/live.js';
import { driftCase, DRIFT_CHANGES } from './drift-large.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/plan/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

test('golden fixture cases exist', () => {
  assert.deepEqual(cases, ['authoritative', 'drift', 'empty-spoke', 'errors', 'hub-effects', 'matching', 'warnings']);
});

for (const name of cases) {
  test(`golden: ${name}`, () => {
    const dir = join(FIXTURES, name);
    const desired = desiredFromJson(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));
    const live = liveFromJson(JSON.parse(readFileSync(join(dir, 'live.json'), 'utf8')));
    const plan = createPlan(desired, live, { maxApiCapacity: 0.5, toolVersion: '0.1.0' });
    const outputs: Record<string, string> = {
      'plan.txt': renderPlanText(plan, { color: false }),
      'plan.md': renderPlanMarkdown(plan),
      'plan.json': renderPlanJson(toPlanFile(plan, live)),
    };
    for (const [file, actual] of Object.entries(outputs)) {
      assert.ok(!actual.includes(CANARY), `${name}/${file} leaks a secret value`);
      const path = join(dir, file);
      if (UPDATE || !existsSync(path)) {
        if (!UPDATE) assert.fail(`${name}/${file} is missing: run with UPDATE_GOLDEN=1 to create it`);
        writeFileSync(path, actual);
        continue;
      }
      assert.equal(actual, readFileSync(path, 'utf8'), `${name}/${file} differs from the golden file (UPDATE_GOLDEN=1 rewrites it)`);
    }
  });
}

/**
 * A 1,000-change drift plan (test/plan/drift-large.ts). Before unchanged resources went silent,
 * no-effect initialStatus changes left the plan and repeated notes were said once, the same plan
 * printed 243,807 bytes of text (measured at ee170d8): 244 bytes per change. It must stay under a
 * tenth of that.
 */
const SCALE = fileURLToPath(new URL('../fixtures/plan-scale/', import.meta.url));
const TEXT_BYTES_BEFORE = 243_807;

test('golden: a 1,000-change drift plan says each repeated thing once (under 10 % of the old size per change)', () => {
  const { desired, live } = driftCase();
  const plan = createPlan(desired, live, { maxApiCapacity: 0.5, toolVersion: '0.1.0' });
  const outputs: Record<string, string> = {
    'drift-1000.txt': renderPlanText(plan, { color: false }),
    'drift-1000.md': renderPlanMarkdown(plan),
  };
  const textBytes = Buffer.byteLength(outputs['drift-1000.txt']!);
  assert.ok(
    textBytes / DRIFT_CHANGES < (TEXT_BYTES_BEFORE / DRIFT_CHANGES) * 0.1,
    `${textBytes} bytes of text for ${DRIFT_CHANGES} changes`,
  );
  // And against the issue's own figure: a 380 KB plan for 1,486 changes, 256 bytes each.
  assert.ok(textBytes / DRIFT_CHANGES < ((380 * 1024) / 1486) * 0.1, `${textBytes} bytes of text for ${DRIFT_CHANGES} changes`);
  // The no-effect status changes are neither changes nor API writes, and are said in one note.
  assert.equal(plan.summary.apiWrites, 40);
  assert.equal(plan.spokes[0]!.notes?.length, 1);
  assert.match(plan.spokes[0]!.notes![0]!, /^960 provisioned users differ only in initialStatus/);
  for (const [file, actual] of Object.entries(outputs)) {
    assert.ok(!actual.includes(CANARY), `${file} leaks a secret value`);
    assert.equal(actual.match(/write-only in Okta/g)?.length, 1, `${file}: the answer note is said once`);
    const path = join(SCALE, file);
    if (UPDATE) {
      writeFileSync(path, actual);
      continue;
    }
    assert.equal(actual, readFileSync(path, 'utf8'), `${file} differs from the golden file (UPDATE_GOLDEN=1 rewrites it)`);
  }
});

test('golden: removals with Deactivate Users on say what happens in the Hub, and the comment opens with a warning box', () => {
  const dir = join(FIXTURES, 'authoritative');
  const txt = readFileSync(join(dir, 'plan.txt'), 'utf8');
  const md = readFileSync(join(dir, 'plan.md'), 'utf8');
  assert.match(
    txt,
    /- assignment\.user\["dave@acme\.com"\]\n(?: {6}.*\n)*? {6}in the Hub: deactivates dave@acme\.com's Hub user \(Deactivate Users is on\)/,
  );
  assert.match(txt, /^3 changes act on the Hub through Okta's provisioning/m);
  assert.match(md, /^## org2org plan[^\n]*\n\n> \[!WARNING\]\n> This plan \*\*removes 5 objects\*\* and \*\*3 changes act on the Hub/);
  // A plan that removes nothing and touches nothing in the Hub has no box.
  assert.doesNotMatch(readFileSync(join(FIXTURES, 'drift', 'plan.md'), 'utf8'), /\[!WARNING\]/);
});

test('golden: a linked push, a re-activated push, a deleteTarget removal and a deactivation each carry their Hub consequence, counted and bannered', () => {
  const dir = join(FIXTURES, 'hub-effects');
  const txt = readFileSync(join(dir, 'plan.txt'), 'utf8');
  const md = readFileSync(join(dir, 'plan.md'), 'utf8');
  const json = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
  assert.match(
    txt,
    /\+ pushMapping\["Finance"\]\n(?: {6}.*\n)*? {6}in the Hub: replaces the members of the Hub group "Finance" with the pushed ones: 2 Hub-only members are dropped \(frank@acme\.com, gina@acme\.com\)/,
  );
  assert.match(
    txt,
    /- pushMapping\["Old Team"\]\n(?: {6}.*\n)*? {6}in the Hub: deletes the Hub group "Old Team" and its memberships \(3 members lose it\)/,
  );
  assert.match(txt, /- pushMapping\["Retired"\]\n(?: {6}.*\n)*? {6}note: The Hub group is kept \(onRemove: keepTarget\)\./);
  assert.match(
    txt,
    /~ pushMapping\["Paused"\]\n(?: {6}.*\n)*? {6}in the Hub: replaces the members of the Hub group "Paused" with the pushed ones: 1 Hub-only member is dropped \(zed@acme\.com\)/,
  );
  assert.match(txt, /in the Hub: deactivates dave@acme\.com's Hub user/);
  // "Long Gone" is marked remove: true and has no mapping: done, nothing planned.
  assert.doesNotMatch(txt, /Long Gone/);
  assert.match(txt, /^4 changes act on the Hub through Okta's provisioning/m);
  assert.match(md, /^## org2org plan[^\n]*\n\n> \[!WARNING\]\n> This plan \*\*removes 3 objects\*\* and \*\*4 changes act on the Hub/);
  const ops = json.spokes[0].changes
    .map((c: { op: { type: string; deleteTargetGroup?: boolean } }) => c.op)
    .filter((op: { type: string }) => op.type === 'pushMapping.delete');
  assert.deepEqual(
    ops.map((op: { deleteTargetGroup: boolean }) => op.deleteTargetGroup),
    [true, false],
  );
  assert.equal(json.summary.hubEffects, 4);
});
