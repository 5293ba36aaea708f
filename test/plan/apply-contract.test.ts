/**
 * The plan is a contract with apply: a plan createPlan makes must run through applyPlan as is
 * (ops apply understands, appId null filled from the app create, env var names resolved), and
 * each change's `writes` must be the number of write calls apply really makes.
 * Uses apply's in-memory org (test/apply/memory-org.ts) as the Spoke.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { applyPlan } from '../../src/apply/apply-plan.js';
import { createPlan } from '../../src/plan/create-plan.js';
import { MemoryOrg } from '../apply/memory-org.js';
import { CANARY, desiredFromJson } from '../builders/desired.js';
import { liveFromJson } from '../builders/live.js';

const fixture = (name: string, file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/plan/${name}/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;

test('an empty-spoke plan applies completely, with exactly the planned number of writes', async () => {
  const plan = createPlan(desiredFromJson(fixture('empty-spoke', 'config.json')), liveFromJson(fixture('empty-spoke', 'live.json')), {
    maxApiCapacity: 0.5,
    toolVersion: 'test',
  });
  const org = new MemoryOrg('emea');
  const env = { OKTA_HUB_PROVISIONING_TOKEN: `${CANARY}-token`, ALICE_ANSWER: `${CANARY}-answer` };
  const result = await applyPlan(plan, { spokes: { emea: org } }, { env });
  assert.deepEqual(
    result.results.filter((r) => r.outcome !== 'applied').map((r) => `${r.address}: ${r.outcome} ${r.message ?? ''}`),
    [],
  );
  assert.equal(result.applied, plan.summary.add);
  const writes = org.calls.filter((c) => c.method !== 'GET');
  assert.equal(writes.length, plan.summary.apiWrites);
  // The secrets went to Okta (and only there): the answer as the profile attribute, the token in the connection.
  const assign = writes.find((c) => c.path.endsWith('/users') && c.method === 'POST');
  assert.equal((assign?.body as { profile: Record<string, unknown> }).profile.securityAnswer, `${CANARY}-answer`);
});

test('authoritative removals apply in order, an active push mapping deactivated before its delete', async () => {
  const live = liveFromJson(fixture('authoritative', 'live.json'));
  const plan = createPlan(desiredFromJson(fixture('authoritative', 'config.json')), live, { maxApiCapacity: 0.5, toolVersion: 'test' });
  const org = new MemoryOrg('emea');
  org.addApp('0oa-emea');
  const app = org.apps.get('0oa-emea')!;
  for (const u of live.spokes.emea!.appUsers) {
    app.users.set(u.userId, { id: u.userId, scope: u.scope, status: u.status, syncState: 'SYNCHRONIZED', credentials: { userName: u.login }, profile: { ...u.profile } });
  }
  for (const g of live.spokes.emea!.appGroups) app.groups.set(g.groupId, { id: g.groupId });
  for (const m of live.spokes.emea!.pushMappings) org.addMapping('0oa-emea', m.id, m.sourceGroupId, m.status);

  const result = await applyPlan(plan, { spokes: { emea: org } }, { env: {} });
  assert.equal(result.failed, 0, JSON.stringify(result.results));
  assert.equal(result.applied, plan.summary.remove);
  const writes = org.calls.filter((c) => c.method !== 'GET');
  assert.equal(writes.length, plan.summary.apiWrites);
  assert.deepEqual(
    writes.filter((c) => c.path.includes('gpm-old')).map((c) => c.method),
    ['PATCH', 'DELETE'],
  );
  // Group-scoped erin stays; direct carl and dave are gone.
  assert.deepEqual([...app.users.keys()].sort(), ['00u-alice', '00u-bob', '00u-erin']);
});
