/**
 * The plan is a contract with apply: a plan createPlan makes must run through applyPlan as is
 * (ops apply understands, appId null filled from the app create, env var names resolved), and
 * each change's `writes` must be the number of write calls apply really makes. The golden
 * fixtures' configs are planned against a simulated Spoke holding the fixture's world, read with
 * readLiveState, and applied to it over HTTP.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { applyPlan } from '../../src/apply/apply-plan.js';
import type { DesiredState } from '../../src/config/types.js';
import { createPlan } from '../../src/plan/create-plan.js';
import { startSim, type SeedApp, type Sim } from '../../src/sim/index.js';
import { readLiveState } from '../../src/state/read-live-state.js';
import { clientFor } from '../apply/sim-client.js';
import { CANARY, desiredFromJson } from '../builders/desired.js';
import { addressOf } from '../../src/plan/address.js';

const PROVISIONING_TOKEN = `${CANARY}-token`;
const ANSWER = `${CANARY}-answer`;
const ENV = { OKTA_HUB_PROVISIONING_TOKEN: PROVISIONING_TOKEN, ALICE_ANSWER: ANSWER };

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/plan/${name}/config.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** The fixtures' Spoke: alice and Bob, EMEA Sales (both), Legacy Ops (Bob); the Hub has Ops. */
async function startWorld(app?: SeedApp, extra: { users?: string[]; groups?: { name: string; members?: string[] }[] } = {}): Promise<Sim> {
  return startSim({
    orgs: {
      hub: {
        groups: [{ name: 'Ops' }],
        tokens: {
          PROV: { value: PROVISIONING_TOKEN, user: 'provisioner@hub.example.com', roles: ['SUPER_ADMIN'] },
          READ: { value: 'fake-hub-read-token-for-tests', user: 'reader@hub.example.com', roles: ['READ_ONLY_ADMIN'] },
        },
      },
      emea: {
        users: ['alice@acme.com', 'Bob@acme.com', ...(extra.users ?? [])].map((login) => ({ login })),
        groups: [
          { name: 'EMEA Sales', members: ['alice@acme.com', 'Bob@acme.com'] },
          { name: 'Legacy Ops', members: ['Bob@acme.com'] },
          ...(extra.groups ?? []),
        ],
        tokens: { ADMIN: { value: 'fake-emea-admin-token-for-tests', user: 'admin@emea.example.com', roles: ['SUPER_ADMIN'] } },
        ...(app ? { apps: [app] } : {}),
      },
    },
  });
}

/** The fixture's config pointed at the simulator; `keep` drops the push groups it doesn't name. */
function desiredFor(sim: Sim, name: string, keep?: (push: { name: string }) => boolean): DesiredState {
  const desired = desiredFromJson(fixture(name));
  desired.hub.url = sim.orgs.hub!.url;
  const spoke = desired.spokes[0]!;
  spoke.url = sim.orgs.emea!.url;
  if (keep) spoke.pushGroups.groups = spoke.pushGroups.groups.filter(keep);
  return desired;
}

async function planAndApply(sim: Sim, desired: DesiredState) {
  const clients = {
    hub: clientFor('hub', sim.orgs.hub!.url, sim.orgs.hub!.tokens.READ!),
    spokes: { emea: clientFor('emea', sim.orgs.emea!.url, sim.orgs.emea!.tokens.ADMIN!) },
  };
  const live = await readLiveState(desired, clients);
  const plan = createPlan(desired, live, { maxApiCapacity: 0.5, toolVersion: 'test' });
  assert.equal(plan.errored, false, JSON.stringify(plan.spokes[0]!.diagnostics));
  sim.resetStats();
  const result = await applyPlan(plan, clients, { env: ENV });
  const writes = Object.entries(sim.stats('emea').byRoute)
    .filter(([route]) => !route.startsWith('GET '))
    .reduce((n, [, count]) => n + count, 0);
  return { plan, result, writes };
}

