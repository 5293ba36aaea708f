/** observeSpoke with plain LiveSpoke values: what is kept, what is left out and said in a note. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observeSpoke, type ExportFacts } from '../../src/export/observe-spoke.js';
import type { LiveAppUser, LiveSpoke } from '../../src/state/types.js';

function appUser(login: string, scope: 'USER' | 'GROUP', extra: Partial<LiveAppUser> = {}): LiveAppUser {
  return {
    userId: `00u${login}`,
    login,
    loginKey: login.toLowerCase(),
    scope,
    status: 'PROVISIONED',
    profile: {},
    fingerprint: 'f',
    ...extra,
  };
}

function liveSpoke(over: Partial<LiveSpoke> = {}): LiveSpoke {
  return {
    name: 'emea',
    app: {
      id: '0oa1',
      label: 'Acme Hub',
      status: 'ACTIVE',
      signOnMode: 'SAML_2_0',
      baseUrl: 'https://hub',
      features: ['GROUP_PUSH'],
      fingerprint: 'f',
    },
    connection: { authScheme: 'TOKEN', status: 'ENABLED', fingerprint: 'f' },
    features: {
      provisioningEnabled: true,
      profileSourcing: false,
      toApp: {
        createUsers: true,
        updateUserAttributes: false,
        deactivateUsers: true,
        syncPassword: { seed: 'OKTA', change: 'CHANGE' },
        fingerprint: 'f',
      },
    },
    appUserSchema: {
      initialStatus: 'initialStatus',
      securityQuestion: 'securityQuestion',
      securityAnswer: 'securityAnswer',
      initialStatusValues: [],
      attributes: [],
    },
    appUsers: [],
    appGroups: [],
    pushMappings: [],
    users: {},
    groups: {},
    rateLimits: [],
    ...over,
  };
}

const facts = (over: Partial<ExportFacts> = {}): ExportFacts => ({
  name: 'emea',
  url: 'https://emea',
  tokenVar: 'OKTA_EMEA_TOKEN',
  notes: [],
  ...over,
});

test('only USER-scope app users are listed; GROUP-scope ones are counted', () => {
  const o = observeSpoke(
    liveSpoke({
      appUsers: [
        appUser('b@x.com', 'USER', { initialStatus: 'pending_with_pass', profile: { dept: 'x', empty: null } }),
        appUser('a@x.com', 'GROUP'),
        appUser('C@x.com', 'USER', { initialStatus: 'not-a-status', securityQuestion: 'Pet?' }),
      ],
    }),
    facts(),
  );
  assert.deepEqual(o.users, [
    { login: 'b@x.com', initialStatus: 'pending_with_pass', profile: { dept: 'x' } },
    { login: 'C@x.com', securityQuestion: 'Pet?', profile: {} },
  ]);
  assert.equal(o.groupScopeUsers, 1);
  assert.deepEqual(o.toApp, {
    createUsers: true,
    updateUserAttributes: false,
    deactivateUsers: true,
    syncPassword: { seed: 'OKTA', change: 'CHANGE' },
  });
});

test('groups and push mappings the API can not name are left out with a note', () => {
  const o = observeSpoke(
    liveSpoke({
      appGroups: [
        { groupId: '00g2', name: 'Sales', priority: 1, profile: {}, fingerprint: 'f' },
        { groupId: '00gX', name: '00gX', profile: {}, fingerprint: 'f' },
      ],
      pushMappings: [
        { id: 'gpm1', sourceGroupId: '00g9', status: 'ACTIVE', fingerprint: 'f' },
        { id: 'gpm2', sourceGroupId: '00g2', sourceGroupName: 'Sales', targetGroupId: '00gH', status: 'ERROR', fingerprint: 'f' },
      ],
    }),
    facts(),
  );
  assert.deepEqual(o.groups, [{ name: 'Sales', priority: 1, profile: {} }]);
  // ERROR is how the last push went, not a setting: the mapping still pushes.
  assert.deepEqual(o.pushMappings, [{ name: 'Sales', status: 'ACTIVE' }]);
  assert.equal(o.notes.length, 4);
  assert.match(o.notes[0]!, /00gX is not a group the API can read/);
  assert.match(o.notes[1]!, /gpm1: its source group 00g9 no longer exists/);
  assert.match(o.notes[2]!, /Sales: its target group 00gH could not be read in the Spoke/);
  assert.match(o.notes[3]!, /Hub not read/);
});

test('targetName from the Spoke group the mapping names; link from the creation time of the Hub group of that name', () => {
  const hubGroups = new Map([
    ['Ops', { name: 'Ops', created: '2020-01-01T00:00:00.000Z' }],
    ['Eng', { name: 'Eng', created: '2026-03-01T00:00:00.001Z' }],
    ['Old', { name: 'Old' }],
  ]);
  const created = '2026-03-01T00:00:00.000Z';
  const o = observeSpoke(
    liveSpoke({
      pushMappings: [
        {
          id: 'm1',
          sourceGroupId: 'a',
          sourceGroupName: 'Legacy Ops',
          targetGroupId: '00gS1',
          targetGroupName: 'Ops',
          status: 'ACTIVE',
          created,
          fingerprint: 'f',
        },
        {
          id: 'm2',
          sourceGroupId: 'b',
          sourceGroupName: 'Eng',
          targetGroupId: '00gS2',
          targetGroupName: 'Eng',
          status: 'INACTIVE',
          created,
          fingerprint: 'f',
        },
        {
          id: 'm3',
          sourceGroupId: 'c',
          sourceGroupName: 'Old',
          targetGroupId: '00gS3',
          targetGroupName: 'Old',
          status: 'ACTIVE',
          created,
          fingerprint: 'f',
        },
      ],
    }),
    facts({ hubGroups }),
  );
  assert.deepEqual(o.pushMappings, [
    { name: 'Eng', status: 'INACTIVE', targetName: 'Eng', link: false },
    { name: 'Legacy Ops', status: 'ACTIVE', targetName: 'Ops', link: true },
    { name: 'Old', status: 'ACTIVE', targetName: 'Old' },
  ]);
  assert.deepEqual(o.notes, []);
});

test('connection: OAuth needs its clientId; none configured stays unmanaged; no provisioning, no toApp', () => {
  const oauth = liveSpoke({
    connection: { authScheme: 'OAUTH2', status: 'DISABLED', rotationMode: 'MANUAL', clientId: '0oaSvc', fingerprint: 'f' },
  });
  assert.deepEqual(observeSpoke(oauth, facts()).connection, {
    authScheme: 'OAUTH2',
    enabled: false,
    clientId: '0oaSvc',
    rotationMode: 'MANUAL',
  });
  const noClientId = liveSpoke({ connection: { authScheme: 'OAUTH2', status: 'DISABLED', rotationMode: 'MANUAL', fingerprint: 'f' } });
  assert.equal(observeSpoke(noClientId, facts()).connection, null);
  const none = liveSpoke({
    connection: { authScheme: 'UNKNOWN', status: 'UNKNOWN', fingerprint: 'f' },
    features: { provisioningEnabled: false, profileSourcing: true },
  });
  const o = observeSpoke(none, facts());
  assert.equal(o.connection, null);
  assert.equal(o.toApp, undefined);
  assert.equal(o.profileSourcing, true);
});

test('import settings outside the config vocabulary stay unmanaged instead of invalid', () => {
  const o = observeSpoke(
    liveSpoke({
      features: {
        provisioningEnabled: true,
        profileSourcing: false,
        toOkta: {
          import: {
            schedule: { status: 'ENABLED', fullImport: { expression: '0 3 * * *', timezone: 'UTC' } },
            username: { userNameFormat: 'CUSTOM' },
            match: { exactMatchCriteria: 'SOMETHING' },
          },
          fingerprint: 'f',
        },
      },
    }),
    facts(),
  );
  assert.deepEqual(o.toOktaImport, { schedule: { status: 'ENABLED', fullImport: { expression: '0 3 * * *', timezone: 'UTC' } } });
});

test("an app whose base URL isn't the Hub is exported as it is, with a note", () => {
  assert.deepEqual(observeSpoke(liveSpoke(), facts({ hubUrl: 'https://hub' })).notes, []);
  const o = observeSpoke(liveSpoke(), facts({ hubUrl: 'https://other-hub.example.com' }));
  assert.deepEqual(o.notes, [
    "the app's base URL is https://hub, not the Hub URL https://other-hub.example.com: the first plan will show it",
  ]);
});
