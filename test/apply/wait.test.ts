/**
 * waitForProvisioning against the simulator: the Spoke's app users and push mappings are set to
 * the states Okta reports while it provisions (pending, errored, settled), the Hub holds what
 * arrived, and the reads are counted by the simulator itself.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ApplyEvent, ApplyResult } from '../../src/apply/types.js';
import { hubStatusFor, waitForProvisioning } from '../../src/apply/wait.js';
import type { InitialStatus } from '../../src/config/types.js';
import type { Change } from '../../src/plan/types.js';
import { startSim, type Sim, type SimApp, type SimOrg } from '../../src/sim/index.js';
import { change, plan } from '../builders/plan.js';
import { clientFor } from './sim-client.js';
import { addressOf } from '../../src/plan/address.js';

const LOGINS = ['alice', 'bob', 'carol', 'dave', 'erin', 'gone'].map((n) => `${n}@acme.com`);

interface World {
  sim: Sim;
  emea: SimOrg;
  hub: SimOrg;
  app: SimApp;
  clients: { hub: ReturnType<typeof clientFor>; spokes: { emea: ReturnType<typeof clientFor> } };
}

let sim: Sim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A Spoke with a connected Org2Org app and no app users: what provisions is what a test sets. */
async function world(): Promise<World> {
  sim = await startSim({
    orgs: {
      hub: {
        tokens: {
          READ: { value: 'fake-hub-read-token-for-tests', user: 'reader@hub.example.com', roles: ['READ_ONLY_ADMIN'] },
          PROV: { value: 'fake-hub-provisioning-token-for-tests', user: 'provisioner@hub.example.com', roles: ['SUPER_ADMIN'] },
        },
      },
      emea: {
        users: LOGINS.map((login) => ({ login })),
        groups: [{ name: 'Engineering', members: ['alice@acme.com', 'bob@acme.com', 'dave@acme.com'] }, { name: 'Empty' }],
        tokens: { ADMIN: { value: 'fake-emea-admin-token-for-tests', user: 'admin@emea.example.com', roles: ['SUPER_ADMIN'] } },
        apps: [{ label: 'Acme Hub', hub: 'hub', connection: { token: 'hub/PROV' }, provisioning: { createUsers: true } }],
      },
    },
  });
  const emea = sim.org('emea');
  return {
    sim,
    emea,
    hub: sim.org('hub'),
    app: emea.apps.values()[0]!,
    clients: {
      hub: clientFor('hub', sim.orgs.hub!.url, sim.orgs.hub!.tokens.READ!),
      spokes: { emea: clientFor('emea', sim.orgs.emea!.url, sim.orgs.emea!.tokens.ADMIN!) },
    },
  };
}

/** The Spoke's app user of `login`, as Okta reports it while (or after) provisioning. */
function setAppUser(w: World, login: string, status: string, syncState: string, errorSummary: string | null = null): void {
  const user = w.emea.findUser(login)!;
  const now = new Date().toISOString();
  const existing = w.app.users.get(user.id);
  if (existing) {
    Object.assign(existing, { status, syncState, errorSummary });
    return;
  }
  w.app.users.add({
    id: user.id,
    seq: 0,
    scope: 'USER',
    status,
    syncState,
    externalId: null,
    userName: login,
    profile: {},
    created: now,
    lastUpdated: now,
    statusChanged: now,
    lastSync: null,
    passwordChanged: null,
    errorSummary,
  });
}

/** A push mapping of the Spoke group `source` into the Hub group `target` (made in the Hub when missing). */
function addMapping(w: World, source: string, target: string, lastPush: string | null): { sourceGroupId: string } {
  const hubGroup = w.hub.findGroupByName(target) ?? w.hub.addGroup(target);
  const sourceGroupId = w.emea.findGroupByName(source)!.id;
  const now = new Date().toISOString();
  w.app.pushMappings.add({
    id: w.emea.newId('gpm'),
    seq: 0,
    sourceGroupId,
    targetGroupId: w.emea.newId('00g'),
    hubGroupId: hubGroup.id,
    targetOrg: 'hub',
    status: 'ACTIVE',
    errorSummary: null,
    lastPush,
    created: now,
    lastUpdated: now,
  });
  return { sourceGroupId };
}

function assign(w: World, login: string, initialStatus: InitialStatus): Change {
  return change('emea', 'assignment.user', login, 'create', {
    type: 'assignment.user.assign',
    appId: w.app.id,
    userId: w.emea.findUser(login)!.id,
    login,
    profile: { initialStatus },
    initialStatus,
  });
}

