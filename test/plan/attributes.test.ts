/**
 * Planning attributes carried to the Hub, on hand-made states: the checks that stop a plan (a
 * source reading an attribute the Spoke lacks, one type at both ends, an attribute that must exist),
 * the Hub's change made once across Spokes, and what a change means for users.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DesiredAttribute, DesiredSpoke } from '../../src/config/types.js';
import { addressOf } from '../../src/plan/address.js';
import { createPlan } from '../../src/plan/create-plan.js';
import type { LiveSpoke } from '../../src/state/types.js';
import { desiredSpoke, desiredState } from '../builders/desired.js';
import { liveApp, liveAppUser, liveSpoke, liveState } from '../builders/live.js';

function attr(name: string, source: string, extra: Partial<DesiredAttribute> = {}): DesiredAttribute {
  const reads = [...source.matchAll(/user\.(\w+)/g)].map((m) => m[1]!);
  const reference = /^user\.(\w+)$/.exec(source)?.[1];
  return {
    name,
    source,
    reads,
    ...(reference ? { reference } : {}),
    push: 'PUSH',
    type: 'string',
    title: name,
    create: false,
    remove: false,
    fromHub: false,
    pos: { line: 40, col: 11 },
    sourcePos: { line: 41, col: 17 },
    ...extra,
  };
}

function spokeWith(name: string, carry: DesiredAttribute[], mode: DesiredSpoke['attributes']['mode'] = 'additive'): DesiredSpoke {
  return { ...desiredSpoke(name, `https://${name}.example.com`), attributes: { mode, carry } };
}

const USER_SCHEMA = {
  types: { login: 'string', department: 'string', costCenter: 'string', employeeNumber: 'string', isManager: 'boolean' },
  base: ['login', 'department', 'costCenter', 'employeeNumber'],
};

function liveWith(name: string, extra: Partial<LiveSpoke> = {}): LiveSpoke {
  return liveSpoke(name, {
    app: liveApp('https://hub.example.com', { id: `0oa${name}` }),
    appUserSchema: {
      initialStatusValues: [],
      attributes: ['userName', 'department'],
      custom: { department: { type: 'string', fingerprint: 'fp-d' } },
    },
    userSchema: USER_SCHEMA,
    attributeMapping: { id: `prm${name}`, sourceId: 'oty1', properties: {} },
    appUsers: [
      liveAppUser('a@acme.com', { status: 'PROVISIONED', externalId: '00uhub1' }),
      liveAppUser('b@acme.com', { status: 'PROVISIONED', externalId: '00uhub2' }),
    ],
    ...extra,
  });
}

function plan(spokes: DesiredSpoke[], lives: LiveSpoke[], hubTypes: Record<string, string> = { login: 'string', department: 'string' }) {
  return createPlan(
    desiredState('https://hub.example.com', spokes),
    liveState(lives, { hub: { users: {}, groups: {}, userSchema: { types: hubTypes, base: ['login', 'department'] } } }),
    {
      maxApiCapacity: 0.5,
      toolVersion: '0',
    },
  );
}

const errors = (p: ReturnType<typeof plan>) => p.spokes.flatMap((s) => s.diagnostics).filter((d) => d.severity === 'error');

test('a typo in the source is an error at the source line, with did-you-mean', () => {
  const p = plan([spokeWith('emea', [attr('department', 'String.toUpperCase(user.departmnet)')])], [liveWith('emea')]);
  const [e] = errors(p);
  assert.match(e!.message, /reads user\.departmnet, which the emea Spoke's user profile doesn't have \(did you mean user\.department\?\)/);
  assert.deepEqual([e!.line, e!.col], [41, 17]);
  assert.equal(p.errored, true);
});

test('one type at both ends: the source attribute, the app attribute and the Hub attribute', () => {
  const source = plan([spokeWith('emea', [attr('department', 'user.isManager')])], [liveWith('emea')]);
  assert.match(errors(source)[0]!.message, /user\.isManager, is a boolean in the emea Spoke but the attribute is a string/);
  const hub = plan([spokeWith('emea', [attr('department', 'user.department')])], [liveWith('emea')], { department: 'integer' });
  assert.match(errors(hub)[0]!.message, /department is a string in the config but an integer in the Hub's user profile/);
  const app = plan(
    [spokeWith('emea', [attr('department', 'user.department')])],
    [
      liveWith('emea', {
        appUserSchema: {
          initialStatusValues: [],
          attributes: ['department'],
          custom: { department: { type: 'number', fingerprint: 'x' } },
        },
      }),
    ],
  );
  assert.match(errors(app)[0]!.message, /a number in the emea Org2Org app's user profile/);
});

test('create: false: an attribute missing in the Hub or the app is an error naming where to add it; create: true plans it once for all Spokes', () => {
  const missing = plan([spokeWith('emea', [attr('badge', 'user.employeeNumber')])], [liveWith('emea')]);
  const messages = errors(missing).map((e) => e.message);
  assert.ok(messages.some((m) => /the Hub's user profile has no attribute badge/.test(m)));
  assert.ok(messages.some((m) => /Org2Org app's user profile has no attribute badge/.test(m)));
  const made = plan(
    [
      spokeWith('emea', [attr('badge', 'user.employeeNumber', { create: true })]),
      spokeWith('apac', [attr('badge', 'user.employeeNumber', { create: true })]),
    ],
    [liveWith('emea'), liveWith('apac')],
  );
  assert.deepEqual(errors(made), []);
  const emea = made.spokes[0]!.changes.map(addressOf);
  const apac = made.spokes[1]!.changes;
  assert.deepEqual(emea, ['hub.userAttribute["badge"]', 'spoke.emea.appAttribute["badge"]', 'spoke.emea.attribute["badge"]']);
  assert.deepEqual(apac.map(addressOf), ['spoke.apac.appAttribute["badge"]', 'spoke.apac.attribute["badge"]']);
  assert.ok(apac[1]!.dependsOn.includes('hub.userAttribute["badge"]'), "apac's mapping waits for the Hub's attribute emea carries");
  assert.deepEqual(apac[1]!.op, {
    type: 'attribute.set',
    appId: '0oaapac',
    mappingId: 'prmapac',
    name: 'badge',
    expression: 'user.employeeNumber',
    pushStatus: 'PUSH',
  });
});

test('what a mapping means for users: PUSH reaches the provisioned at their next push, DONT_PUSH only new ones', () => {
  const p = plan(
    [
      {
        ...spokeWith('emea', [
          attr('department', 'user.department'),
          attr('costCenter', 'user.costCenter', { push: 'DONT_PUSH', create: true }),
        ]),
        provisioning: { toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: false, syncPassword: false } },
      },
    ],
    [liveWith('emea')],
    { department: 'string', costCenter: 'string' },
  );
  const effects = p.spokes[0]!.changes.flatMap((c) => c.hubEffects ?? []);
  assert.ok(
    effects.includes(
      "from each user's next profile push, 2 Hub users get department; Hub users created from now on get department at once",
    ),
    effects.join('\n'),
  );
  assert.ok(effects.includes("only Hub users created from now on get costCenter (DONT_PUSH); the 2 Hub users provisioned already don't"));
});

test('an unchanged mapping is a noop; a changed one an update of only what differs; the Hub unread makes create: true an error', () => {
  const same = liveWith('emea', {
    attributeMapping: {
      id: 'prm',
      sourceId: 'oty',
      properties: { department: { expression: 'user.department', pushStatus: 'PUSH', fingerprint: 'f' } },
    },
  });
  const noop = plan([spokeWith('emea', [attr('department', 'user.department')])], [same]);
  assert.equal(noop.empty, true);
  const changed = plan([spokeWith('emea', [attr('department', 'user.department', { push: 'DONT_PUSH' })])], [same]);
  const [update] = changed.spokes[0]!.changes;
  assert.equal(update!.action, 'update');
  assert.deepEqual(
    update!.attributes.map((a) => a.name),
    ['push'],
  );
  const unread = createPlan(
    desiredState('https://hub.example.com', [spokeWith('emea', [attr('badge', 'user.employeeNumber', { create: true })])]),
    liveState([liveWith('emea')]),
    {
      maxApiCapacity: 0.5,
      toolVersion: '0',
    },
  );
  assert.match(
    unread.spokes[0]!.diagnostics[0]!.message,
    /can't make sure the Hub's user profile has badge: the config gives the Hub no credentials/,
  );
});

test('authoritative: other custom attributes lose their mapping as a guarded removal; base attributes are never touched', () => {
  const live = liveWith('emea', {
    appUserSchema: {
      initialStatusValues: [],
      attributes: ['department', 'firstName', 'legacyCode'],
      custom: { department: { type: 'string', fingerprint: 'a' }, legacyCode: { type: 'string', fingerprint: 'b' } },
    },
    attributeMapping: {
      id: 'prm1',
      sourceId: 'oty',
      properties: {
        department: { expression: 'user.department', pushStatus: 'PUSH', fingerprint: 'f1' },
        legacyCode: { expression: 'user.employeeNumber', pushStatus: 'PUSH', fingerprint: 'f2' },
        firstName: { expression: 'user.firstName', pushStatus: 'PUSH', fingerprint: 'f3' },
      },
    },
  });
  const p = plan([spokeWith('emea', [attr('department', 'user.department')], 'authoritative')], [live]);
  const removals = p.spokes[0]!.changes.filter((c) => c.action === 'delete');
  assert.deepEqual(removals.map(addressOf), ['spoke.emea.attribute["legacyCode"]']);
  assert.deepEqual(removals[0]!.op, { type: 'attribute.remove', appId: '0oaemea', mappingId: 'prm1', name: 'legacyCode' });
  assert.deepEqual(
    p.guards.map((g) => [g.guard, g.allowed]),
    [['remove-attribute-mappings', false]],
  );
});

test('observe: what the attributes would need is said as warnings, and nothing of them is applyable', () => {
  const p = plan([spokeWith('emea', [attr('badge', 'user.employeeNumber', { create: true })], 'observe')], [liveWith('emea')]);
  assert.deepEqual(p.spokes[0]!.changes, []);
  const warnings = p.spokes[0]!.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
  assert.deepEqual(warnings, [
    'observe: would create hub.userAttribute["badge"] (type: (none) → string, title: (none) → badge)',
    'observe: would create spoke.emea.appAttribute["badge"] (type: (none) → string, title: (none) → badge)',
    'observe: would create spoke.emea.attribute["badge"] (source: (none) → user.employeeNumber, push: (none) → PUSH)',
  ]);
  assert.equal(p.empty, true);
});
