/**
 * mergeIntoConfig on its own (pure): the kinds a console change in the simulator doesn't reach
 * (the connection switched off, To Okta import settings, Profile Sourcing, the app's sign-on
 * mode), what it refuses (an inactive app, the Hub service app, a value behind an alias), and
 * the text edits' edge cases (the last item of a block list, a flow list emptied, a key added
 * to a block mapping). Every case checks the whole resulting text: only the lines it names change.
 */
import { test } from 'node:test';
import { diffLines } from 'diff';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mergeIntoConfig, type LiveEntry } from '../../src/export/merge-into.js';
import { KINDS } from '../../src/plan/kinds.js';
import { change, plan } from '../builders/plan.js';

const NAMES = { initialStatus: 'initialStatus', securityQuestion: 'securityQuestion', securityAnswer: 'securityAnswer' };

const FILE = `version: 1
hub:
  url: \${OKTA_HUB_URL}   # the Hub
spokes:
  - name: emea
    url: \${OKTA_EMEA_URL}
    auth: { token: "\${OKTA_EMEA_TOKEN}" }
    app:
      label: Acme Hub
      signOnMode: SAML_2_0        # as the console set it up
    connection:
      authScheme: TOKEN
      token: \${OKTA_HUB_PROVISIONING_TOKEN}   # never read back
    provisioning:
      toOkta:
        profileSourcing: false
        import:
          schedule: { status: DISABLED }     # imports by hand
    assignments:
      mode: authoritative
      users:
        - login: solo@acme.com      # the only one
      groups: [{ name: Sales }]
`;

function live(entry: Record<string, unknown>): Record<string, LiveEntry> {
  return { emea: { entry, names: NAMES } };
}

test("every kind's place in the config (the kinds table's `config`) is a path the config's schema has", () => {
  const schema = JSON.parse(readFileSync('schemas/org2org.schema.json', 'utf8'));
  // Follows $ref (and allOf/anyOf/oneOf branches) to the node that has the property.
  const deref = (node: any): any =>
    node?.$ref
      ? deref(
          node.$ref
            .slice(2)
            .split('/')
            .reduce((n: any, k: string) => n[k], schema),
        )
      : node;
  const child = (node: any, name: string): any => {
    const n = deref(node);
    return (
      n?.properties?.[name] ?? [...(n?.allOf ?? []), ...(n?.anyOf ?? []), ...(n?.oneOf ?? [])].map((b) => child(b, name)).find(Boolean)
    );
  };
  const spoke = schema.properties.spokes.items;
  const at = (path: string[]): { type?: string; items?: unknown } | undefined => deref(path.reduce<any>(child, spoke));
  for (const [kind, spec] of Object.entries(KINDS)) {
    const place = spec.config;
    if ('cannot' in place) {
      assert.ok(place.cannot.length > 20, `${kind}: says why the file can't say it`);
    } else if ('list' in place) {
      assert.equal(at(place.list)?.type, 'array', `${kind}: ${place.list.join('.')}`);
      assert.ok(child(at(place.list)?.items, place.key), `${kind}: its items have ${place.key}`);
    } else {
      assert.equal(at(place.object)?.type, 'object', `${kind}: ${place.object.join('.')}`);
    }
  }
});

test('the connection switched off, To Okta import, Profile Sourcing and the sign-on mode: each one value, in place', () => {
  const p = plan([
    change(
      'emea',
      'connection',
      null,
      'update',
      { type: 'none' },
      {
        attributes: [
          { name: 'status', before: 'DISABLED', after: 'ENABLED' },
          { name: 'token', before: null, after: '(sensitive)', sensitive: true },
        ],
      },
    ),
    change(
      'emea',
      'features.toOkta',
      null,
      'update',
      { type: 'none' },
      {
        attributes: [{ name: 'schedule', before: { status: 'ENABLED' }, after: { status: 'DISABLED' } }],
      },
    ),
    change(
      'emea',
      'profileSourcing',
      null,
      'manual',
      { type: 'none' },
      {
        attributes: [{ name: 'profileSourcing', before: true, after: false }],
      },
    ),
    change(
      'emea',
      'app',
      null,
      'update',
      { type: 'none' },
      { attributes: [{ name: 'signOnMode', before: 'AUTO_LOGIN', after: 'SAML_2_0' }] },
    ),
  ]);
  const result = mergeIntoConfig(
    FILE,
    p,
    live({
      app: { label: 'Acme Hub', signOnMode: 'AUTO_LOGIN' },
      connection: { authScheme: 'TOKEN', token: '${OKTA_HUB_PROVISIONING_TOKEN}', enabled: false },
      provisioning: {
        toOkta: { profileSourcing: true, import: { schedule: { status: 'ENABLED', fullImport: { expression: '0 3 * * *' } } } },
      },
    }),
  );
  assert.deepEqual(result.left, []);
  const diff = diffLines(FILE, result.text);
  assert.deepEqual(
    diff.filter((d) => d.removed).flatMap((d) => d.value.trimEnd().split('\n')),
    [
      '      signOnMode: SAML_2_0        # as the console set it up',
      '        profileSourcing: false',
      '          schedule: { status: DISABLED }     # imports by hand',
    ],
  );
  assert.deepEqual(
    diff.filter((d) => d.added).flatMap((d) => d.value.trimEnd().split('\n')),
    [
      '      signOnMode: AUTO_LOGIN        # as the console set it up',
      '      enabled: false',
      '        profileSourcing: true',
      '          schedule: { status: ENABLED }     # imports by hand',
    ],
  );
  assert.ok(result.text.includes('      signOnMode: AUTO_LOGIN        # as the console set it up\n'));
  assert.ok(result.text.includes('      token: ${OKTA_HUB_PROVISIONING_TOKEN}   # never read back\n      enabled: false\n'));
  assert.ok(result.text.includes('        profileSourcing: true\n'));
  assert.ok(result.text.includes('          schedule: { status: ENABLED }     # imports by hand\n'), 'only the field the file gives');
  assert.equal(result.text.split('\n').length, FILE.split('\n').length + 1);
  assert.equal(result.merged.length, 4);
});

