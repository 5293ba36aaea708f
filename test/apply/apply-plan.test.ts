import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEventOfClientEvent, applyPlan } from '../../src/apply/apply-plan.js';
import type { ApplyEvent } from '../../src/apply/types.js';
import type { Change } from '../../src/plan/types.js';
import { MemoryOrg } from './memory-org.js';
import { change, plan } from '../builders/plan.js';

const CANARY_TOKEN = 'canary-provisioning-token-7f3e';
const CANARY_ANSWER = 'canary-security-answer-91ab';

function assign(spoke: string, n: number, appId: string | null, extra: Partial<Change> = {}): Change {
  return change(spoke, 'assignment.user', `u${n}@acme.com`, 'create', {
    type: 'assignment.user.assign', appId, userId: `00u${n}`, login: `u${n}@acme.com`, profile: { initialStatus: 'active_with_pass' }, initialStatus: 'active_with_pass',
  }, extra);
}

function freshAppChanges(spoke: string, users: number): Change[] {
  const app = change(spoke, 'app', null, 'create', { type: 'app.create', label: 'Acme Hub', signOnMode: 'SAML_2_0', baseUrl: 'http://127.0.0.1:1' });
  const connection = change(spoke, 'connection', null, 'create', {
    type: 'connection.set', appId: null, profile: { authScheme: 'TOKEN', tokenEnv: 'HUB_TOKEN' }, activate: true, disables: false,
  }, { dependsOn: [app.address] });
  const features = change(spoke, 'features.toApp', null, 'update', {
    type: 'features.toApp', appId: null, capabilities: { create: { lifecycleCreate: { status: 'ENABLED' } } },
  }, { dependsOn: [connection.address] });
  const assignments = Array.from({ length: users }, (_, i) => assign(spoke, i, null, { dependsOn: [features.address] }));
  return [...assignments.reverse(), features, connection, app]; // listed out of order on purpose
}

