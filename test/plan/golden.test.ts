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
import { createPlan } from '../../src/plan/create-plan.js';
import { renderPlanJson } from '../../src/render/json.js';
import { renderPlanMarkdown } from '../../src/render/markdown.js';
import { renderPlanText } from '../../src/render/text.js';
import { CANARY, desiredFromJson, liveFromJson } from './builders.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/plan/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

test('golden fixture cases exist', () => {
  assert.deepEqual(cases, ['authoritative', 'drift', 'empty-spoke', 'errors', 'matching', 'warnings']);
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
      'plan.json': renderPlanJson(plan),
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
