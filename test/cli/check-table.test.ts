/** `org2org check`'s table fits 100 columns, or becomes one block of labelled lines per org. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHECK_TABLE_WIDTH, renderCheckTable } from '../../src/cli/commands/check.js';
import type { OrgCheck } from '../../src/check/check-orgs.js';

const hub: OrgCheck = {
  org: 'hub',
  kind: 'hub',
  url: 'https://acme.okta.com',
  ok: true,
  credential: { identity: 'iam-admin@hub.acme.com', roles: ['SUPER_ADMIN'] },
  headroom: { bucket: 'apps', limit: 1200, remaining: 1187, reset: 0 },
  problems: [],
  warnings: [],
  notes: [],
};

const emea: OrgCheck = {
  org: 'emea',
  kind: 'spoke',
  url: 'https://acme-emea.okta.com',
  ok: true,
  credential: { identity: 'admin@emea.acme.com', roles: ['SUPER_ADMIN'] },
  headroom: { bucket: 'apps', limit: 100, remaining: 97, reset: 0 },
  app: { found: true, baseUrlMatchesHub: true },
  connection: {
    authScheme: 'TOKEN',
    liveStatus: 'ENABLED',
    liveAuthScheme: 'TOKEN',
    tokenOwner: 'p@hub.acme.com',
    tokenRoles: ['SUPER_ADMIN'],
  },
  problems: [],
  warnings: [],
  notes: [],
};

const apac: OrgCheck = {
  ...emea,
  org: 'apac',
  url: 'https://acme-apac.okta.com',
  connection: {
    authScheme: 'OAUTH2',
    liveStatus: 'ENABLED',
    liveAuthScheme: 'OAUTH2',
    serviceApp: {
      found: true,
      clientId: '0oa1a2b3c4d5e6f7g8h9',
      status: 'ACTIVE',
      scopes: ['okta.users.manage', 'okta.groups.manage', 'okta.users.read', 'okta.groups.read'],
      roles: ['USER_ADMIN', 'GROUP_MEMBERSHIP_ADMIN'],
    },
  },
  notes: ['the apps bucket is shared with other integrations'],
};

test('a narrow result stays a table; a wide one (a connection cell alone is ~50–110 columns) becomes a list within 100', () => {
  const narrow = renderCheckTable([hub]);
  assert.match(narrow, /^ORG {2}CREDENTIAL/);
  assert.ok(narrow.split('\n').every((l) => l.length <= CHECK_TABLE_WIDTH));
  assert.match(narrow, /1,187\/1,200 left/);

  const wide = renderCheckTable([hub, emea, apac]);
  assert.doesNotMatch(wide, /^ORG {2}CREDENTIAL/);
  const lines = wide.split('\n');
  for (const line of lines) assert.ok(line.length <= CHECK_TABLE_WIDTH, line);
  assert.match(wide, /^apac {2}ok \(see notes\)$/m);
  assert.match(wide, /^ {2}connection: +OAUTH2: service app 0oa1a2b3c4d5e6f7g8h9 ACTIVE, scopes okta\.users\.manage/m);
  // Wrapped under its value, not lost.
  assert.match(wide, /\n {15}\S.*\(OAUTH2 ENABLED\)$/m);
  assert.match(wide, /^ {2}note: the apps bucket is shared with other integrations$/m);
});
