/**
 * The pure half of export: observed spokes → config text. A golden file for a small export
 * (UPDATE_GOLDEN=1 rewrites it), plus determinism and the schema check of the output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { renderExport, spokeTokenVar } from '../../src/export/build-document.js';
import { predates } from '../../src/state/types.js';
import type { ExportInput, ObservedSpoke } from '../../src/export/types.js';
import { schemaErrors } from './schema.js';

const GOLDEN = new URL('./fixtures/small-export.yaml', import.meta.url);

function emea(): ObservedSpoke {
  return {
    name: 'emea',
    url: 'https://acme-emea.okta.com',
    tokenVar: 'OKTA_EMEA_TOKEN',
    app: { label: 'Acme Hub', signOnMode: 'SAML_2_0' },
    connection: { authScheme: 'TOKEN', enabled: true },
    toApp: {
      createUsers: true,
      updateUserAttributes: true,
      deactivateUsers: true,
      syncPassword: { seed: 'RANDOM', change: 'KEEP_EXISTING' },
    },
    profileSourcing: false,
    toOktaImport: { schedule: { status: 'DISABLED' }, username: { userNameFormat: 'EMAIL' } },
    users: [
      { login: 'zoe@acme.com', initialStatus: 'pending_without_pass', profile: {} },
      {
        login: 'Alice@acme.com',
        initialStatus: 'active_with_pass',
        securityQuestion: 'First pet?',
        profile: { costCenter: 'EU-1', badge: 7 },
      },
      { login: 'bob@acme.com', initialStatus: 'active_without_pass', profile: {} },
    ],
    attributeNames: { initialStatus: 'initialStatus', securityQuestion: 'securityQuestion', securityAnswer: 'securityAnswer' },
    groupScopeUsers: 12,
    groups: [
      { name: 'EMEA Sales', priority: 1, profile: {} },
      { name: 'EMEA Eng', priority: 0, profile: {} },
    ],
    pushMappings: [
      { name: 'Legacy Ops', targetName: 'Ops', status: 'ACTIVE', link: true },
      { name: 'Engineering', targetName: 'Engineering', status: 'ACTIVE', link: false },
      { name: 'Archive', targetName: 'Archive', status: 'INACTIVE' },
    ],
    notes: [],
  };
}

function apac(): ObservedSpoke {
  return {
    name: 'apac-2',
    url: 'https://acme-apac.okta.com',
    tokenVar: spokeTokenVar('apac-2'),
    app: { label: 'Hub (OAuth)', signOnMode: 'AUTO_LOGIN' },
    connection: { authScheme: 'OAUTH2', enabled: false, clientId: '0oaHubService', rotationMode: 'MANUAL' },
    profileSourcing: true,
    users: [],
    attributeNames: { initialStatus: 'initialStatus' },
    groupScopeUsers: 0,
    groups: [],
    pushMappings: [],
    notes: ['group assignment 00gGone names a group that no longer exists; left out'],
  };
}

function smallInput(): ExportInput {
  return {
    hubUrl: 'https://acme.okta.com',
    hubReadTokenVar: 'OKTA_HUB_READ_TOKEN',
    generatedAt: '2026-05-01T12:00:00.000Z',
    spokes: [apac(), emea()],
  };
}

test('a small export matches its golden file', () => {
  const text = renderExport(smallInput());
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
  assert.equal(text, readFileSync(GOLDEN, 'utf8'));
});

test('the output is valid against the config schema', () => {
  assert.deepEqual(schemaErrors(parse(renderExport(smallInput()))), []);
});

test('input order does not change the output; only the timestamp line varies', () => {
  const a = renderExport(smallInput());
  const shuffled = smallInput();
  shuffled.spokes.reverse();
  for (const s of shuffled.spokes) {
    s.users.reverse();
    s.groups.reverse();
    s.pushMappings.reverse();
  }
  shuffled.generatedAt = '2027-01-01T00:00:00.000Z';
  const b = renderExport(shuffled);
  const differing = a.split('\n').filter((line, i) => line !== b.split('\n')[i]);
  assert.deepEqual(differing, ['# Exported at: 2026-05-01T12:00:00.000Z']);
});

test('users sort case-insensitively, lists are authoritative, write-only values are comments only', () => {
  const text = renderExport(smallInput());
  const doc = parse(text) as {
    spokes: {
      name: string;
      assignments: { mode: string; users: { login: string; securityAnswer?: string }[] };
      pushGroups: { mode: string };
    }[];
  };
  const e = doc.spokes.find((s) => s.name === 'emea')!;
  assert.deepEqual(
    e.assignments.users.map((u) => u.login),
    ['Alice@acme.com', 'bob@acme.com', 'zoe@acme.com'],
  );
  assert.equal(e.assignments.mode, 'authoritative');
  assert.equal(e.pushGroups.mode, 'authoritative');
  assert.ok(e.assignments.users.every((u) => u.securityAnswer === undefined));
  assert.match(text, /token: \$\{OKTA_HUB_PROVISIONING_TOKEN\} # write-only in Okta: can't be read back/);
  assert.match(text, /Security answers are write-only in Okta/);
  assert.match(text, /12 more users are assigned through groups/);
});

test('link: a Hub group is linked only when clearly older than its mapping', () => {
  assert.equal(predates('2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'), true);
  assert.equal(predates('2026-02-01T00:00:00.000Z', '2026-02-01T00:00:00.003Z'), false); // made by the push itself
  assert.equal(predates('2026-02-01T00:00:01.000Z', '2026-02-01T00:00:00.000Z'), false);
  assert.equal(predates(undefined, '2026-02-01T00:00:00.000Z'), undefined);
});
