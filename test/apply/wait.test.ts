import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApplyEvent, ApplyResult } from '../../src/apply/types.js';
import { hubStatusFor, waitForProvisioning } from '../../src/apply/wait.js';
import type { InitialStatus } from '../../src/config/types.js';
import type { Change } from '../../src/plan/types.js';
import { MemoryOrg } from './memory-org.js';
import { change, plan } from '../builders/plan.js';

function assign(login: string, userId: string, initialStatus: InitialStatus): Change {
  return change('emea', 'assignment.user', login, 'create', {
    type: 'assignment.user.assign', appId: '0oa1', userId, login, profile: { initialStatus }, initialStatus,
  });
}

function appliedAll(changes: Change[]): ApplyResult {
  return {
    results: changes.map((c) => ({ address: c.address, spoke: c.spoke, action: c.action, outcome: 'applied' as const })),
    applied: changes.length,
    failed: 0,
    skipped: 0,
  };
}

function setAppUser(org: MemoryOrg, id: string, login: string, status: string, syncState: string, errorSummary?: string): void {
  const record = { id, scope: 'USER', status, syncState, credentials: { userName: login }, profile: {}, ...(errorSummary ? { errorSummary } : {}) };
  org.apps.get('0oa1')!.users.set(id, record);
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
    const spoke = new MemoryOrg('emea');
    spoke.addApp('0oa1');
    const hub = new MemoryOrg('hub');
    setAppUser(spoke, '00uA', 'alice@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    setAppUser(spoke, '00uB', 'bob@acme.com', 'STAGED', 'SYNCING');
    setAppUser(spoke, '00uC', 'carol@acme.com', 'STAGED', 'ERROR', 'Matching user not found in the Hub');
    setAppUser(spoke, '00uE', 'erin@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    spoke.addMapping('0oa1', 'gpm1', '00gEng', 'ACTIVE');
    spoke.apps.get('0oa1')!.mappings.get('gpm1')!.lastPush = '2026-01-01T00:00:00.000Z';
    for (const [id, login] of [['00uA', 'alice@acme.com'], ['00uB', 'bob@acme.com'], ['00uD', 'dave@acme.com']] as const) {
      spoke.users.set(id, { id, status: 'ACTIVE', profile: { login } });
    }
    spoke.groups.set('00gEng', { id: '00gEng', profile: { name: 'Engineering' }, members: new Set(['00uA', '00uB', '00uD']) });

    hub.users.set('h1', { id: 'h1', status: 'ACTIVE', profile: { login: 'Alice@acme.com' } });
    hub.users.set('h2', { id: 'h2', status: 'PROVISIONED', profile: { login: 'bob@acme.com' } });
    hub.users.set('h5', { id: 'h5', status: 'ACTIVE', profile: { login: 'erin@acme.com' } });
    hub.groups.set('hg', { id: 'hgEng', profile: { name: 'Eng' }, members: new Set(['h1']) });

    const changes = [
      assign('alice@acme.com', '00uA', 'active_with_pass'),
      assign('bob@acme.com', '00uB', 'active_without_pass'),
      assign('carol@acme.com', '00uC', 'active_with_pass'),
      assign('erin@acme.com', '00uE', 'pending_without_pass'),
      change('emea', 'pushMapping', 'Engineering', 'create', {
        type: 'pushMapping.create', appId: '0oa1', sourceGroupId: '00gEng', targetGroupName: 'Eng', status: 'ACTIVE',
      }),
    ];
    // Bob's provisioning finishes after the first poll has seen him pending.
    let polls = 0;
    const events: ApplyEvent[] = [];
    const verification = await waitForProvisioning(plan(changes), appliedAll(changes), { hub, spokes: { emea: spoke } }, {
      timeoutMs: 10_000,
      pollMs: 1,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'wait-progress' && ++polls === 1) setAppUser(spoke, '00uB', 'bob@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
      },
    });

    const byName = new Map(verification.map((v) => [v.name, v]));
    assert.deepEqual(byName.get('alice@acme.com'), { kind: 'user', spoke: 'emea', name: 'alice@acme.com', ok: true, detail: 'ACTIVE as asked by active_with_pass' });
    assert.equal(byName.get('bob@acme.com')!.ok, true);
    assert.equal(byName.get('carol@acme.com')!.ok, false);
    assert.match(byName.get('carol@acme.com')!.detail, /Matching user not found in the Hub/);
    assert.equal(byName.get('erin@acme.com')!.ok, false);
    assert.match(byName.get('erin@acme.com')!.detail, /ACTIVE in the Hub, but pending_without_pass asks for STAGED/);
    // Dave is a member of the source group but not assigned: not expected in the Hub. Bob is missing.
    assert.equal(byName.get('Eng')!.ok, false);
    assert.match(byName.get('Eng')!.detail, /missing 1 of 2 members: bob@acme\.com/);

    assert.equal(hub.callsMatching('GET', /^\/api\/v1\/users$/).length, 1, 'one batched Hub user search');
    assert.equal(spoke.callsMatching('GET', /\/apps\/0oa1\/users$/).length, 3, 'two polls, then one read of assignees');
    assert.ok(events.some((e) => e.type === 'wait-progress' && e.done === 5 && e.total === 5));
  });

  it('gives up at the timeout and says what is still pending', async () => {
    const spoke = new MemoryOrg('emea');
    spoke.addApp('0oa1');
    setAppUser(spoke, '00uB', 'bob@acme.com', 'STAGED', 'SYNCING');
    const changes = [assign('bob@acme.com', '00uB', 'active_with_pass')];
    const verification = await waitForProvisioning(plan(changes), appliedAll(changes), { spokes: { emea: spoke } }, { timeoutMs: 30, pollMs: 5 });
    assert.equal(verification.length, 1);
    assert.equal(verification[0]!.ok, false);
    assert.match(verification[0]!.detail, /not provisioned after 30 ms .*the Hub was not checked/);
    assert.ok(spoke.calls.length >= 1);
  });

  it('settles an ACTIVE mapping that has no lastPush (real Okta sends none for an empty group) without waiting out the timeout', async () => {
    const spoke = new MemoryOrg('emea');
    spoke.addApp('0oa1');
    const hub = new MemoryOrg('hub');
    spoke.addMapping('0oa1', 'gpm1', '00gEmpty', 'ACTIVE');
    assert.equal(spoke.apps.get('0oa1')!.mappings.get('gpm1')!.lastPush, undefined);
    spoke.groups.set('00gEmpty', { id: '00gEmpty', profile: { name: 'Empty' }, members: new Set() });
    hub.groups.set('hgE', { id: 'hgE', profile: { name: 'Empty' }, members: new Set() });
    const push = change('emea', 'pushMapping', 'Empty', 'create', {
      type: 'pushMapping.create', appId: '0oa1', sourceGroupId: '00gEmpty', targetGroupName: 'Empty', status: 'ACTIVE',
    });
    const [group] = await waitForProvisioning(plan([push]), appliedAll([push]), { hub, spokes: { emea: spoke } }, { timeoutMs: 60_000, pollMs: 60_000 });
    assert.equal(group!.ok, true, group!.detail);
    assert.match(group!.detail, /in the Hub with all 0 expected members/);
    assert.equal(spoke.callsMatching('GET', /\/group-push\/mappings$/).length, 1, 'settled on the first poll');
  });

  it('a login the Hub search misses right after the write is looked up by login before it is called missing', async () => {
    const spoke = new MemoryOrg('emea');
    spoke.addApp('0oa1');
    const hub = new MemoryOrg('hub');
    setAppUser(spoke, '00uA', 'alice@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    setAppUser(spoke, '00uG', 'gone@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    hub.users.set('h1', { id: 'h1', status: 'ACTIVE', profile: { login: 'alice@acme.com' } });
    hub.searchLag.add('alice@acme.com');
    const changes = [assign('alice@acme.com', '00uA', 'active_with_pass'), assign('gone@acme.com', '00uG', 'active_with_pass')];
    const verification = await waitForProvisioning(plan(changes), appliedAll(changes), { hub, spokes: { emea: spoke } }, { timeoutMs: 1000, pollMs: 1 });
    const byName = new Map(verification.map((v) => [v.name, v]));
    assert.deepEqual(byName.get('alice@acme.com')!.ok, true, byName.get('alice@acme.com')!.detail);
    assert.equal(byName.get('gone@acme.com')!.ok, false);
    assert.match(byName.get('gone@acme.com')!.detail, /not in the Hub/);
    assert.deepEqual(hub.callsMatching('GET', /^\/api\/v1\/users\/.+/).map((c) => c.path).sort(), ['/api/v1/users/alice%40acme.com', '/api/v1/users/gone%40acme.com']);
  });

  it('checks only presence for an updated assignment: initialStatus acts when the Hub user is created', async () => {
    const spoke = new MemoryOrg('emea');
    spoke.addApp('0oa1');
    const hub = new MemoryOrg('hub');
    setAppUser(spoke, '00uB', 'bob@acme.com', 'PROVISIONED', 'SYNCHRONIZED');
    hub.users.set('h2', { id: 'h2', status: 'ACTIVE', profile: { login: 'bob@acme.com' } });
    const update = change('emea', 'assignment.user', 'bob@acme.com', 'update', {
      type: 'assignment.user.update', appId: '0oa1', userId: '00uB', login: 'bob@acme.com', profile: { initialStatus: 'active_without_pass' },
    });
    const [bob] = await waitForProvisioning(plan([update]), appliedAll([update]), { hub, spokes: { emea: spoke } }, { timeoutMs: 1000, pollMs: 1 });
    assert.equal(bob!.ok, true);
    assert.match(bob!.detail, /^ACTIVE in the Hub \(initialStatus acts only when the Hub user is created\)$/);
  });

  it('does nothing when no user or push mapping was applied', async () => {
    const spoke = new MemoryOrg('emea');
    const changes = [assign('bob@acme.com', '00uB', 'active_with_pass')];
    const none: ApplyResult = { results: [], applied: 0, failed: 0, skipped: 0 };
    assert.deepEqual(await waitForProvisioning(plan(changes), none, { spokes: { emea: spoke } }, { timeoutMs: 10, pollMs: 1 }), []);
    assert.equal(spoke.calls.length, 0);
  });
});