test('what the file cannot say is left with its reason, and the file is untouched', () => {
  const p = plan([
    change('emea', 'app.status', null, 'update'),
    change('emea', 'serviceApp.grant', 'okta.users.manage', 'delete'),
    change(
      'emea',
      'app',
      null,
      'update',
      { type: 'none' },
      { attributes: [{ name: 'baseUrl', before: 'https://other.okta.com', after: 'x' }] },
    ),
  ]);
  const result = mergeIntoConfig(FILE, p, live({ app: { label: 'Acme Hub' } }));
  assert.equal(result.text, FILE);
  assert.deepEqual(
    result.left.map((l) => l.address),
    ['spoke.emea.app.status', 'hub.serviceApp["emea"].grant["okta.users.manage"]', 'spoke.emea.app'],
  );
  assert.match(result.left[2]!.reason, /baseUrl can't be taken/);
});

test("the last item of a block list goes and the key becomes []; a flow list emptied too; an added key keeps the block's indent", () => {
  const p = plan([change('emea', 'assignment.user', 'solo@acme.com', 'create'), change('emea', 'assignment.group', 'Sales', 'create')]);
  const result = mergeIntoConfig(FILE, p, live({ assignments: { users: [], groups: [] } }));
  assert.deepEqual(result.left, []);
  assert.ok(result.text.endsWith('      mode: authoritative\n      users: []\n      groups: []\n'), result.text);
});

test('an edit through an alias is left for a person; the anchor and its alias stay', () => {
  const anchored = FILE.replace('    provisioning:\n      toOkta:\n', '    provisioning:\n      toOkta: *shared\n').replace(
    'hub:\n',
    'x-shared: &shared\n  profileSourcing: false\nhub:\n',
  );
  const cut = anchored.replace(/ {8}profileSourcing: false\n {8}import:\n {10}schedule: \{ status: DISABLED \} {5}# imports by hand\n/, '');
  const p = plan([
    change(
      'emea',
      'profileSourcing',
      null,
      'manual',
      { type: 'none' },
      { attributes: [{ name: 'profileSourcing', before: true, after: false }] },
    ),
  ]);
  const result = mergeIntoConfig(cut, p, live({ provisioning: { toOkta: { profileSourcing: true } } }));
  assert.equal(result.text, cut);
  assert.match(result.left[0]!.reason, /alias \*shared/);
});

test('an authoritative list the file does not have yet gets one (flow, every added item in it); a missing section is left', () => {
  const noUsers = FILE.replace('      users:\n        - login: solo@acme.com      # the only one\n', '');
  const p = plan([
    change('emea', 'assignment.user', 'ann@acme.com', 'delete'),
    change('emea', 'assignment.user', 'ben@acme.com', 'delete'),
    change('emea', 'pushMapping', 'Ops', 'delete'),
  ]);
  const result = mergeIntoConfig(
    noUsers,
    p,
    live({
      assignments: { users: [{ login: 'ann@acme.com', initialStatus: 'active_with_pass' }, { login: 'ben@acme.com' }], groups: [] },
      pushGroups: { mode: 'authoritative', groups: [{ name: 'Ops' }] },
    }),
  );
  assert.ok(
    result.text.endsWith(
      '      mode: authoritative\n      groups: [{ name: Sales }]\n      users: [ { login: ann@acme.com, initialStatus: active_with_pass }, { login: ben@acme.com } ]\n',
    ),
    result.text,
  );
  assert.deepEqual(result.left, [{ address: 'spoke.emea.pushMapping["Ops"]', reason: 'pushGroups is not in the file' }]);
});

test('a file with CRLF line ends keeps them in the lines it gains', () => {
  const crlf = FILE.replace(/\n/g, '\r\n');
  const p = plan([
    change(
      'emea',
      'connection',
      null,
      'update',
      { type: 'none' },
      { attributes: [{ name: 'status', before: 'DISABLED', after: 'ENABLED' }] },
    ),
  ]);
  const result = mergeIntoConfig(crlf, p, live({ connection: { authScheme: 'TOKEN', enabled: false } }));
  assert.ok(result.text.includes('# never read back\r\n      enabled: false\r\n    provisioning:'), JSON.stringify(result.text));
  assert.doesNotMatch(result.text, /[^\r]\n/);
});
