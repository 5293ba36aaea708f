/**
 * schemas/plan.schema.json is the plan file's format: what `plan --format json` and `--out` write
 * validates against it, every op type apply knows has its place in it, and a file that departs
 * from it is refused with the schema's words.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { planSchemaProblems } from '../../src/cli/saved-plan-file.js';
import { createPlan, toPlanFile } from '../../src/plan/create-plan.js';
import type { PlanOp } from '../../src/plan/types.js';
import { renderPlanJson } from '../../src/render/json.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { desiredFromJson } from '../builders/desired.js';
import { liveFromJson } from '../builders/live.js';
import { cliEnv, runCli } from '../e2e/cli.js';

const FIXTURES = new URL('../fixtures/plan/', import.meta.url);
const SCHEMA = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as {
  $defs: { op: { oneOf: { properties: { type: { const: string } } }[] } };
};

function goldenPlanJson(name: string): string {
  const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`${name}/${file}`, FIXTURES), 'utf8'));
  const live = liveFromJson(read('live.json'));
  return renderPlanJson(
    toPlanFile(createPlan(desiredFromJson(read('config.json')), live, { maxApiCapacity: 0.5, toolVersion: '0' }), live),
  );
}

/** Every op type, spelled once: the compiler fails here when PlanOp gains one. */
const OP_TYPES: Record<PlanOp['type'], true> = {
  'app.create': true,
  'app.update': true,
  'app.activate': true,
  'connection.set': true,
  'connection.activate': true,
  'connection.deactivate': true,
  'serviceApp.create': true,
  'serviceApp.update': true,
  'serviceApp.delete': true,
  'serviceApp.grant': true,
  'serviceApp.revokeGrant': true,
  'serviceApp.assignRole': true,
  'serviceApp.unassignRole': true,
  'features.toApp': true,
  'features.toOkta': true,
  'assignment.user.assign': true,
  'assignment.user.update': true,
  'assignment.user.unassign': true,
  'assignment.group.assign': true,
  'assignment.group.unassign': true,
  'pushMapping.create': true,
  'pushMapping.update': true,
  'pushMapping.delete': true,
  'hubUserAttribute.create': true,
  'appAttribute.create': true,
  'attribute.set': true,
  'attribute.remove': true,
  none: true,
};

test('the schema describes every op type apply carries out, and no other', () => {
  const described = SCHEMA.$defs.op.oneOf.map((o) => o.properties.type.const).sort();
  assert.deepEqual(described, Object.keys(OP_TYPES).sort());
});

test('every golden plan, as JSON, validates against the schema', () => {
  const names = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory());
  assert.ok(names.length >= 7);
  for (const { name } of names) assert.deepEqual(planSchemaProblems(JSON.parse(goldenPlanJson(name))), [], name);
});

test('a departure from the schema is named by its path', () => {
  const plan = JSON.parse(goldenPlanJson('drift')) as { spokes: { changes: Record<string, unknown>[] }[]; summary: unknown };
  const change = plan.spokes[0]!.changes[0]!;
  change.op = { ...(change.op as object), type: 'app.explode' };
  change.extra = 1;
  plan.summary = 'x';
  const problems = planSchemaProblems(plan);
  assert.ok(problems.includes('summary must be object'), problems.join('\n'));
  assert.ok(problems.includes('spokes[0].changes[0] has "extra", which a plan file does not have'), problems.join('\n'));
  assert.ok(problems.includes('spokes[0].changes[0].op.type is not a change org2org makes'), problems.join('\n'));
});

describe('plan --format json against the simulator', () => {
  let sim: Sim;
  before(async () => {
    sim = await startSim('examples/sim/seed.yaml', { timeScale: 60, provisioningDelayMs: 0 });
  });
  after(async () => {
    await sim.close();
  });

  test('validates against the schema, with every change it lists', async () => {
    const run = await runCli(['plan', '--format', 'json'], cliEnv(sim));
    assert.equal(run.code, 0, run.stderr);
    const plan = JSON.parse(run.stdout) as { spokes: { changes: unknown[] }[] };
    assert.ok(plan.spokes.flatMap((s) => s.changes).length > 5, 'the seed plans changes, so the ops are checked');
    assert.deepEqual(planSchemaProblems(plan), []);
  });
});
