import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  normalizeAppGroup,
  normalizeAppUser,
  normalizeAppUserSchema,
  normalizeConnection,
  normalizeToOkta,
  normalizePushMapping,
  normalizeToApp,
} from '../../src/state/normalize.js';
import { oktaOrgOrigin, sameOktaOrg } from '../../src/state/types.js';

const strip = <T extends { fingerprint: string }>(v: T): Omit<T, 'fingerprint'> => {
  const { fingerprint: _f, ...rest } = v;
  return rest;
};

test('USER_PROVISIONING capabilities → the console checkboxes', () => {
  const feature = {
    name: 'USER_PROVISIONING',
    capabilities: {
      create: { lifecycleCreate: { status: 'ENABLED' } },
      update: {
        lifecycleDeactivate: { status: 'DISABLED' },
        profile: { status: 'ENABLED' },
        password: { status: 'ENABLED', seed: 'OKTA', change: 'CHANGE' },
      },
    },
  };
  assert.deepEqual(strip(normalizeToApp(feature)), {
    createUsers: true,
    updateUserAttributes: true,
    deactivateUsers: false,
    syncPassword: { seed: 'OKTA', change: 'CHANGE' },
  });
});

test('INBOUND_PROVISIONING → the config vocabulary: userNameFormat as Okta answers; the spec schema spelling usernameFormat is read too', () => {
  const live = normalizeToOkta({
    capabilities: {
      importSettings: {
        schedule: { status: 'ENABLED', fullImport: { expression: '0 3 * * *', timezone: 'UTC' } },
        username: { userNameFormat: 'EMAIL' },
      },
      importRules: { userCreateAndMatch: { exactMatchCriteria: 'EMAIL', autoConfirmNewUsers: true, ignored: 3 } },
    },
  });
  assert.deepEqual(live.import, {
    schedule: { status: 'ENABLED', fullImport: { expression: '0 3 * * *', timezone: 'UTC' } },
    username: { userNameFormat: 'EMAIL' },
    match: { exactMatchCriteria: 'EMAIL', autoConfirmNewUsers: true },
  });
  const schemaSpelling = normalizeToOkta({
    capabilities: { importSettings: { username: { usernameFormat: 'CUSTOM', userNameExpression: 'source.login' } } },
  });
  assert.deepEqual(schemaSpelling.import.username, { userNameFormat: 'CUSTOM', userNameExpression: 'source.login' });
});

test('OAuth connection keeps scheme, status, rotation mode and client id; _links do not change the fingerprint', () => {
  const a = normalizeConnection({
    authScheme: 'OAUTH2',
    profile: { authScheme: 'OAUTH2', clientId: 'c', signing: { rotationMode: 'AUTO' } },
    status: 'ENABLED',
    _links: { x: 1 },
  });
  const b = normalizeConnection({
    profile: { authScheme: 'OAUTH2', clientId: 'c', signing: { rotationMode: 'AUTO' } },
    status: 'ENABLED',
    _links: { y: 2 },
  });
  const other = normalizeConnection({
    profile: { authScheme: 'OAUTH2', clientId: 'd', signing: { rotationMode: 'AUTO' } },
    status: 'ENABLED',
  });
  assert.deepEqual(strip(a), { authScheme: 'OAUTH2', status: 'ENABLED', rotationMode: 'AUTO', clientId: 'c' });
  assert.equal(a.fingerprint, b.fingerprint);
  assert.notEqual(a.fingerprint, other.fingerprint, 'another service app is another connection');
});

test('app-user schema: initialStatus found by its enum when named otherwise; custom attributes listed', () => {
  const schema = normalizeAppUserSchema({
    definitions: {
      custom: {
        properties: {
          hubStatus: { type: 'string', enum: ['active_with_pass', 'active_without_pass', 'pending_with_pass', 'pending_without_pass'] },
          recoveryQuestion: { type: 'string' },
          recoveryAnswer: { type: 'string' },
          costCenter: { type: 'string' },
        },
      },
    },
  });
  assert.equal(schema.initialStatus, 'hubStatus');
  assert.equal(schema.securityQuestion, 'recoveryQuestion');
  assert.equal(schema.securityAnswer, 'recoveryAnswer');
  assert.equal(schema.initialStatusValues.length, 4);
  assert.deepEqual(schema.attributes, ['costCenter', 'hubStatus', 'recoveryAnswer', 'recoveryQuestion']);
});

test("app-user schema: the app's own attributes in definitions.base are found, and base wins over custom", () => {
  const schema = normalizeAppUserSchema({
    definitions: {
      base: {
        properties: {
          userName: { type: 'string' },
          initialStatus: { type: 'string', enum: ['active_with_pass', 'active_without_pass', 'pending_with_pass', 'pending_without_pass'] },
          securityQuestion: { type: 'string' },
          securityAnswer: { type: 'string' },
        },
      },
      custom: { properties: { initialStatus: { type: 'string', enum: ['x'] }, costCenter: { type: 'string' } } },
    },
  });
  assert.equal(schema.initialStatus, 'initialStatus');
  assert.equal(schema.securityQuestion, 'securityQuestion');
  assert.equal(schema.securityAnswer, 'securityAnswer');
  assert.equal(schema.initialStatusValues.length, 4, 'the base definition is read, not the custom one of the same name');
  assert.deepEqual(schema.attributes, ['costCenter', 'initialStatus', 'securityAnswer', 'securityQuestion', 'userName']);
});

