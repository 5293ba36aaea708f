import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSafety } from '../../src/apply/safety.js';
import { checkStale } from '../../src/apply/stale.js';
import { parseAddress } from '../../src/plan/address.js';
import { desiredState } from '../builders/desired.js';
import { liveApp, liveAppUser, liveSpoke, liveState } from '../builders/live.js';
import { change, plan } from '../builders/plan.js';

const APP = liveApp('http://127.0.0.1:1', { id: '0oaAPP' });

describe('parseAddress', () => {
  it('takes a keyed address apart, quotes and dots in the key included', () => {
    assert.deepEqual(parseAddress('spoke.emea.assignment.user["bob@acme.com"]'), {
      spoke: 'emea',
      kind: 'assignment.user',
      key: 'bob@acme.com',
    });
    assert.deepEqual(parseAddress('spoke.emea.pushMapping["A \\"b\\" c.d"]'), { spoke: 'emea', kind: 'pushMapping', key: 'A "b" c.d' });
    assert.deepEqual(parseAddress('spoke.emea.features.toApp'), { spoke: 'emea', kind: 'features.toApp' });
    assert.equal(parseAddress('hub.group["x"]'), undefined);
  });
});

describe('checkStale', () => {
  const bobUpdate = change('emea', 'assignment.user', 'bob@acme.com', 'update', { type: 'none' }, { liveFingerprint: 'fp-bob' });
  const fingerprints = {
    'spoke.emea.app': 'fp-app',
    'spoke.emea.assignment.user["bob@acme.com"]': 'fp-bob',
    'spoke.emea.assignment.user["carol@acme.com"]': 'fp-carol',
  };
  const saved = plan([bobUpdate], { fingerprints });

  it('finds nothing when the live objects and the config are as planned', () => {
    const live = liveState([
      liveSpoke('emea', {
        app: APP,
        appUsers: [liveAppUser('Bob@acme.com', { fingerprint: 'fp-bob' }), liveAppUser('carol@acme.com', { fingerprint: 'fp-carol' })],
      }),
    ]);
    assert.deepEqual(checkStale(saved, desiredState('http://127.0.0.1:1'), live), []);
  });

  it('names each live object that changed or went away, and a changed config', () => {
    const live = liveState([liveSpoke('emea', { app: APP, appUsers: [liveAppUser('bob@acme.com', { fingerprint: 'fp-bob-2' })] })]);
    const differences = checkStale(saved, desiredState('http://127.0.0.1:1', [], { digest: 'e'.repeat(64) }), live);
    assert.equal(differences.length, 3);
    assert.match(differences[0]!, /config file org2org\.config\.yaml changed since the plan/);
    assert.ok(differences.includes('spoke.emea.assignment.user["bob@acme.com"] changed since the plan'));
    assert.ok(differences.includes('spoke.emea.assignment.user["carol@acme.com"] was removed since the plan'));
  });

  it('calls a create stale when the object appeared meanwhile', () => {
    const dave = change('emea', 'assignment.user', 'dave@acme.com', 'create', { type: 'none' });
    const live = liveState([liveSpoke('emea', { appUsers: [liveAppUser('dave@acme.com', { fingerprint: 'fp-dave' })] })]);
    assert.deepEqual(checkStale(plan([dave]), desiredState('http://127.0.0.1:1'), live), [
      'spoke.emea.assignment.user["dave@acme.com"] was created since the plan',
    ]);
    assert.deepEqual(checkStale(plan([dave]), desiredState('http://127.0.0.1:1'), liveState([liveSpoke('emea')])), []);
  });

  it('checks 100,000 assignments and finds the one that changed (indexed lookups, not a scan per address)', () => {
    const n = 100_000;
    const users = Array.from({ length: n }, (_, i) => liveAppUser(`user${i}@acme.com`, { fingerprint: `fp-${i}` }));
    const big = plan([], {
      fingerprints: Object.fromEntries(users.map((u) => [`spoke.emea.assignment.user[${JSON.stringify(u.loginKey)}]`, u.fingerprint])),
    });
    big.spokes.push({ name: 'emea', url: 'http://127.0.0.1:2', mode: 'managed', changes: [], diagnostics: [] });
    users[77_777] = { ...users[77_777]!, fingerprint: 'fp-changed' };
    const differences = checkStale(big, desiredState('http://127.0.0.1:1'), liveState([liveSpoke('emea', { appUsers: users })]));
    assert.deepEqual(differences, ['spoke.emea.assignment.user["user77777@acme.com"] changed since the plan']);
  });

  it('reports a spoke of the plan that was not read', () => {
    assert.deepEqual(checkStale(saved, desiredState('http://127.0.0.1:1'), liveState([])), [
      'spoke emea is in the plan but was not read now',
    ]);
  });
});

describe('checkSafety', () => {
  const unassign = (n: number) =>
    change('emea', 'assignment.user', `u${n}@acme.com`, 'delete', {
      type: 'assignment.user.unassign',
      appId: '0oa1',
      userId: `00u${n}`,
      login: `u${n}@acme.com`,
    });

  it('allows up to maxRemovals unassignments and refuses one more', () => {
    const at = plan(Array.from({ length: 25 }, (_, i) => unassign(i)));
    assert.deepEqual(checkSafety(at, { maxRemovals: 25, allowDeleteTargetGroups: false, allowDisableConnection: false }), []);
    const over = plan(Array.from({ length: 26 }, (_, i) => unassign(i)));
    const reasons = checkSafety(over, {});
    assert.equal(reasons.length, 1);
    assert.match(reasons[0]!, /unprovisions 26 people \(in emea: 26 users unassigned\).*--max-removals 25/);
    assert.deepEqual(checkSafety(over, { maxRemovals: 26 }), []);
  });

  it('refuses deleting a Hub group and deactivating the connection unless allowed', () => {
    const deleteGroup = change('emea', 'pushMapping', 'Eng', 'delete', {
      type: 'pushMapping.delete',
      appId: '0oa1',
      mappingId: 'gpm1',
      sourceGroupId: '00g1',
      deleteTargetGroup: true,
      currentStatus: 'ACTIVE',
    });
    const keepGroup = change('emea', 'pushMapping', 'Ops', 'delete', {
      type: 'pushMapping.delete',
      appId: '0oa1',
      mappingId: 'gpm2',
      sourceGroupId: '00g2',
      deleteTargetGroup: false,
      currentStatus: 'ACTIVE',
    });
    const deactivate = change('emea', 'connection', null, 'update', { type: 'connection.deactivate', appId: '0oa1', disables: true });
    const p = plan([deleteGroup, keepGroup, deactivate]);
    const reasons = checkSafety(p, {});
    assert.equal(reasons.length, 2);
    assert.match(reasons[0]!, /pushMapping\["Eng"\].*--allow-delete-target-groups/);
    assert.match(reasons[1]!, /connection.*--allow-disable-connection/);
    assert.deepEqual(checkSafety(p, { allowDeleteTargetGroups: true, allowDisableConnection: true }), []);
  });

  it('ignores observe-mode spokes and noops', () => {
    const p = plan(Array.from({ length: 30 }, (_, i) => unassign(i)));
    p.spokes[0]!.mode = 'observe';
    assert.deepEqual(checkSafety(p, {}), []);
  });
});