test('an empty-spoke plan applies completely, with exactly the planned number of writes', async () => {
  const sim = await startWorld();
  try {
    // A link to an existing Hub group needs the Hub's groups imported into the new app first (a
    // step in the Admin Console, which the plan names): left out of a run that must apply whole.
    const { plan, result, writes } = await planAndApply(
      sim,
      desiredFor(sim, 'empty-spoke', (push) => push.name !== 'Legacy Ops'),
    );
    assert.deepEqual(
      result.results.filter((r) => r.outcome !== 'applied').map((r) => `${r.address}: ${r.outcome} ${r.message ?? ''}`),
      [],
    );
    assert.equal(result.applied, plan.summary.add + plan.summary.change);
    assert.equal(writes, plan.summary.apiWrites);
    // The secrets went to Okta (and only there): the answer as the profile attribute, the token in the connection.
    const app = sim.org('emea').apps.values()[0]!;
    assert.equal(app.users.get(sim.org('emea').findUser('alice@acme.com')!.id)!.profile.securityAnswer, ANSWER);
    assert.equal(app.connection.token, PROVISIONING_TOKEN);
    assert.ok(!JSON.stringify({ plan, result }).includes(CANARY), 'no secret in the plan or the result');
  } finally {
    await sim.close();
  }
});

test('authoritative removals apply in order, an active push mapping deactivated before its delete', async () => {
  const sim = await startWorld(
    {
      label: 'Acme Hub',
      hub: 'hub',
      connection: { token: 'hub/PROV' },
      provisioning: { createUsers: true, updateUserAttributes: true, deactivateUsers: true },
      users: [
        { login: 'alice@acme.com', initialStatus: 'active_with_pass' },
        { login: 'Bob@acme.com' },
        { login: 'dave@acme.com' },
        { login: 'carl@acme.com' },
      ],
      groups: ['EMEA Sales', 'Contractors'],
      pushMappings: [
        { source: 'EMEA Sales', target: 'EMEA Sales', status: 'ACTIVE' },
        { source: 'Old Team', target: 'Old Team', status: 'ACTIVE' },
      ],
      importHubGroups: true,
    },
    {
      users: ['dave@acme.com', 'carl@acme.com', 'erin@acme.com'],
      groups: [{ name: 'Contractors', members: ['erin@acme.com'] }, { name: 'Old Team' }],
    },
  );
  try {
    const emea = sim.org('emea');
    const app = emea.apps.values()[0]!;
    const old = app.pushMappings.values().find((m) => m.sourceGroupId === emea.findGroupByName('Old Team')!.id)!;
    const { plan, result, writes } = await planAndApply(sim, desiredFor(sim, 'authoritative'));
    assert.equal(result.failed, 0, JSON.stringify(result.results));
    assert.equal(result.applied, plan.summary.add + plan.summary.change + plan.summary.remove);
    assert.equal(writes, plan.summary.apiWrites);
    const removed = plan.spokes[0]!.changes.filter((c) => c.action === 'delete').map((c) => addressOf(c));
    assert.ok(removed.some((a) => a.includes('Old Team')) && removed.some((a) => a.includes('carl@acme.com')), removed.join(', '));
    const stats = sim.stats('emea').byRoute;
    assert.equal(stats['PATCH /api/v1/apps/{appId}/group-push/mappings/{mappingId}'], 1, 'only the ACTIVE mapping is deactivated first');
    assert.equal(app.pushMappings.has(old.id), false);
    // Direct carl and dave are unassigned; erin, assigned through Contractors, is never unassigned on her own.
    assert.equal(stats['DELETE /api/v1/apps/{appId}/users/{userId}'], 2);
    const assigned = app.users.values().map((u) => u.userName.toLowerCase());
    assert.ok(assigned.includes('alice@acme.com') && assigned.includes('bob@acme.com'));
    assert.ok(!assigned.includes('carl@acme.com') && !assigned.includes('dave@acme.com'));
  } finally {
    await sim.close();
  }
});