function push(w: World, source: string, target: string, sourceGroupId: string): Change {
  return change('emea', 'pushMapping', source, 'create', {
    type: 'pushMapping.create',
    appId: w.app.id,
    sourceGroupId,
    targetGroupName: target,
    status: 'ACTIVE',
  });
}

function appliedAll(changes: Change[]): ApplyResult {
  return {
    results: changes.map((c) => ({ address: addressOf(c), spoke: c.resource.spoke, action: c.action, outcome: 'applied' as const })),
    applied: changes.length,
    failed: 0,
    skipped: 0,
  };
}

describe('hubStatusFor', () => {
  it('maps each initialStatus to the Hub status it asks for', () => {
    assert.equal(hubStatusFor('active_with_pass'), 'ACTIVE');
    assert.equal(hubStatusFor('active_without_pass'), 'PROVISIONED');
    assert.equal(hubStatusFor('pending_with_pass'), 'STAGED');
    assert.equal(hubStatusFor('pending_without_pass'), 'STAGED');
  });
});

describe('waitForProvisioning', () => {
  it('waits for pending app users, then checks users and pushed groups in the Hub with batched reads', async () => {
    const w = await world();
    setAppUser(w, 'alice@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    setAppUser(w, 'bob@acme.com', 'STAGED', 'SYNCING');
    setAppUser(w, 'carol@acme.com', 'STAGED', 'ERROR', 'Matching user not found in the Hub');
    setAppUser(w, 'erin@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    const { sourceGroupId } = addMapping(w, 'Engineering', 'Eng', '2026-01-01T00:00:00.000Z');
    const alice = w.hub.addUser('Alice@acme.com', { login: 'Alice@acme.com' }, 'ACTIVE');
    w.hub.addUser('bob@acme.com', { login: 'bob@acme.com' }, 'PROVISIONED');
    w.hub.addUser('erin@acme.com', { login: 'erin@acme.com' }, 'ACTIVE');
    w.hub.addMember(w.hub.findGroupByName('Eng')!, alice);

    const changes = [
      assign(w, 'alice@acme.com', 'active_with_pass'),
      assign(w, 'bob@acme.com', 'active_without_pass'),
      assign(w, 'carol@acme.com', 'active_with_pass'),
      assign(w, 'erin@acme.com', 'pending_without_pass'),
      push(w, 'Engineering', 'Eng', sourceGroupId),
    ];
    // Bob's provisioning finishes after the first poll has seen him pending.
    let polls = 0;
    const events: ApplyEvent[] = [];
    w.sim.resetStats();
    const verification = await waitForProvisioning(plan(changes), appliedAll(changes), w.clients, {
      timeoutMs: 10_000,
      pollMs: 1,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'wait-progress' && ++polls === 1) setAppUser(w, 'bob@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
      },
    });

    const byName = new Map(verification.map((v) => [v.name, v]));
    assert.deepEqual(byName.get('alice@acme.com'), {
      kind: 'user',
      spoke: 'emea',
      name: 'alice@acme.com',
      ok: true,
      detail: 'ACTIVE as asked by active_with_pass',
    });
    assert.equal(byName.get('bob@acme.com')!.ok, true);
    assert.equal(byName.get('carol@acme.com')!.ok, false);
    assert.match(byName.get('carol@acme.com')!.detail, /Matching user not found in the Hub/);
    assert.equal(byName.get('erin@acme.com')!.ok, false);
    assert.match(byName.get('erin@acme.com')!.detail, /ACTIVE in the Hub, but pending_without_pass asks for STAGED/);
    // Dave is a member of the source group but not assigned: not expected in the Hub. Bob is missing.
    assert.equal(byName.get('Eng')!.ok, false);
    assert.match(byName.get('Eng')!.detail, /missing 1 of 2 members: bob@acme\.com/);

    assert.equal(w.sim.stats('hub').byRoute['GET /api/v1/users'], 1, 'one batched Hub user search');
    assert.equal(w.sim.stats('emea').byRoute['GET /api/v1/apps/{appId}/users'], 3, 'two polls, then one read of assignees');
    assert.ok(events.some((e) => e.type === 'wait-progress' && e.done === 5 && e.total === 5));
  });

  it('gives up at the timeout and says what is still pending', async () => {
    const w = await world();
    setAppUser(w, 'bob@acme.com', 'STAGED', 'SYNCING');
    const changes = [assign(w, 'bob@acme.com', 'active_with_pass')];
    w.sim.resetStats();
    const verification = await waitForProvisioning(
      plan(changes),
      appliedAll(changes),
      { spokes: w.clients.spokes },
      { timeoutMs: 30, pollMs: 5 },
    );
    assert.equal(verification.length, 1);
    assert.equal(verification[0]!.ok, false);
    assert.match(verification[0]!.detail, /not provisioned after 30 ms .*the Hub was not checked/);
    assert.ok(w.sim.stats('emea').total >= 1);
  });

  it('settles an ACTIVE mapping that has no lastPush (real Okta sends none for an empty group) without waiting out the timeout', async () => {
    const w = await world();
    const { sourceGroupId } = addMapping(w, 'Empty', 'Empty', null);
    const pushed = push(w, 'Empty', 'Empty', sourceGroupId);
    w.sim.resetStats();
    const [group] = await waitForProvisioning(plan([pushed]), appliedAll([pushed]), w.clients, { timeoutMs: 60_000, pollMs: 60_000 });
    assert.equal(group!.ok, true, group!.detail);
    assert.match(group!.detail, /in the Hub with all 0 expected members/);
    assert.equal(w.sim.stats('emea').byRoute['GET /api/v1/apps/{appId}/group-push/mappings'], 1, 'settled on the first poll');
  });

  it('a login the Hub search misses right after the write is looked up by login before it is called missing', async () => {
    const w = await world();
    setAppUser(w, 'alice@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    setAppUser(w, 'gone@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    w.hub.addUser('alice@acme.com', { login: 'alice@acme.com' }, 'ACTIVE');
    w.hub.searchLag.add('alice@acme.com');
    const changes = [assign(w, 'alice@acme.com', 'active_with_pass'), assign(w, 'gone@acme.com', 'active_with_pass')];
    w.sim.resetStats();
    const verification = await waitForProvisioning(plan(changes), appliedAll(changes), w.clients, { timeoutMs: 1000, pollMs: 1 });
    const byName = new Map(verification.map((v) => [v.name, v]));
    assert.deepEqual(byName.get('alice@acme.com')!.ok, true, byName.get('alice@acme.com')!.detail);
    assert.equal(byName.get('gone@acme.com')!.ok, false);
    assert.match(byName.get('gone@acme.com')!.detail, /not in the Hub/);
    assert.equal(w.sim.stats('hub').byRoute['GET /api/v1/users/{userId}'], 2, 'each miss looked up by login once');
  });

  it('checks only presence for an updated assignment: initialStatus acts when the Hub user is created', async () => {
    const w = await world();
    setAppUser(w, 'bob@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    w.hub.addUser('bob@acme.com', { login: 'bob@acme.com' }, 'ACTIVE');
    const update = change('emea', 'assignment.user', 'bob@acme.com', 'update', {
      type: 'assignment.user.update',
      appId: w.app.id,
      userId: w.emea.findUser('bob@acme.com')!.id,
      login: 'bob@acme.com',
      profile: { initialStatus: 'active_without_pass' },
    });
    const [bob] = await waitForProvisioning(plan([update]), appliedAll([update]), w.clients, { timeoutMs: 1000, pollMs: 1 });
    assert.equal(bob!.ok, true);
    assert.match(bob!.detail, /^ACTIVE in the Hub \(initialStatus acts only when the Hub user is created\)$/);
  });

  it('names the real cause of a status that differs, from what it read: existed before, or created through a group first', async () => {
    const w = await world();
    for (const login of ['alice@acme.com', 'erin@acme.com', 'carol@acme.com']) setAppUser(w, login, 'PROVISIONED', 'SYNCHRONIZED');
    // Alice is in Engineering, which is assigned to the app; erin's Hub user was there when the plan read the Hub.
    const engineering = w.emea.findGroupByName('Engineering')!;
    w.app.groups.add({ id: engineering.id, seq: 0, priority: 0, profile: {}, lastUpdated: new Date().toISOString() });
    w.hub.addUser('alice@acme.com', { login: 'alice@acme.com' }, 'PROVISIONED');
    const erin = w.hub.addUser('erin@acme.com', { login: 'erin@acme.com' }, 'ACTIVE');
    w.hub.addUser('carol@acme.com', { login: 'carol@acme.com' }, 'PROVISIONED');
    const changes = [
      assign(w, 'alice@acme.com', 'active_with_pass'),
      assign(w, 'erin@acme.com', 'pending_without_pass'),
      assign(w, 'carol@acme.com', 'active_with_pass'),
    ];
    const hubUsersBefore = { 'erin@acme.com': { id: erin.id, login: 'erin@acme.com', status: 'ACTIVE' } };
    const found = await waitForProvisioning(plan(changes), appliedAll(changes), w.clients, { timeoutMs: 1000, pollMs: 1, hubUsersBefore });
    const byName = new Map(found.map((v) => [v.name, v]));
    assert.equal(byName.get('alice@acme.com')!.ok, false);
    assert.match(
      byName.get('alice@acme.com')!.detail,
      /^PROVISIONED in the Hub, but active_with_pass asks for ACTIVE: her Hub user was created through the group assignment of "Engineering" before her direct assignment landed/,
    );
    assert.match(
      byName.get('erin@acme.com')!.detail,
      /asks for STAGED: her Hub user existed before this apply \(the plan read it, ACTIVE\)/,
    );
    assert.match(
      byName.get('carol@acme.com')!.detail,
      /created during this apply \(the plan found none\), though no group of hers is assigned/,
    );
    // Without the plan's Hub read, nothing is claimed about before.
    const unknown = await waitForProvisioning(plan(changes), appliedAll(changes), w.clients, { timeoutMs: 1000, pollMs: 1 });
    assert.match(unknown.find((v) => v.name === 'alice@acme.com')!.detail, /also assigned through "Engineering", which may have created/);
    assert.match(unknown.find((v) => v.name === 'erin@acme.com')!.detail, /the plan could not read the Hub/);
  });

  it('does nothing when no user or push mapping was applied', async () => {
    const w = await world();
    const changes = [assign(w, 'bob@acme.com', 'active_with_pass')];
    const none: ApplyResult = { results: [], applied: 0, failed: 0, skipped: 0 };
    w.sim.resetStats();
    assert.deepEqual(await waitForProvisioning(plan(changes), none, { spokes: w.clients.spokes }, { timeoutMs: 10, pollMs: 1 }), []);
    assert.equal(w.sim.stats('emea').total, 0);
  });

  it('samples the Hub users it created for each attribute whose mapping it set: the Spoke’s value, a literal, or presence', async () => {
    const w = await world();
    setAppUser(w, 'alice@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    setAppUser(w, 'bob@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    w.emea.findUser('alice@acme.com')!.profile.department = 'Sales';
    w.emea.findUser('bob@acme.com')!.profile.department = 'Legal';
    w.hub.addUser('alice@acme.com', { login: 'alice@acme.com', department: 'Sales', spokeOrigin: 'emea', initials: 'AS' }, 'ACTIVE');
    w.hub.addUser('bob@acme.com', { login: 'bob@acme.com', department: 'Finance' }, 'ACTIVE');
    const carry = (name: string, expression: string): Change =>
      change('emea', 'attribute', name, 'create', {
        type: 'attribute.set',
        appId: w.app.id,
        mappingId: 'prm1',
        name,
        expression,
        pushStatus: 'PUSH',
      });
    const changes = [
      assign(w, 'alice@acme.com', 'active_with_pass'),
      assign(w, 'bob@acme.com', 'active_with_pass'),
      carry('department', 'user.department'),
      carry('spokeOrigin', '"emea"'),
      carry('initials', 'String.substringBefore(user.department, "x")'),
    ];
    w.sim.resetStats();
    const verification = await waitForProvisioning(plan(changes), appliedAll(changes), w.clients, { timeoutMs: 1000, pollMs: 1 });
    const attributes = verification.filter((v) => v.kind === 'attribute');
    assert.deepEqual(
      attributes.map((v) => [v.name, v.ok]),
      [
        ['department', false],
        ['spokeOrigin', false],
        ['initials', false],
      ],
    );
    assert.match(attributes[0]!.detail, /1 of 2 sampled Hub users don't: bob@acme\.com has "Finance", the Spoke "Legal"/);
    assert.match(attributes[1]!.detail, /bob@acme\.com has null, the Spoke "emea"/);
    assert.match(attributes[2]!.detail, /bob@acme\.com has null$/, 'a computed source: only presence is checked');
    // One read of each sampled user in each org, whatever the number of attributes.
    assert.equal(w.sim.stats('hub').byRoute['GET /api/v1/users/{userId}'], 2);
    assert.equal(w.sim.stats('emea').byRoute['GET /api/v1/users/{userId}'], 2);
  });
});
