/**
 * What an org's new System Log events say changed (classify): each event type the incremental read
 * scopes, the state-neutral ones it skips, the ones that make it read an org whole, and the ones it
 * doesn't know (a full read). The reads that follow are held to a full read by
 * test/state/incremental*.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, noChanges, spokeNeedsWholeRead, type LogEntry, type OrgChanges } from '../../src/state/delta-read.js';
import { emptyLiveSpoke } from '../../src/state/types.js';

const APP = '0oa-app';
let n = 0;
function event(eventType: string, ...targets: [string, string][]): LogEntry {
  return { uuid: `u${n++}`, published: '2026-12-07T12:00:00.000Z', eventType, targets: targets.map(([type, id]) => ({ type, id })) };
}
const user = (id: string): [string, string] => ['User', id];
const group = (id: string): [string, string] => ['UserGroup', id];
const app = (id = APP): [string, string] => ['AppInstance', id];

function spoke(...events: LogEntry[]): OrgChanges {
  const c = classify('emea', false, APP, events);
  assert.ok(!('unknown' in c), JSON.stringify(c));
  return c;
}

test('Spoke: an assignment, an update, a removal and a provisioning outcome name the app user', () => {
  const c = spoke(
    event('application.user_membership.add', user('u1'), app()),
    event('application.user_membership.update', user('u2'), app()),
    event('application.user_membership.remove', user('u3'), app()),
    event('application.provision.user.push', user('u4'), app()),
  );
  assert.deepEqual([...c.appUsers].sort(), ['u1', 'u2', 'u3', 'u4']);
  assert.equal(c.users.size, 0);
  assert.equal(c.whole, undefined);
});

test("Spoke: another app's assignments change nothing this read holds", () => {
  const c = spoke(
    event('application.user_membership.add', user('u1'), app('0oa-other')),
    event('group.application_assignment.add', group('g1'), app('0oa-other')),
    event('application.provision.group_push.mapping.created', group('g1'), app('0oa-other')),
  );
  assert.deepEqual(c, noChanges());
});

test('Spoke: a user event names the user (its groups are looked at) and its app user; membership names the group', () => {
  const c = spoke(event('user.lifecycle.suspend', user('u1')), event('group.user_membership.remove', user('u2'), group('g2')));
  assert.deepEqual([...c.users], ['u1']);
  assert.deepEqual([...c.appUsers].sort(), ['u1', 'u2']);
  assert.deepEqual([...c.memberGroups], ['g2']);
});

test('Spoke: group assignments and push mappings name their lists', () => {
  const c = spoke(
    event('group.application_assignment.remove', group('g1'), app()),
    event('application.provision.group_push.mapping.updated', group('g2'), app()),
  );
  assert.deepEqual([...c.assignedGroups], ['g1']);
  assert.equal(c.mappings, true);
});

test('an app changed, a group created, renamed or deleted, or an event missing its targets: the org is read whole', () => {
  for (const e of [
    event('application.lifecycle.update', app()),
    event('application.lifecycle.create', app('0oa-new')),
    event('app.keys.generate', app()),
    event('directory.app_user_profile.update', app()),
    event('directory.user_profile.update'),
    event('directory.mapping.update'),
    event('group.lifecycle.create', group('g9')),
    event('group.profile.update', group('g1')),
    event('group.lifecycle.delete', group('g1')),
    event('user.lifecycle.deactivate'),
    event('group.user_membership.add', user('u1')),
    event('application.user_membership.add', app()),
  ]) {
    const c = spoke(e);
    assert.ok(c.whole !== undefined, e.eventType);
    assert.ok(spokeNeedsWholeRead({ ...emptyLiveSpoke('emea'), app: { id: APP } as never }, c), e.eventType);
  }
});

test('sign-ins, sessions, factors, token grants, messages and rate-limit notices are state-neutral in any org', () => {
  const noise = [
    event('user.session.start', user('u1')),
    event('user.authentication.sso', user('u1'), app()),
    event('policy.evaluate_sign_on', user('u1')),
    event('app.oauth2.token.grant.access_token', app()),
    event('app.oauth2.as.token.grant.access_token', app()),
    event('system.idp.lifecycle.update'),
    event('user.mfa.factor.activate', user('u1')),
    event('app.oauth2.as.authorize.code', app()),
    event('system.email.password_reset.sent_message', user('u1')),
    event('system.org.rate_limit.warning'),
    event('system.operation.rate_limit.violation'),
    event('security.threat.detected'),
  ];
  assert.deepEqual(spoke(...noise), noChanges());
  assert.deepEqual(classify('hub', true, undefined, noise), noChanges());
});

test('Hub: users and memberships are scoped; its apps only as service apps; groups created mean a whole read', () => {
  const c = classify('hub', true, undefined, [
    event('user.lifecycle.create', user('h1')),
    event('user.account.update_profile', user('h2')),
    event('group.user_membership.add', user('h3'), group('hg')),
    event('application.user_membership.add', user('h4'), app('0oa-sso')),
  ]);
  assert.ok(!('unknown' in c));
  assert.deepEqual([...c.users].sort(), ['h1', 'h2']);
  assert.deepEqual([...c.memberGroups], ['hg']);
  assert.equal(c.apps, false);
  const apps = classify('hub', true, undefined, [event('application.lifecycle.update', app('0oa-svc'))]);
  assert.ok(!('unknown' in apps) && apps.apps);
  const schema = classify('hub', true, undefined, [event('application.user_schema.update', app('0oa-svc'))]);
  assert.ok('unknown' in schema, 'a Hub app event other than lifecycle, OAuth client or roles is not scoped');
  const hubSchema = classify('hub', true, undefined, [event('directory.user_profile.update')]);
  assert.ok(!('unknown' in hubSchema) && hubSchema.whole !== undefined, "the Hub's user schema is read whole again");
  const groups = classify('hub', true, undefined, [event('group.lifecycle.create', group('hg2'))]);
  assert.ok(!('unknown' in groups) && groups.whole !== undefined);
});

test('an event type the read does not know: a full read, naming the org and the type', () => {
  for (const isHub of [false, true]) {
    const c = classify(isHub ? 'hub' : 'emea', isHub, isHub ? undefined : APP, [event('policy.lifecycle.update')]);
    assert.ok('unknown' in c);
    assert.match(c.unknown, /^(hub|emea): event type "policy\.lifecycle\.update" is not one the incremental read can scope$/);
  }
});

test('a Spoke without its app, or with provisioning off, is read whole even when quiet', () => {
  assert.match(spokeNeedsWholeRead(emptyLiveSpoke('emea'), noChanges()) ?? '', /no Org2Org app/);
  const off = { ...emptyLiveSpoke('emea'), app: { id: APP } as never, pushMappingsUnread: 'off' };
  assert.match(spokeNeedsWholeRead(off, noChanges()) ?? '', /provisioning is off/);
});