test('app user: login from the embedded user, named attributes lifted out, an answer never kept, timestamps ignored', () => {
  const names = { initialStatus: 'initialStatus', securityQuestion: 'securityQuestion', securityAnswer: 'securityAnswer' };
  const raw = {
    id: '00u1',
    scope: 'USER',
    status: 'PROVISIONED',
    syncState: 'SYNCHRONIZED',
    externalId: '00uHub',
    lastUpdated: '2026-01-01T00:00:00Z',
    credentials: { userName: 'ALICE@acme.com' },
    profile: { initialStatus: 'active_with_pass', securityQuestion: 'Pet?', securityAnswer: 'canary-should-vanish', costCenter: 'X' },
    _embedded: { user: { id: '00u1', profile: { login: 'Alice@Acme.com' } } },
  };
  const user = normalizeAppUser(raw, names);
  assert.equal(user.login, 'Alice@Acme.com');
  assert.equal(user.loginKey, 'alice@acme.com');
  assert.equal(user.initialStatus, 'active_with_pass');
  assert.equal(user.securityQuestion, 'Pet?');
  assert.deepEqual(user.profile, { costCenter: 'X' });
  assert.ok(!JSON.stringify(user).includes('canary-should-vanish'));
  assert.equal(normalizeAppUser({ ...raw, lastUpdated: '2026-02-02T00:00:00Z' }, names).fingerprint, user.fingerprint);
  assert.notEqual(normalizeAppUser({ ...raw, status: 'STAGED' }, names).fingerprint, user.fingerprint);
});

test('push mapping: lastPush shown but not fingerprinted; names resolved by the reader', () => {
  const raw = { id: 'gpm1', sourceGroupId: '00g1', targetGroupId: '00gH', status: 'ACTIVE', lastPush: '2026-01-01T00:00:00Z' };
  const m = normalizePushMapping(raw, { source: 'Engineering' });
  assert.equal(m.sourceGroupName, 'Engineering');
  assert.equal(m.lastPush, '2026-01-01T00:00:00Z');
  assert.equal(normalizePushMapping({ ...raw, lastPush: '2026-03-03T00:00:00Z' }, { source: 'Engineering' }).fingerprint, m.fingerprint);
  assert.notEqual(normalizePushMapping({ ...raw, status: 'INACTIVE' }, { source: 'Engineering' }).fingerprint, m.fingerprint);
});

test('secret-looking profile values Okta returns are never kept: the spec example group profile carries a clear-text securityAnswer', () => {
  // components.examples.EmbeddedGroupAssignmentSampleResponse (management.yaml), abridged.
  const group = normalizeAppGroup(
    {
      id: '00g15acRUy0SYb9GT0g4',
      priority: 0,
      profile: {
        securityQuestion: 'Who is the footballer to have played the game',
        securityAnswer: 'Ronaldinho',
        initialStatus: 'active_with_pass',
        department: 'marketing',
      },
    },
    'Football Group',
  );
  assert.deepEqual(group.profile, {
    securityQuestion: 'Who is the footballer to have played the game',
    initialStatus: 'active_with_pass',
    department: 'marketing',
  });
  const renamed = normalizeAppGroup({ id: 'g', profile: { hubRecoveryText: 'x', keep: 1 } }, 'G', 'hubRecoveryText');
  assert.deepEqual(renamed.profile, { keep: 1 }, "the schema's answer attribute is dropped whatever its name");
  const user = normalizeAppUser(
    {
      id: '00u1',
      credentials: { userName: 'a@x.com' },
      profile: { password: 'p', apiToken: 't', clientSecret: 's', recoveryAnswer: 'r', costCenter: 'cc' },
    },
    {},
  );
  assert.deepEqual(user.profile, { costCenter: 'cc' });
  for (const secret of ['Ronaldinho', '"p"', '"t"', '"s"', '"r"']) assert.ok(!JSON.stringify([group, user]).includes(secret));
});

test("one Hub, two names: an Okta org's -admin domain is the org itself; a custom domain is never folded", () => {
  assert.equal(sameOktaOrg('https://integrator-8357679-admin.okta.com', 'https://integrator-8357679.okta.com'), true);
  assert.equal(sameOktaOrg('https://dcp-sep25-admin.oktapreview.com/', 'https://DCP-SEP25.oktapreview.com'), true);
  assert.equal(sameOktaOrg('https://acme-admin.okta.com', 'https://acmecorp.okta.com'), false);
  assert.equal(sameOktaOrg('https://login-admin.acme.com', 'https://login.acme.com'), false, "only Okta's own domains have -admin twins");
  assert.equal(sameOktaOrg('http://127.0.0.1:4010', 'http://127.0.0.1:4011'), false);
  assert.equal(oktaOrgOrigin('https://acme-admin.okta.com/app/x'), 'https://acme.okta.com');
});