describe('applyPlan', () => {
  it('creates the app first and gives its new id to everything after it, in kind order', async () => {
    const org = new MemoryOrg('emea');
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan(freshAppChanges('emea', 5)), { spokes: { emea: org } }, {
      env: { HUB_TOKEN: CANARY_TOKEN },
      onEvent: (e) => events.push(e),
    });
    assert.deepEqual([result.applied, result.failed, result.skipped], [8, 0, 0]);
    assert.equal(org.apps.size, 1);
    const [newId] = [...org.apps.keys()];
    assert.deepEqual(result.appIds, { emea: newId });
    const paths = org.calls.map((c) => `${c.method} ${c.path}`);
    // The Spoke's Org2Org apps are read again right before the create (another apply may have made it).
    assert.equal(paths[0], 'GET /api/v1/apps');
    assert.equal(paths[1], 'POST /api/v1/apps');
    assert.deepEqual(org.calls[1]!.query, { activate: true });
    assert.deepEqual(org.calls[1]!.body, { name: 'okta_org2org', label: 'Acme Hub', signOnMode: 'SAML_2_0', settings: { app: { baseUrl: 'http://127.0.0.1:1' } } });
    assert.equal(paths[2], `POST /api/v1/apps/${newId}/connections/default`);
    assert.equal(paths[3], `PUT /api/v1/apps/${newId}/features/USER_PROVISIONING`);
    assert.equal(paths.slice(4).filter((p) => p === `POST /api/v1/apps/${newId}/users`).length, 5);
    assert.deepEqual(org.apps.get(newId!)!.users.get('00u3')!.credentials, { userName: 'u3@acme.com' });
    assert.equal(events[0]!.type, 'apply-start');
    assert.equal(events.at(-1)!.type, 'apply-end');
  });

  it('fails one assignment, applies the independent ones, skips what depends on it', async () => {
    const org = new MemoryOrg('emea');
    org.addApp('0oa1');
    org.faults.push({ method: 'POST', path: '/api/v1/apps/0oa1/users', message: 'E0000009 Internal Server Error' });
    const changes = Array.from({ length: 10 }, (_, i) => assign('emea', i, '0oa1'));
    // A push mapping that (for this test) depends on the first assignment, and one that depends on that mapping.
    const failing = changes[0]!;
    const push = change('emea', 'pushMapping', 'Eng', 'create', {
      type: 'pushMapping.create', appId: '0oa1', sourceGroupId: '00gEng', targetGroupName: 'Eng', status: 'ACTIVE',
    }, { dependsOn: [failing.address] });
    const pushTwo = change('emea', 'pushMapping', 'Ops', 'create', {
      type: 'pushMapping.create', appId: '0oa1', sourceGroupId: '00gOps', targetGroupName: 'Ops', status: 'ACTIVE',
    }, { dependsOn: [push.address] });
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan([...changes, push, pushTwo]), { spokes: { emea: org } }, { onEvent: (e) => events.push(e), concurrency: 1 });

    assert.deepEqual([result.applied, result.failed, result.skipped], [9, 1, 2]);
    const byAddress = new Map(result.results.map((r) => [r.address, r]));
    assert.equal(byAddress.get(failing.address)!.outcome, 'failed');
    assert.match(byAddress.get(failing.address)!.message!, /E0000009/);
    assert.equal(byAddress.get(push.address)!.outcome, 'skipped');
    assert.match(byAddress.get(push.address)!.message!, /u0@acme\.com.*failed/);
    assert.equal(byAddress.get(pushTwo.address)!.outcome, 'skipped');
    assert.match(byAddress.get(pushTwo.address)!.message!, /pushMapping\["Eng"\].*skipped/);
    assert.equal(org.apps.get('0oa1')!.users.size, 9);
    assert.equal(org.callsMatching('POST', /group-push/).length, 0);
    assert.equal(events.filter((e) => e.type === 'change-skipped').length, 2);
    assert.equal(events.filter((e) => e.type === 'change-failed').length, 1);
  });

  it('skips everything that needs the app id when the app create fails', async () => {
    const org = new MemoryOrg('emea');
    org.faults.push({ method: 'POST', path: '/api/v1/apps', message: 'E0000001 Api validation failed: label' });
    const changes = freshAppChanges('emea', 3).map((c) => ({ ...c, dependsOn: [] })); // only the implicit app-id dependency left
    const result = await applyPlan(plan(changes), { spokes: { emea: org } }, { env: { HUB_TOKEN: CANARY_TOKEN } });
    assert.deepEqual([result.applied, result.failed, result.skipped], [0, 1, 5]);
    assert.deepEqual(org.calls.map((c) => c.method), ['GET', 'POST']);
  });

  it('sets an ACTIVE push mapping INACTIVE before deleting it, and runs removals after additions', async () => {
    const org = new MemoryOrg('emea');
    org.addApp('0oa1');
    org.addMapping('0oa1', 'gpmA', '00gA', 'ACTIVE');
    org.addMapping('0oa1', 'gpmB', '00gB', 'INACTIVE');
    const del = (name: string, id: string, currentStatus: string) =>
      change('emea', 'pushMapping', name, 'delete', { type: 'pushMapping.delete', appId: '0oa1', mappingId: id, sourceGroupId: `00g${name}`, deleteTargetGroup: false, currentStatus });
    const result = await applyPlan(plan([del('A', 'gpmA', 'ACTIVE'), del('B', 'gpmB', 'INACTIVE'), assign('emea', 1, '0oa1')]), { spokes: { emea: org } });
    assert.equal(result.applied, 3);
    assert.equal(org.apps.get('0oa1')!.mappings.size, 0);
    const paths = org.calls.map((c) => `${c.method} ${c.path.replace('/api/v1/apps/0oa1', '')}`);
    assert.equal(paths[0], 'POST /users');
    assert.ok(paths.indexOf('PATCH /group-push/mappings/gpmA') < paths.indexOf('DELETE /group-push/mappings/gpmA'));
    assert.equal(paths.filter((p) => p === 'PATCH /group-push/mappings/gpmB').length, 0);
    assert.deepEqual(org.calls.find((c) => c.method === 'DELETE')!.query, { deleteTargetGroup: false });
  });

  it('removes in reverse kind order: push mappings, then assignments, then the connection', async () => {
    const org = new MemoryOrg('emea');
    org.addApp('0oa1');
    org.addMapping('0oa1', 'gpmA', '00gA', 'INACTIVE');
    org.apps.get('0oa1')!.users.set('00u1', { id: '00u1', scope: 'USER', status: 'PROVISIONED', syncState: 'SYNCHRONIZED', credentials: { userName: 'u1@acme.com' }, profile: {} });
    const deactivate = change('emea', 'connection', null, 'update', { type: 'connection.deactivate', appId: '0oa1', disables: true });
    const unassign = change('emea', 'assignment.user', 'u1@acme.com', 'delete', { type: 'assignment.user.unassign', appId: '0oa1', userId: '00u1', login: 'u1@acme.com' });
    const unpush = change('emea', 'pushMapping', 'A', 'delete', { type: 'pushMapping.delete', appId: '0oa1', mappingId: 'gpmA', sourceGroupId: '00gA', deleteTargetGroup: false, currentStatus: 'INACTIVE' });
    const result = await applyPlan(plan([deactivate, unassign, unpush]), { spokes: { emea: org } });
    assert.equal(result.applied, 3);
    assert.deepEqual(org.calls.map((c) => `${c.method} ${c.path.replace('/api/v1/apps/0oa1', '')}`), [
      'DELETE /group-push/mappings/gpmA',
      'DELETE /users/00u1',
      'POST /connections/default/lifecycle/deactivate',
    ]);
    assert.deepEqual(org.calls[1]!.query, { sendEmail: false });
  });

  it('fails the changes of a spoke it has no client for, and still applies the others', async () => {
    const emea = new MemoryOrg('emea');
    emea.addApp('0oa1');
    const result = await applyPlan(plan([assign('emea', 1, '0oa1'), assign('apac', 2, '0oa2')]), { spokes: { emea } });
    assert.deepEqual(result.results.map((r) => `${r.spoke} ${r.outcome} ${r.message ?? ''}`.trim()), ['emea applied', 'apac failed no API client for spoke apac']);
  });

  it('keeps many assignments in flight at once, within the bound', async () => {
    const org = new MemoryOrg('emea');
    org.addApp('0oa1');
    const changes = Array.from({ length: 100 }, (_, i) => assign('emea', i, '0oa1'));
    const result = await applyPlan(plan(changes), { spokes: { emea: org } }, { concurrency: 16 });
    assert.equal(result.applied, 100);
    assert.equal(org.peakInFlight, 16);
  });

  it('runs spokes at the same time', async () => {
    const emea = new MemoryOrg('emea');
    const apac = new MemoryOrg('apac');
    emea.addApp('0oa1');
    apac.addApp('0oa2');
    let overlapped = false;
    const result = await applyPlan(plan([assign('emea', 1, '0oa1'), assign('apac', 2, '0oa2')]), { spokes: { emea, apac } }, {
      onEvent: (e) => {
        if (e.type === 'change-start' && emea.inFlight + apac.inFlight > 0) overlapped = true;
      },
    });
    assert.equal(result.applied, 2);
    assert.equal(overlapped, true);
  });

  it('sends env secrets to Okta and nowhere else', async () => {
    const org = new MemoryOrg('emea');
    org.addApp('0oa1');
    // Okta echoing a secret in an error message must not carry it into the result.
    org.faults.push({ method: 'POST', path: '/api/v1/apps/0oa1/connections/default', message: `E0000001 bad token ${CANARY_TOKEN}` });
    const connection = change('emea', 'connection', null, 'create', {
      type: 'connection.set', appId: '0oa1', profile: { authScheme: 'TOKEN', tokenEnv: 'HUB_TOKEN' }, activate: true, disables: false,
    });
    const alice = change('emea', 'assignment.user', 'alice@acme.com', 'create', {
      type: 'assignment.user.assign', appId: '0oa1', userId: '00uA', login: 'alice@acme.com',
      profile: { initialStatus: 'active_with_pass', securityQuestion: 'First pet?', securityAnswer: { $env: 'ALICE_ANSWER' } }, initialStatus: 'active_with_pass',
    });
    const bob = change('emea', 'assignment.user', 'bob@acme.com', 'create', {
      type: 'assignment.user.assign', appId: '0oa1', userId: '00uB', login: 'bob@acme.com',
      profile: { securityAnswer: { $env: 'UNSET_ANSWER' } }, initialStatus: 'active_with_pass',
    });
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan([connection, alice, bob]), { spokes: { emea: org } }, {
      env: { HUB_TOKEN: CANARY_TOKEN, ALICE_ANSWER: CANARY_ANSWER },
      onEvent: (e) => events.push(e),
    });
    assert.deepEqual([result.applied, result.failed], [1, 2]);
    const sent = JSON.stringify(org.calls.map((c) => c.body));
    assert.ok(sent.includes(CANARY_TOKEN) && sent.includes(CANARY_ANSWER), 'the secrets reach Okta');
    assert.equal(org.apps.get('0oa1')!.users.get('00uA')!.profile.securityAnswer, CANARY_ANSWER);
    const seen = JSON.stringify({ events, result });
    assert.ok(!seen.includes(CANARY_TOKEN), 'no token in events or result');
    assert.ok(!seen.includes(CANARY_ANSWER), 'no answer in events or result');
    assert.match(result.results.find((r) => r.address === bob.address)!.message!, /environment variable UNSET_ANSWER is not set/);
    assert.match(result.results.find((r) => r.address === connection.address)!.message!, /bad token \(sensitive\)/);
    assert.equal(org.callsMatching('POST', /\/users$/).length, 1, 'nothing sent for the user whose answer is unset');
  });

  it('refuses an errored plan and applies nothing for observe spokes', async () => {
    const org = new MemoryOrg('emea');
    org.addApp('0oa1');
    await assert.rejects(applyPlan(plan([assign('emea', 1, '0oa1')], { errored: true }), { spokes: { emea: org } }), /plan has errors/);
    const observed = plan([assign('emea', 1, '0oa1')]);
    observed.spokes[0]!.mode = 'observe';
    const result = await applyPlan(observed, { spokes: { emea: org } });
    assert.deepEqual(result.results, []);
    assert.equal(org.calls.length, 0);
  });
});

describe('applyEventOfClientEvent', () => {
  it('passes rate-limit waits on and drops the rest', () => {
    assert.deepEqual(applyEventOfClientEvent({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: 1_700_000_012_000, reason: '429' }), {
      type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: 1_700_000_012_000, reason: '429',
    });
    assert.equal(applyEventOfClientEvent({ type: 'request', org: 'emea', method: 'GET', path: '/api/v1/apps', bucket: 'apps' }), undefined);
  });
});
