/**
 * The corpus: one broken config per problem, each asserting the exact message and line:col,
 * plus valid variants and what loadConfig builds from them (defaults, positions, digest).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BASE, errorLines, loadText, withLine } from './helpers.js';

const INVALID: Array<{ name: string; text: string; errors: string[] }> = [
  {
    name: 'misspelt key gets a "did you mean" (and no echo about the missing key)',
    text: withLine(10, '      lable: Acme Hub'),
    errors: ['10:7 unknown key "lable" in spokes[0].app — did you mean "label"?'],
  },
  {
    name: 'misspelt top-level key',
    text: BASE + 'spokez: []\n',
    errors: ['25:1 unknown key "spokez" in the file — did you mean "spokes"?'],
  },
  {
    name: 'unknown key far from any allowed one lists the allowed keys',
    text: withLine(10, '      label: Acme Hub\n      colour: blue'),
    errors: ['11:7 unknown key "colour" in spokes[0].app — allowed keys here: label, create, signOnMode'],
  },
  {
    name: 'closed enum with a suggestion',
    text: withLine(12, '      authScheme: TOKENS'),
    errors: ['12:19 "TOKENS" is not a valid spokes[0].connection.authScheme — did you mean "TOKEN"?'],
  },
  {
    name: 'enum without a close match lists the values',
    text: withLine(16, '    assignments:\n      mode: everything'),
    errors: ['17:13 "everything" is not a valid spokes[0].assignments.mode — use one of: additive, authoritative, observe'],
  },
  {
    name: 'wrong version',
    text: withLine(1, 'version: 2'),
    errors: ['1:10 version must be 1, not 2 — set it to 1'],
  },
  {
    name: 'missing required key points at the object',
    text: withLine(6, ''),
    errors: ['5:5 spokes[0] is missing "url" — add it'],
  },
  {
    name: 'mapping where a list belongs',
    text: withLine(17, '      users: { login: alice@acme.com }').replace(
      '        - login: alice@acme.com\n        - login: bob@acme.com\n',
      '',
    ),
    errors: ['17:14 spokes[0].assignments.users must be a list (- item lines), not a mapping — fix its value'],
  },
  {
    name: 'wrong types everywhere: one message each',
    text: withLine(5, '  - name: 5\n    mode: 3').replace('createUsers: true', 'createUsers: "yes"'),
    errors: [
      '5:11 spokes[0].name must be text, not an integer — fix its value',
      '6:11 3 is not a valid spokes[0].mode — use one of: managed, observe',
      '16:29 spokes[0].provisioning.toApp.createUsers must be true or false, not text — fix its value',
    ],
  },
  {
    name: 'spoke name format',
    text: withLine(5, '  - name: EMEA West'),
    errors: ['5:11 "EMEA West" is not a valid spoke name — use lowercase letters, digits and dashes, e.g. "emea"'],
  },
  {
    name: 'syncPassword true',
    text: withLine(15, '      toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: true, syncPassword: true }'),
    errors: [
      '15:100 spokes[0].provisioning.toApp.syncPassword cannot be true — use false, or { seed: OKTA | RANDOM, change: CHANGE | KEEP_EXISTING }',
    ],
  },
  {
    name: 'auth with both token and oauth',
    text: withLine(8, '      token: ${X}\n      oauth: { clientId: a, privateKey: "${K}", scopes: [okta.users.read] }'),
    errors: ['8:7 spokes[0].auth needs exactly one of "token" or "oauth" — keep one'],
  },
  {
    name: 'an OAuth scope that is not one',
    text: withLine(8, '      oauth: { clientId: a, privateKey: "${K}", scopes: [users.read] }'),
    errors: ['8:58 "users.read" is not an Okta scope — write it like okta.users.read or okta.apps.manage'],
  },
  {
    name: 'duplicate spoke names',
    text: BASE + BASE.split('\n').slice(4).join('\n').replace('acme-emea', 'acme-two'),
    errors: ['25:11 spoke name "emea" is already used by spokes[0] — give each spoke its own name'],
  },
  {
    name: 'duplicate logins compare case-insensitively',
    text: withLine(19, '        - login: ALICE@acme.com'),
    errors: [
      '19:18 login "ALICE@acme.com" is already assigned in users[0] of spoke "emea" (logins compare case-insensitively) — remove one',
    ],
  },
  {
    name: 'duplicate assigned and pushed groups',
    text: withLine(21, '        - name: EMEA Sales\n        - name: emea sales').replace(
      '        - name: Engineering',
      '        - name: Engineering\n        - { name: Engineering }',
    ),
    errors: [
      '22:17 group "emea sales" is already assigned in groups[0] of spoke "emea" — remove one',
      '26:19 group "Engineering" is already pushed by groups[0] of spoke "emea" — a group has one push mapping; remove one',
    ],
  },
  {
    name: 'two push mappings to the same Hub group',
    text: withLine(24, '        - name: Engineering\n        - { name: Eng, targetName: Engineering }'),
    errors: [
      '25:11 Hub group "Engineering" is already the target of groups[0] of spoke "emea" — push each Spoke group to its own Hub group',
    ],
  },
  {
    name: 'onRemove: deleteTarget without remove: true (a listed mapping is kept, so it would do nothing)',
    text: withLine(24, '        - { name: Engineering, onRemove: deleteTarget }'),
    errors: [
      '24:42 onRemove: deleteTarget acts only when the mapping is removed — add remove: true to remove the push of "Engineering" together with its Hub group, or drop onRemove',
    ],
  },
  {
    name: 'onRemove: deleteTarget on a linked mapping (the Hub group was not made by the push)',
    text: withLine(24, '        - { name: Engineering, link: true, remove: true, onRemove: deleteTarget }'),
    errors: [
      '24:68 group "Engineering" links to the existing Hub group "Engineering": org2org won\'t delete a Hub group it didn\'t create — drop onRemove (the Hub group is kept), or delete that group in the Hub yourself',
    ],
  },
  {
    name: 'http outside loopback',
    text: withLine(3, '  url: http://acme.okta.com'),
    errors: [
      '3:8 "http://acme.okta.com" must use https (http is allowed only on loopback, for the simulator) — write https://acme.okta.com',
    ],
  },
  {
    name: 'a URL with a path',
    text: withLine(6, '    url: https://acme-emea.okta.com/admin'),
    errors: ['6:10 "https://acme-emea.okta.com/admin" has more than the org\'s address — keep only https://acme-emea.okta.com'],
  },
  {
    name: 'spoke URL is the Hub URL',
    text: withLine(6, '    url: https://ACME.okta.com/'),
    errors: ['6:10 spoke "emea" has the Hub\'s URL — a Spoke is a different org from the Hub; use the Spoke org\'s address'],
  },
  {
    name: 'OAUTH2 connection without clientId',
    text: withLine(12, '      authScheme: OAUTH2').replace('      token: ${HUB_TOKEN}\n', ''),
    errors: [
      "12:7 authScheme OAUTH2 needs the Hub's service app — add hubServiceApp: managed (org2org builds it), or clientId: the client ID of an existing one",
    ],
  },
  {
    name: 'TOKEN connection without token',
    text: BASE.replace('      token: ${HUB_TOKEN}\n', ''),
    errors: ['12:7 authScheme TOKEN needs a token — add token: ${HUB_TOKEN_VARIABLE} (a Hub API token)'],
  },
  {
    name: 'security answer without question',
    text: withLine(18, '        - login: alice@acme.com\n          securityAnswer: ${ANSWER}'),
    errors: ['19:27 user "alice@acme.com" has a securityAnswer but no securityQuestion — add securityQuestion'],
  },
  {
    name: 'unquoted ${VAR} in a flow mapping says "quote it"',
    text: withLine(7, '    auth: { token: ${X} }').replace('      token: ${EMEA_TOKEN}\n', ''),
    errors: ['7:20 ${X} inside a flow mapping { … } or list [ … ] must be quoted — quote it: "${X}"'],
  },
  {
    name: 'several problems at once, in file order',
    text: withLine(3, '  url: http://acme.okta.com')
      .replace('label: Acme Hub', 'labl: Acme Hub')
      .replace('authScheme: TOKEN', 'authScheme: token'),
    errors: [
      '10:7 unknown key "labl" in spokes[0].app — did you mean "label"?',
      '12:19 "token" is not a valid spokes[0].connection.authScheme — did you mean "TOKEN"?',
    ],
  },
];

for (const c of INVALID) {
  test(`invalid: ${c.name}`, async () => {
    const outcome = await loadText(c.text);
    assert.equal(outcome.ok, false, 'expected the config to be rejected');
    assert.deepEqual(errorLines(outcome), c.errors);
  });
}

test('schema problems and rule problems: the rules wait for a well-formed file', async () => {
  // http hub (a rule) is not reported while a schema problem exists.
  const outcome = await loadText(withLine(3, '  url: http://acme.okta.com').replace('label: Acme Hub', 'labl: Acme Hub'));
  assert.deepEqual(errorLines(outcome), ['10:7 unknown key "labl" in spokes[0].app — did you mean "label"?']);
});

test('valid: BASE builds a DesiredState with defaults, positions and the digest', async () => {
  const outcome = await loadText(BASE, { env: { EMEA_TOKEN: 'fake-emea', HUB_TOKEN: 'fake-hub' }, requireSecrets: true });
  assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.problems));
  const { desired, warnings } = outcome.result;
  assert.deepEqual(warnings, []);
  assert.equal(desired.digest, createHash('sha256').update(readFileSync(outcome.file)).digest('hex'));
  assert.equal(desired.hub.url, 'https://acme.okta.com');
  const [spoke] = desired.spokes;
  assert.ok(spoke);
  assert.equal(spoke.mode, 'managed');
  assert.deepEqual(spoke.app, { label: 'Acme Hub' }, 'signOnMode is not managed unless the file sets it');
  assert.equal(spoke.auth.kind, 'token');
  assert.equal(spoke.auth.kind === 'token' && spoke.auth.token.reveal(), 'fake-emea');
  assert.equal(spoke.connection?.authScheme, 'TOKEN');
  assert.equal(spoke.connection?.enabled, true);
  assert.equal(spoke.assignments.mode, 'additive');
  assert.deepEqual(
    spoke.assignments.users.map((u) => [u.login, u.loginKey, u.initialStatus, u.pos]),
    [
      ['alice@acme.com', 'alice@acme.com', 'active_without_pass', { line: 18, col: 11 }],
      ['bob@acme.com', 'bob@acme.com', 'active_without_pass', { line: 19, col: 11 }],
    ],
  );
  assert.deepEqual(spoke.pushGroups.groups, [
    {
      name: 'Engineering',
      targetName: 'Engineering',
      link: false,
      status: 'ACTIVE',
      remove: false,
      onRemove: 'keepTarget',
      pos: { line: 24, col: 11 },
    },
  ]);
  assert.deepEqual(spoke.pos, { line: 5, col: 5 });
  assert.equal(spoke.provisioning.toOkta, undefined);
});

test('valid: ${VAR} expands in URLs (normalized); in a name it is literal, with one warning', async () => {
  const text = withLine(3, '  url: ${HUB_URL}').replace('label: Acme Hub', 'label: Acme ${REGION} Hub');
  const outcome = await loadText(text, {
    env: { HUB_URL: 'http://127.0.0.1:4010/', REGION: 'EU', EMEA_TOKEN: 't1', HUB_TOKEN: 't2' },
    requireSecrets: true,
  });
  assert.ok(outcome.ok);
  assert.equal(outcome.result.desired.hub.url, 'http://127.0.0.1:4010');
  assert.equal(outcome.result.desired.spokes[0]?.app.label, 'Acme ${REGION} Hub');
  assert.deepEqual(
    outcome.result.warnings.map((w) => w.message),
    ['${REGION} is taken literally here: environment variables are expanded only in URLs, OAuth client and key ids and secrets'],
  );
});

test('http is fine on any loopback address the client accepts, and nowhere else', async () => {
  for (const url of ['http://127.0.0.2:4010', 'http://localhost:4010', 'http://[::1]:4010']) {
    const outcome = await loadText(withLine(3, `  url: ${url}`));
    assert.ok(outcome.ok, `${url}: ${JSON.stringify(!outcome.ok && outcome.problems)}`);
  }
  assert.ok(!(await loadText(withLine(3, '  url: http://128.0.0.1:4010'))).ok);
});

test('unset variables: warnings once per variable for validate, errors at every field otherwise', async () => {
  const text = withLine(3, '  url: ${HUB_URL}');
  const offline = await loadText(text, { requireSecrets: false });
  assert.ok(offline.ok);
  assert.deepEqual(
    offline.result.warnings.map((w) => `${w.line}:${w.col} ${w.message}`),
    [
      '3:8 environment variable HUB_URL is not set — plan, apply and check will need it',
      '8:14 environment variable EMEA_TOKEN is not set — plan, apply and check will need it',
      '13:14 environment variable HUB_TOKEN is not set — plan, apply and check will need it',
    ],
  );
  // An unset URL can't be checked for https: no URL error either way.
  const online = await loadText(text, { requireSecrets: true, env: { EMEA_TOKEN: 'x' } });
  assert.deepEqual(errorLines(online), [
    '3:8 environment variable HUB_URL is not set — export HUB_URL before running this command',
    '13:14 environment variable HUB_TOKEN is not set — export HUB_TOKEN before running this command',
  ]);
});

test('valid: OAuth auth, OAUTH2 connection, syncPassword object and import settings', async () => {
  const text = withLine(8, '      oauth: { clientId: 0oa1, privateKey: "${KEY}", keyId: k1, scopes: [okta.apps.manage] }')
    .replace('      authScheme: TOKEN\n      token: ${HUB_TOKEN}', '      authScheme: OAUTH2\n      clientId: 0oa2\n      enabled: false')
    .replace(
      'syncPassword: false }',
      'syncPassword: { seed: RANDOM, change: CHANGE } }\n      toOkta: { import: { username: { userNameFormat: EMAIL } } }',
    );
  const outcome = await loadText(text, { env: { KEY: 'fake-pem' }, requireSecrets: true });
  assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.problems));
  const spoke = outcome.result.desired.spokes[0]!;
  assert.equal(spoke.auth.kind, 'oauth');
  assert.deepEqual(
    spoke.auth.kind === 'oauth' && [spoke.auth.clientId, spoke.auth.keyId, spoke.auth.scopes, spoke.auth.privateKey.envVar],
    ['0oa1', 'k1', ['okta.apps.manage'], 'KEY'],
  );
  assert.deepEqual(spoke.connection, { authScheme: 'OAUTH2', clientId: '0oa2', rotationMode: 'AUTO', enabled: false });
  assert.deepEqual(spoke.provisioning.toApp?.syncPassword, { seed: 'RANDOM', change: 'CHANGE' });
  assert.deepEqual(spoke.provisioning.toOkta, { import: { username: { userNameFormat: 'EMAIL' } } });
});

test('valid: Profile Sourcing together with To App features, as real Org2Org apps have them (recorded: PROFILE_MASTERING beside PUSH_NEW_USERS)', async () => {
  const text = withLine(
    15,
    '      toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: false, syncPassword: false }\n      toOkta: { profileSourcing: true }',
  );
  const outcome = await loadText(text, { env: { EMEA_TOKEN: 'fake-emea', HUB_TOKEN: 'fake-hub' }, requireSecrets: true });
  assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.problems));
  assert.equal(outcome.result.desired.spokes[0]!.provisioning.toOkta?.profileSourcing, true);
});
