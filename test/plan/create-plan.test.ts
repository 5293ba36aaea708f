import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { computePhases } from '../../src/apply/order.js';
import { checkStale } from '../../src/apply/stale.js';
import { createPlan, toPlanFile } from '../../src/plan/create-plan.js';
import { formatAddress, parseAddress } from '../../src/plan/address.js';
import type { Change, Plan } from '../../src/plan/types.js';
import type { LiveState } from '../../src/state/types.js';
import { desiredFromJson } from '../builders/desired.js';
import { liveApp, liveAppUser, liveSpoke } from '../builders/live.js';
import { largeCase } from './large.js';
import { addressOf } from '../../src/plan/address.js';

const OPTIONS = { maxApiCapacity: 0.5, toolVersion: '0.1.0-test' };
const HUB = 'https://acme.okta.com';

const LIVE_APP = liveApp(HUB);
const SCHEMA = {
  initialStatus: 'initialStatus',
  securityQuestion: 'securityQuestion',
  securityAnswer: 'securityAnswer',
  initialStatusValues: [],
  attributes: ['initialStatus', 'securityQuestion', 'securityAnswer', 'costCenter'],
};

function spokeConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { hub: { url: HUB }, spokes: [{ name: 'emea', ...extra }] };
}

function plan(config: Record<string, unknown>, live: LiveState): Plan {
  return createPlan(desiredFromJson(config), live, OPTIONS);
}

function changes(p: Plan): Change[] {
  return p.spokes.flatMap((s) => s.changes);
}

function at(p: Plan, address: string): Change {
  const found = changes(p).find((c) => addressOf(c) === address);
  assert.ok(
    found,
    `no change at ${address}; have ${changes(p)
      .map((c) => addressOf(c))
      .join(', ')}`,
  );
  return found;
}

function state(spoke: ReturnType<typeof liveSpoke>, extra: Partial<LiveState> = {}): LiveState {
  return { spokes: { [spoke.name]: spoke }, readProblems: [], ...extra };
}

describe('createPlan: a spoke with no app', () => {
  const config = spokeConfig({
    connection: { authScheme: 'TOKEN', token: { $secret: 'HUB_TOKEN' } },
    provisioning: {
      toApp: { createUsers: true, updateUserAttributes: false, deactivateUsers: true, syncPassword: { seed: 'OKTA', change: 'CHANGE' } },
    },
    assignments: {
      users: [{ login: 'Alice@Acme.com', securityQuestion: 'Pet?', securityAnswer: { $secret: 'ALICE_ANSWER' } }],
      groups: [{ name: 'Sales' }],
    },
    pushGroups: { groups: [{ name: 'Sales', targetName: 'Hub Sales', link: true }] },
  });
  const live = state(
    liveSpoke('emea', {
      users: { 'alice@acme.com': { id: '00u-alice', login: 'Alice@Acme.com', status: 'ACTIVE' } },
      groups: { Sales: { id: '00g-sales', name: 'Sales' } },
    }),
    { hub: { users: {}, groups: { 'Hub Sales': { id: '00g-hub-sales', name: 'Hub Sales' } } } },
  );
  const p = plan(config, live);

  test('creates the app with the Hub URL as base URL, first', () => {
    const first = changes(p)[0]!;
    assert.equal(addressOf(first), 'spoke.emea.app');
    assert.deepEqual(first.op, { type: 'app.create', label: 'Acme Hub', signOnMode: 'SAML_2_0', baseUrl: HUB });
  });

  test('every later change uses appId null and depends on the app create', () => {
    for (const change of changes(p).slice(1)) {
      assert.equal((change.op as { appId?: unknown }).appId, null, addressOf(change));
      assert.ok(change.dependsOn.includes('spoke.emea.app'), addressOf(change));
    }
  });

  test('orders app → connection → features → user → group → push, with provisioning dependencies', () => {
    assert.deepEqual(
      changes(p).map((c) => addressOf(c)),
      [
        'spoke.emea.app',
        'spoke.emea.connection',
        'spoke.emea.features.toApp',
        'spoke.emea.assignment.user["alice@acme.com"]',
        'spoke.emea.assignment.group["Sales"]',
        'spoke.emea.pushMapping["Sales"]',
      ],
    );
    assert.ok(at(p, 'spoke.emea.features.toApp').dependsOn.includes('spoke.emea.connection'));
    // The push also waits for its group's new assignment (whose members it pushes).
    assert.deepEqual(at(p, 'spoke.emea.pushMapping["Sales"]').dependsOn, [
      'spoke.emea.app',
      'spoke.emea.connection',
      'spoke.emea.features.toApp',
      'spoke.emea.assignment.group["Sales"]',
    ]);
    assert.doesNotThrow(() => computePhases(changes(p)));
  });

  test('the connection carries the env var name, never the token', () => {
    const connection = at(p, 'spoke.emea.connection');
    assert.deepEqual(connection.op, {
      type: 'connection.set',
      appId: null,
      profile: { authScheme: 'TOKEN', tokenEnv: 'HUB_TOKEN' },
      activate: true,
      disables: false,
    });
    assert.deepEqual(
      connection.attributes.find((a) => a.name === 'token'),
      { name: 'token', before: null, after: '(sensitive)', sensitive: true },
    );
  });

  test('To App capabilities are the USER_PROVISIONING object', () => {
    assert.deepEqual(at(p, 'spoke.emea.features.toApp').op, {
      type: 'features.toApp',
      appId: null,
      capabilities: {
        create: { lifecycleCreate: { status: 'ENABLED' } },
        update: {
          lifecycleDeactivate: { status: 'ENABLED' },
          profile: { status: 'DISABLED' },
          password: { status: 'ENABLED', seed: 'OKTA', change: 'CHANGE' },
        },
      },
    });
  });

  test('a new assignment sends the answer as an env reference and shows it masked', () => {
    const alice = at(p, 'spoke.emea.assignment.user["alice@acme.com"]');
    assert.equal(alice.action, 'create');
    assert.deepEqual(alice.op, {
      type: 'assignment.user.assign',
      appId: null,
      userId: '00u-alice',
      login: 'Alice@Acme.com',
      profile: { initialStatus: 'active_without_pass', securityQuestion: 'Pet?', securityAnswer: { $env: 'ALICE_ANSWER' } },
      initialStatus: 'active_without_pass',
    });
    assert.equal(alice.after?.securityAnswer, '(sensitive)');
  });

  test('link: true links by targetGroupName, never by the Hub group id (Okta reads targetGroupId as a Spoke group), and says what linking needs', () => {
    const push = at(p, 'spoke.emea.pushMapping["Sales"]');
    assert.deepEqual(push.op, {
      type: 'pushMapping.create',
      appId: null,
      sourceGroupId: '00g-sales',
      targetGroupName: 'Hub Sales',
      status: 'ACTIVE',
    });
    assert.ok(!JSON.stringify(push.op).includes('00g-hub-sales'), 'no Hub id is sent');
    assert.match(push.instructions?.join(' ') ?? '', /imported into the Spoke: Admin Console → Applications → .* → Import → Import Now/);
  });

  test('summary counts and writes; the time estimate uses the default apps limit at the capacity share', () => {
    assert.equal(p.summary.add, 6);
    assert.equal(p.summary.apiWrites, 6);
    // 6 writes at 100/min × 0.5 = 50/min → 7.2 s, rounded up
    assert.equal(p.summary.minSeconds, 8);
    assert.equal(p.empty, false);
    assert.equal(p.errored, false);
  });
});

describe('createPlan: connections', () => {
  const live = (connection: LiveState['spokes'][string]['connection']): LiveState =>
    state(liveSpoke('emea', { app: LIVE_APP, connection }));

  test('a TOKEN connection that is ENABLED is a silent noop (the token cannot be read; it is tested against the Hub instead)', () => {
    const p = plan(
      spokeConfig({ connection: { authScheme: 'TOKEN', token: { $secret: 'T' } } }),
      live({ authScheme: 'TOKEN', status: 'ENABLED', fingerprint: 'c' }),
    );
    assert.deepEqual(p.spokes[0]!.changes, []);
    assert.equal(p.summary.noop, 2);
    assert.equal(p.spokes[0]!.notes, undefined);
    assert.equal(p.empty, true);
    assert.equal(p.summary.warnings, 0);
  });

  test('a disabled TOKEN connection is set again with the token (it was never readable)', () => {
    const p = plan(
      spokeConfig({ connection: { authScheme: 'TOKEN', token: { $secret: 'T' } } }),
      live({ authScheme: 'TOKEN', status: 'DISABLED', fingerprint: 'c' }),
    );
    assert.deepEqual(at(p, 'spoke.emea.connection').op, {
      type: 'connection.set',
      appId: '0oa1',
      profile: { authScheme: 'TOKEN', tokenEnv: 'T' },
      activate: true,
      disables: false,
    });
  });

  test('an OAUTH2 connection with the same rotation mode is only activated', () => {
    const p = plan(
      spokeConfig({ connection: { authScheme: 'OAUTH2', clientId: '0oa-svc', rotationMode: 'AUTO' } }),
      live({ authScheme: 'OAUTH2', status: 'DISABLED', rotationMode: 'AUTO', fingerprint: 'c' }),
    );
    assert.deepEqual(at(p, 'spoke.emea.connection').op, { type: 'connection.activate', appId: '0oa1', disables: false });
  });

  test('an OAUTH2 connection whose client id Okta returns: the same id is a noop, another one is set again', () => {
    const wanted = spokeConfig({ connection: { authScheme: 'OAUTH2', clientId: '0oa-svc', rotationMode: 'AUTO' } });
    const same = plan(
      wanted,
      live({ authScheme: 'OAUTH2', status: 'ENABLED', rotationMode: 'AUTO', clientId: '0oa-svc', fingerprint: 'c' }),
    );
    assert.equal(same.empty, true);
    const other = plan(
      wanted,
      live({ authScheme: 'OAUTH2', status: 'ENABLED', rotationMode: 'AUTO', clientId: '0oa-old', fingerprint: 'c' }),
    );
    const connection = at(other, 'spoke.emea.connection');
    assert.equal(connection.action, 'update');
    assert.deepEqual(connection.attributes, [{ name: 'clientId', before: '0oa-old', after: '0oa-svc' }]);
    assert.equal(connection.op.type, 'connection.set');
  });

  test('switching a connection off is a removal, listed after everything else', () => {
    const p = plan(
      spokeConfig({
        connection: { authScheme: 'TOKEN', token: { $secret: 'T' }, enabled: false },
        assignments: { users: [{ login: 'a@x.com' }] },
      }),
      state(
        liveSpoke('emea', {
          app: LIVE_APP,
          connection: { authScheme: 'TOKEN', status: 'ENABLED', fingerprint: 'c' },
          appUserSchema: SCHEMA,
          users: { 'a@x.com': { id: 'u1', login: 'a@x.com', status: 'ACTIVE' } },
        }),
      ),
    );
    const list = changes(p);
    assert.equal(list.at(-1)!.op.type, 'connection.deactivate');
    assert.equal(list[0]!.op.type, 'assignment.user.assign');
  });

  test('an op that leaves an ENABLED connection off says it disables it; apply guards on that, not on before/after', () => {
    const off = (connection: Record<string, unknown>) =>
      at(
        plan(
          spokeConfig({ connection: { ...connection, enabled: false } }),
          live({ authScheme: 'TOKEN', status: 'ENABLED', fingerprint: 'c' }),
        ),
        'spoke.emea.connection',
      ).op;
    assert.deepEqual(off({ authScheme: 'TOKEN', token: { $secret: 'T' } }), {
      type: 'connection.deactivate',
      appId: '0oa1',
      disables: true,
    });
    const set = off({ authScheme: 'OAUTH2', clientId: '0oa-svc', rotationMode: 'AUTO' });
    assert.equal(set.type === 'connection.set' && set.activate === false && set.disables, true);
    const stillOff = plan(
      spokeConfig({ connection: { authScheme: 'OAUTH2', clientId: '0oa-svc', rotationMode: 'AUTO', enabled: false } }),
      live({ authScheme: 'TOKEN', status: 'DISABLED', fingerprint: 'c' }),
    );
    assert.deepEqual(at(stillOff, 'spoke.emea.connection').op, {
      type: 'connection.set',
      appId: '0oa1',
      profile: { authScheme: 'OAUTH2', clientId: '0oa-svc', rotationMode: 'AUTO' },
      activate: false,
      disables: false,
    });
  });

  test('a scheme change sets the new scheme', () => {
    const p = plan(
      spokeConfig({ connection: { authScheme: 'OAUTH2', clientId: '0oa-svc', rotationMode: 'MANUAL' } }),
      live({ authScheme: 'TOKEN', status: 'ENABLED', fingerprint: 'c' }),
    );
    const connection = at(p, 'spoke.emea.connection');
    assert.equal(connection.action, 'update');
    assert.deepEqual(connection.op, {
      type: 'connection.set',
      appId: '0oa1',
      profile: { authScheme: 'OAUTH2', clientId: '0oa-svc', rotationMode: 'MANUAL' },
      activate: true,
      disables: false,
    });
    assert.deepEqual(connection.before, { authScheme: 'TOKEN', clientId: null, rotationMode: null });
  });
});

describe('createPlan: the app', () => {
  test('an INACTIVE app with another base URL gets an update and an activation at separate addresses', () => {
    const p = plan(spokeConfig(), state(liveSpoke('emea', { app: { ...LIVE_APP, status: 'INACTIVE', baseUrl: 'https://old.okta.com' } })));
    assert.deepEqual(
      changes(p).map((c) => [addressOf(c), c.op.type]),
      [
        ['spoke.emea.app', 'app.update'],
        ['spoke.emea.app.status', 'app.activate'],
      ],
    );
    assert.equal(at(p, 'spoke.emea.app').liveFingerprint, 'fp-app');
  });

  test('a trailing slash on the live base URL is not a difference', () => {
    const p = plan(spokeConfig(), state(liveSpoke('emea', { app: { ...LIVE_APP, baseUrl: `${HUB}/` } })));
    assert.equal(changes(p).length, 0);
    assert.equal(p.empty, true);
  });

  test("the Hub's -admin (Admin Console) domain as base URL is the same Hub, as real apps carry it (recorded)", () => {
    const p = plan(spokeConfig(), state(liveSpoke('emea', { app: { ...LIVE_APP, baseUrl: 'https://ACME-admin.okta.com' } })));
    assert.equal(p.empty, true, JSON.stringify(changes(p)));
    const other = plan(spokeConfig(), state(liveSpoke('emea', { app: { ...LIVE_APP, baseUrl: 'https://acmecorp-admin.okta.com' } })));
    assert.deepEqual(at(other, 'spoke.emea.app').op, { type: 'app.update', appId: '0oa1', label: 'Acme Hub', baseUrl: HUB });
  });

  test('signOnMode is unmanaged unless the file sets it (real Org2Org apps use OPENID_CONNECT too); the update op carries only what changes', () => {
    const oidc = { ...LIVE_APP, signOnMode: 'OPENID_CONNECT' };
    assert.equal(plan(spokeConfig(), state(liveSpoke('emea', { app: oidc }))).empty, true);
    const set = plan(spokeConfig({ app: { label: 'Acme Hub', signOnMode: 'SAML_2_0' } }), state(liveSpoke('emea', { app: oidc })));
    assert.deepEqual(at(set, 'spoke.emea.app').op, { type: 'app.update', appId: '0oa1', label: 'Acme Hub', signOnMode: 'SAML_2_0' });
  });
});

describe('createPlan: user assignments', () => {
  const base = liveSpoke('emea', {
    app: LIVE_APP,
    appUserSchema: SCHEMA,
    users: { 'a@x.com': { id: 'u-a', login: 'a@x.com', status: 'ACTIVE' }, 'b@x.com': { id: 'u-b', login: 'b@x.com', status: 'ACTIVE' } },
    appUsers: [
      liveAppUser('a@x.com', {
        userId: 'u-a',
        securityQuestion: 'Q1',
        profile: { initialStatus: 'active_without_pass', securityQuestion: 'Q1', costCenter: 'X' },
      }),
      liveAppUser('b@x.com', { userId: 'u-b' }),
      liveAppUser('g@x.com', { userId: 'u-g', scope: 'GROUP' }),
      liveAppUser('old@x.com', { userId: 'u-old' }),
    ],
  });

  test('the answer is never diffed: a matching user with an answer is a noop', () => {
    const p = plan(
      spokeConfig({ assignments: { users: [{ login: 'a@x.com', securityQuestion: 'Q1', securityAnswer: { $secret: 'A' } }] } }),
      state(base),
    );
    assert.equal(changes(p).length, 0);
    assert.equal(p.summary.noop, 2); // app + user
  });

  test('a changed question sends the answer again; other updates do not', () => {
    const p = plan(
      spokeConfig({
        assignments: {
          users: [
            { login: 'a@x.com', securityQuestion: 'Q2', securityAnswer: { $secret: 'A' } },
            { login: 'b@x.com', initialStatus: 'active_with_pass', securityQuestion: undefined },
          ],
        },
      }),
      state(base),
    );
    const a = at(p, 'spoke.emea.assignment.user["a@x.com"]');
    assert.deepEqual(a.op, {
      type: 'assignment.user.update',
      appId: '0oa1',
      userId: 'u-a',
      login: 'a@x.com',
      profile: { initialStatus: 'active_without_pass', securityQuestion: 'Q2', securityAnswer: { $env: 'A' } },
    });
    assert.deepEqual(
      a.attributes.map((x) => x.name),
      ['securityQuestion', 'securityAnswer'],
    );
    const b = at(p, 'spoke.emea.assignment.user["b@x.com"]');
    assert.deepEqual(b.attributes, [{ name: 'initialStatus', before: 'active_without_pass', after: 'active_with_pass' }]);
    assert.deepEqual(b.before, { initialStatus: 'active_without_pass' });
  });

  test('profile attributes are compared one by one', () => {
    const p = plan(
      spokeConfig({ assignments: { users: [{ login: 'a@x.com', securityQuestion: 'Q1', profile: { costCenter: 'Y' } }] } }),
      state(base),
    );
    assert.deepEqual(at(p, 'spoke.emea.assignment.user["a@x.com"]').attributes, [{ name: 'costCenter', before: 'X', after: 'Y' }]);
  });

  test('authoritative removes unlisted direct assignments, never group-scoped ones', () => {
    const p = plan(
      spokeConfig({ assignments: { mode: 'authoritative', users: [{ login: 'a@x.com', securityQuestion: 'Q1' }] } }),
      state(base),
    );
    const removed = changes(p).filter((c) => c.action === 'delete');
    assert.deepEqual(
      removed.map((c) => addressOf(c)),
      ['spoke.emea.assignment.user["b@x.com"]', 'spoke.emea.assignment.user["old@x.com"]'],
    );
    assert.deepEqual(removed[1]!.op, { type: 'assignment.user.unassign', appId: '0oa1', userId: 'u-old', login: 'old@x.com' });
    assert.equal(removed[1]!.liveFingerprint, 'fp-old@x.com');
  });

  test('additive leaves unlisted users; observe reports them', () => {
    const additive = plan(spokeConfig({ assignments: { users: [] } }), state(base));
    assert.equal(changes(additive).length, 0);
    assert.equal(additive.summary.warnings, 0);
    const observe = plan(spokeConfig({ assignments: { mode: 'observe', users: [] } }), state(base));
    assert.equal(changes(observe).length, 0);
    assert.match(
      observe.spokes[0]!.diagnostics[0]!.message,
      /^3 users are assigned directly but not listed .*a@x\.com, b@x\.com, old@x\.com$/,
    );
  });

  test('a login missing from the Spoke directory is an error at its config position, with no change', () => {
    const p = plan(spokeConfig({ assignments: { users: [{ login: 'nobody@x.com' }] } }), state(base));
    assert.equal(changes(p).length, 0);
    assert.equal(p.errored, true);
    assert.deepEqual(p.spokes[0]!.diagnostics[0], {
      severity: 'error',
      spoke: 'emea',
      address: 'spoke.emea.assignment.user["nobody@x.com"]',
      message:
        'nobody@x.com: no such user in the emea Spoke org; create the user there, remove it from assignments.users, or set assignments.missingUsers: skip',
      file: 'org2org.config.yaml',
      line: 100,
      col: 11,
    });
  });

  test('a login listed twice (in any case) is an error', () => {
    const p = plan(
      spokeConfig({
        assignments: {
          users: [
            { login: 'a@x.com', securityQuestion: 'Q1' },
            { login: 'A@X.com', securityQuestion: 'Q1' },
          ],
        },
      }),
      state(base),
    );
    assert.equal(p.errored, true);
    assert.deepEqual(
      p.spokes[0]!.diagnostics.map((d) => [d.line, d.message]),
      [[101, 'a@x.com is listed twice in assignments.users; keep one entry']],
    );
  });

  test('a group-scoped user listed in the file is assigned directly', () => {
    const live = state({ ...base, users: { ...base.users, 'g@x.com': { id: 'u-g', login: 'g@x.com', status: 'ACTIVE' } } });
    const g = at(plan(spokeConfig({ assignments: { users: [{ login: 'g@x.com' }] } }), live), 'spoke.emea.assignment.user["g@x.com"]');
    assert.equal(g.action, 'update');
    assert.equal(g.op.type, 'assignment.user.assign');
    assert.deepEqual(g.attributes[0], { name: 'scope', before: 'GROUP', after: 'USER' });
  });

  test('attribute names: the config wins over the schema; neither is an error', () => {
    // As the reader leaves it: the value of the configured attribute moved to `initialStatus`.
    const renamedLive = {
      ...base,
      appUsers: [
        liveAppUser('b@x.com', { userId: 'u-b', initialStatus: 'pending_with_pass', profile: { initialStatus: 'active_without_pass' } }),
      ],
    };
    const renamed = plan(
      spokeConfig({ assignments: { attributeNames: { initialStatus: 'o2oStatus' }, users: [{ login: 'b@x.com' }] } }),
      state(renamedLive),
    );
    const b = at(renamed, 'spoke.emea.assignment.user["b@x.com"]');
    assert.deepEqual(b.attributes, [{ name: 'o2oStatus', before: 'pending_with_pass', after: 'active_without_pass' }]);
    assert.deepEqual((b.op as { profile: unknown }).profile, { o2oStatus: 'active_without_pass' });
    const same = plan(
      spokeConfig({
        assignments: { attributeNames: { initialStatus: 'o2oStatus' }, users: [{ login: 'b@x.com', initialStatus: 'pending_with_pass' }] },
      }),
      state(renamedLive),
    );
    assert.equal(changes(same).length, 0);

    const noSchemaName = plan(
      spokeConfig({ assignments: { users: [{ login: 'b@x.com', securityQuestion: 'Q' }] } }),
      state({ ...base, appUserSchema: { ...SCHEMA, securityQuestion: undefined } }),
    );
    assert.equal(noSchemaName.errored, true);
    assert.match(
      noSchemaName.spokes[0]!.diagnostics[0]!.message,
      /no securityQuestion attribute: set assignments\.attributeNames\.securityQuestion/,
    );
  });

  test("syncState ERROR is a warning with Okta's message; listed users missing from the Hub are counted", () => {
    const live = state(
      {
        ...base,
        appUsers: [
          liveAppUser('a@x.com', { userId: 'u-a', syncState: 'ERROR', errorSummary: 'E0000011 Invalid token' }),
          liveAppUser('b@x.com', { userId: 'u-b' }),
        ],
      },
      { hub: { users: { 'a@x.com': { id: 'h', login: 'a@x.com', status: 'ACTIVE' } }, groups: {} } },
    );
    const p = plan(spokeConfig({ assignments: { users: [{ login: 'a@x.com' }, { login: 'b@x.com' }] } }), live);
    const messages = p.spokes[0]!.diagnostics.map((d) => d.message);
    assert.ok(messages.includes('a@x.com: provisioning to the Hub failed: E0000011 Invalid token'), messages.join('\n'));
    assert.ok(messages.includes('1 assigned user is not in the Hub: b@x.com'), messages.join('\n'));
  });
});

describe('createPlan: group assignments and push mappings', () => {
  const base = liveSpoke('emea', {
    app: LIVE_APP,
    groups: {
      Sales: { id: 'g-sales', name: 'Sales', memberLoginKeys: ['a@x.com', 'z@x.com'] },
      Eng: { id: 'g-eng', name: 'Eng' },
    },
    appUsers: [liveAppUser('a@x.com')],
    appGroups: [
      { groupId: 'g-sales', name: 'Sales', priority: 0, profile: { role: 'r' }, fingerprint: 'fg-sales' },
      { groupId: 'g-old', name: 'Old', profile: {}, fingerprint: 'fg-old' },
    ],
    pushMappings: [
      {
        id: 'm-sales',
        sourceGroupId: 'g-sales',
        sourceGroupName: 'Sales',
        targetGroupName: 'Sales',
        status: 'ACTIVE',
        fingerprint: 'fm-sales',
      },
      { id: 'm-old', sourceGroupId: 'g-old', sourceGroupName: 'Old', status: 'ACTIVE', fingerprint: 'fm-old' },
      { id: 'm-gone', sourceGroupId: 'g-gone', status: 'INACTIVE', fingerprint: 'fm-gone' },
    ],
  });

  test("group priority differs → update through the same PUT, which apply lays over the live profile (the plan holds only the file's keys)", () => {
    const p = plan(spokeConfig({ assignments: { groups: [{ name: 'Sales', priority: 2 }] } }), state(base));
    const sales = at(p, 'spoke.emea.assignment.group["Sales"]');
    assert.deepEqual(sales.op, {
      type: 'assignment.group.assign',
      appId: '0oa1',
      groupId: 'g-sales',
      priority: 2,
      profile: {},
      mergeLive: true,
    });
  });

  test('remove: true with onRemove: deleteTarget: the Hub group is deleted unless it predates the mapping (Okta linked it); without the Hub, a warning', () => {
    const config = spokeConfig({ pushGroups: { groups: [{ name: 'Old', remove: true, onRemove: 'deleteTarget' }] } });
    const mappings = base.pushMappings.map((m) => (m.id === 'm-old' ? { ...m, created: '2026-02-01T10:00:00.000Z' } : m));
    const withHub = (created: string): LiveState =>
      state(
        { ...base, pushMappings: mappings },
        { hub: { users: {}, groups: { Old: { id: 'h-old', name: 'Old', created, memberLoginKeys: ['a@x.com', 'b@x.com'] } } } },
      );

    const made = plan(config, withHub('2026-02-01T10:00:01.000Z'));
    assert.equal(made.errored, false, JSON.stringify(made.spokes[0]!.diagnostics));
    const removal = at(made, 'spoke.emea.pushMapping["Old"]');
    assert.equal(removal.action, 'delete');
    assert.deepEqual(removal.hubEffects, ['deletes the Hub group "Old" and its memberships (2 members lose it)']);
    assert.equal(removal.op.type === 'pushMapping.delete' && removal.op.deleteTargetGroup, true);

    const linked = plan(config, withHub('2026-01-01T00:00:00.000Z'));
    assert.equal(linked.errored, true);
    assert.match(
      linked.spokes[0]!.diagnostics[0]!.message,
      /^Old: the Hub group "Old" existed before this push mapping .*Okta linked to it, and org2org won't delete a Hub group the push didn't create — use onRemove: keepTarget$/,
    );

    const unread = plan(config, state({ ...base, pushMappings: mappings }));
    assert.equal(unread.errored, false);
    assert.match(unread.spokes[0]!.diagnostics[0]!.message, /^Old: onRemove: deleteTarget, but the Hub is not read/);
    assert.deepEqual(at(unread, 'spoke.emea.pushMapping["Old"]').hubEffects, ['deletes the Hub group "Old" and its memberships']);

    // A mapping whose source group was deleted in the Spoke is found by its Hub group.
    const orphan = plan(
      spokeConfig({ pushGroups: { groups: [{ name: 'Gone Team', targetName: 'Gone', remove: true }] } }),
      state({
        ...base,
        pushMappings: [
          ...base.pushMappings,
          { id: 'm-orphan', sourceGroupId: 'g-deleted', targetGroupName: 'Gone', status: 'INACTIVE', fingerprint: 'fm-orphan' },
        ],
      }),
    );
    const orphanRemoval = at(orphan, 'spoke.emea.pushMapping["Gone Team"]');
    assert.equal(orphanRemoval.op.type === 'pushMapping.delete' && orphanRemoval.op.mappingId, 'm-orphan');

    // Once it is gone, the entry plans nothing.
    const done = plan(config, state({ ...base, pushMappings: base.pushMappings.filter((m) => m.id !== 'm-old') }));
    assert.equal(changes(done).filter((c) => c.action !== 'noop').length, 0);
  });

  test('authoritative removals come after additions, push mappings first', () => {
    const p = plan(
      spokeConfig({
        assignments: { mode: 'authoritative', users: [{ login: 'a@x.com' }], groups: [{ name: 'Sales', priority: 0 }, { name: 'Eng' }] },
        pushGroups: { mode: 'authoritative', groups: [{ name: 'Sales' }, { name: 'Eng', status: 'INACTIVE' }] },
      }),
      state(base),
    );
    assert.deepEqual(
      changes(p).map((c) => `${c.action} ${addressOf(c)}`),
      [
        'create spoke.emea.assignment.group["Eng"]',
        'create spoke.emea.pushMapping["Eng"]',
        'delete spoke.emea.pushMapping["Old"]',
        'delete spoke.emea.pushMapping["m-gone"]',
        'delete spoke.emea.assignment.group["Old"]',
      ],
    );
    const old = at(p, 'spoke.emea.pushMapping["Old"]');
    assert.deepEqual(old.op, {
      type: 'pushMapping.delete',
      appId: '0oa1',
      mappingId: 'm-old',
      sourceGroupId: 'g-old',
      deleteTargetGroup: false,
      currentStatus: 'ACTIVE',
    });
    assert.equal(old.writes, 2); // deactivate, then delete
    assert.equal(at(p, 'spoke.emea.pushMapping["m-gone"]').writes, 1);
    assert.equal(p.summary.apiWrites, 6);
  });

  test('push status differs → an update whose op carries the mapping identity for apply --wait', () => {
    const p = plan(spokeConfig({ pushGroups: { groups: [{ name: 'Sales', status: 'INACTIVE' }] } }), state(base));
    const sales = at(p, 'spoke.emea.pushMapping["Sales"]');
    assert.deepEqual(sales.op, {
      type: 'pushMapping.update',
      appId: '0oa1',
      mappingId: 'm-sales',
      sourceGroupId: 'g-sales',
      targetGroupName: 'Sales',
      status: 'INACTIVE',
    });
    assert.deepEqual(sales.before, { sourceGroupId: 'g-sales', targetName: 'Sales', status: 'ACTIVE' });
  });

  test('members of a pushed group that are not assigned are counted in a warning', () => {
    const p = plan(spokeConfig({ pushGroups: { groups: [{ name: 'Sales' }] } }), state(base));
    // Sales is also assigned to the app (live), which is Okta's pitfall of its own: said second.
    assert.deepEqual(
      p.spokes[0]!.diagnostics.map((d) => d.message.replace(/ is both assigned to the app and pushed: .*/, ' is both assigned and pushed')),
      [
        'Sales: 1 member is not assigned to the app, so won\'t appear in the Hub group "Sales": z@x.com',
        'Sales is both assigned and pushed',
      ],
    );
  });

  test('a pushed name that exists in the Hub without link: true is a warning; a link without a Hub group too', () => {
    const live = state(base, { hub: { users: {}, groups: { Eng: { id: 'h-eng', name: 'Eng' } } } });
    const p = plan(spokeConfig({ pushGroups: { groups: [{ name: 'Eng' }] } }), live);
    assert.match(p.spokes[0]!.diagnostics[0]!.message, /^Eng: a group named "Eng" already exists in the Hub/);
    assert.deepEqual(at(p, 'spoke.emea.pushMapping["Eng"]').op, {
      type: 'pushMapping.create',
      appId: '0oa1',
      sourceGroupId: 'g-eng',
      targetGroupName: 'Eng',
      status: 'ACTIVE',
    });
    const linked = plan(spokeConfig({ pushGroups: { groups: [{ name: 'Eng', targetName: 'Engineering', link: true }] } }), live);
    assert.match(linked.spokes[0]!.diagnostics[0]!.message, /link: true, but the Hub has no group named "Engineering"/);
    assert.equal((at(linked, 'spoke.emea.pushMapping["Eng"]').op as { targetGroupName?: string }).targetGroupName, 'Engineering');
  });

  test('unknown groups are errors at their positions', () => {
    const p = plan(spokeConfig({ assignments: { groups: [{ name: 'Nope' }] }, pushGroups: { groups: [{ name: 'Nada' }] } }), state(base));
    assert.deepEqual(
      p.spokes[0]!.diagnostics.map((d) => [d.severity, d.line, d.message.split(':')[0]]),
      [
        ['error', 200, 'Nope'],
        ['error', 300, 'Nada'],
      ],
    );
  });
});

describe('createPlan: features, profile sourcing, observe, notes, fingerprints', () => {
  const features = {
    provisioningEnabled: true,
    profileSourcing: true,
    toApp: { createUsers: false, updateUserAttributes: false, deactivateUsers: false, syncPassword: false as const, fingerprint: 'ft' },
    toOkta: { import: { match: { exactMatchCriteria: 'EMAIL', autoConfirmNewUsers: false } }, fingerprint: 'fi' },
  };

  test('profile sourcing drift is a manual change with console steps and no writes', () => {
    const p = plan(
      spokeConfig({ provisioning: { toOkta: { profileSourcing: false } } }),
      state(liveSpoke('emea', { app: LIVE_APP, features })),
    );
    const manual = at(p, 'spoke.emea.profileSourcing');
    assert.equal(manual.action, 'manual');
    assert.equal(manual.writes, 0);
    assert.equal(manual.op.type, 'none');
    assert.ok(manual.instructions!.some((s) => s.includes('Provisioning → To Okta')));
    assert.equal(p.summary.manual, 1);
    assert.equal(p.empty, false);
  });

  test('import settings: only the given fields are compared and sent', () => {
    const config = spokeConfig({
      provisioning: { toOkta: { import: { match: { exactMatchCriteria: 'EMAIL', autoConfirmNewUsers: true } } } },
    });
    const p = plan(config, state(liveSpoke('emea', { app: LIVE_APP, features })));
    const toOkta = at(p, 'spoke.emea.features.toOkta');
    assert.deepEqual(toOkta.op, {
      type: 'features.toOkta',
      appId: '0oa1',
      capabilities: { importRules: { userCreateAndMatch: { exactMatchCriteria: 'EMAIL', autoConfirmNewUsers: true } } },
    });
    const same = plan(
      spokeConfig({ provisioning: { toOkta: { import: { match: { exactMatchCriteria: 'EMAIL' } } } } }),
      state(liveSpoke('emea', { app: LIVE_APP, features })),
    );
    assert.equal(changes(same).length, 0);
  });

  test('import settings: a nested field the config leaves out is not a difference', () => {
    const live = {
      ...features,
      toOkta: { import: { schedule: { status: 'ENABLED', fullImport: { expression: '0 2 * * *', timezone: 'UTC' } } }, fingerprint: 'fi' },
    };
    const config = (expression: string) =>
      spokeConfig({ provisioning: { toOkta: { import: { schedule: { status: 'ENABLED', fullImport: { expression } } } } } });
    assert.equal(changes(plan(config('0 2 * * *'), state(liveSpoke('emea', { app: LIVE_APP, features: live })))).length, 0);
    const drift = at(plan(config('0 3 * * *'), state(liveSpoke('emea', { app: LIVE_APP, features: live }))), 'spoke.emea.features.toOkta');
    assert.deepEqual(drift.attributes, [
      {
        name: 'schedule',
        before: { status: 'ENABLED', fullImport: { expression: '0 2 * * *', timezone: 'UTC' } },
        after: { status: 'ENABLED', fullImport: { expression: '0 3 * * *', timezone: 'UTC' } },
      },
    ]);
  });

  test('an observe spoke lists no change: differences are warnings', () => {
    const p = plan(
      {
        hub: { url: HUB },
        spokes: [
          {
            name: 'emea',
            mode: 'observe',
            provisioning: { toApp: { createUsers: true, updateUserAttributes: false, deactivateUsers: false, syncPassword: false } },
          },
        ],
      },
      state(liveSpoke('emea', { app: LIVE_APP, features })),
    );
    assert.equal(changes(p).length, 0);
    assert.equal(p.empty, true);
    assert.deepEqual(
      p.spokes[0]!.diagnostics.map((d) => d.message),
      ['observe: would update spoke.emea.features.toApp (createUsers: false → true)'],
    );
  });

  test('an observed list is reported, not planned, while the rest of the spoke is', () => {
    const p = plan(
      spokeConfig({
        provisioning: { toApp: { createUsers: true, updateUserAttributes: false, deactivateUsers: false, syncPassword: false } },
        pushGroups: { mode: 'observe', groups: [{ name: 'G' }] },
      }),
      state(liveSpoke('emea', { app: LIVE_APP, features, groups: { G: { id: 'g', name: 'G' } } })),
    );
    assert.deepEqual(
      changes(p).map((c) => addressOf(c)),
      ['spoke.emea.features.toApp'],
    );
    assert.deepEqual(
      p.spokes[0]!.diagnostics.map((d) => d.message),
      ['observe: would create spoke.emea.pushMapping["G"] (targetName: (none) → G, link: (none) → false, status: (none) → ACTIVE)'],
    );
  });

  test('live notes are carried over, to their spoke or to the plan', () => {
    const p = plan(
      spokeConfig(),
      state(liveSpoke('emea', { app: LIVE_APP }), {
        readProblems: [
          { spoke: 'emea', severity: 'warning', message: 'token untestable' },
          { severity: 'error', message: 'Hub unreadable' },
        ],
      }),
    );
    assert.deepEqual(p.spokes[0]!.diagnostics, [{ severity: 'warning', spoke: 'emea', message: 'token untestable' }]);
    assert.deepEqual(p.diagnostics, [{ severity: 'error', message: 'Hub unreadable' }]);
    assert.equal(p.errored, true);
    assert.deepEqual([p.summary.errors, p.summary.warnings], [1, 1]);
  });

  test('fingerprints cover every live object, and a fresh read of the same state is not stale', () => {
    const live = state(
      liveSpoke('emea', {
        app: LIVE_APP,
        connection: { authScheme: 'TOKEN', status: 'ENABLED', fingerprint: 'fc' },
        features,
        appUsers: [liveAppUser('A@x.com')],
        appGroups: [{ groupId: 'g', name: 'G', profile: {}, fingerprint: 'fg' }],
        pushMappings: [{ id: 'm', sourceGroupId: 'g', sourceGroupName: 'G', status: 'ACTIVE', fingerprint: 'fm' }],
      }),
    );
    const desired = desiredFromJson(spokeConfig());
    const plain = createPlan(desired, live, OPTIONS);
    const p = toPlanFile(plain, live);
    assert.deepEqual(p.fingerprints, {
      'spoke.emea.app': 'fp-app',
      'spoke.emea.connection': 'fc',
      'spoke.emea.features.toApp': 'ft',
      'spoke.emea.features.toOkta': 'fi',
      'spoke.emea.assignment.user["a@x.com"]': 'fp-A@x.com',
      'spoke.emea.assignment.group["G"]': 'fg',
      'spoke.emea.pushMapping["G"]': 'fm',
    });
    assert.deepEqual(checkStale(p, desired, live), []);
    // Plain data: what JSON.stringify writes is the plan; the fingerprints are added only by toPlanFile.
    assert.equal('fingerprints' in plain, false);
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
    assert.deepEqual(JSON.parse(JSON.stringify(plain)), plain);
    assert.deepEqual({ ...plain, fingerprints: p.fingerprints }, p);
    const every = Object.entries(p.fingerprints).map(([address]) => formatAddress(parseAddress(address)!));
    assert.deepEqual(every, Object.keys(p.fingerprints), 'each address is one formatAddress makes, in the order of the live objects');
    const changed = structuredClone(live);
    changed.spokes.emea!.appGroups[0]!.fingerprint = 'fg2';
    assert.deepEqual(checkStale(p, desired, changed), ['spoke.emea.assignment.group["G"] changed since the plan']);
  });

  test('the apps limit seen while reading sets the time estimate; spokes run in parallel', () => {
    const config = { hub: { url: HUB }, spokes: [{ name: 'a' }, { name: 'b' }] };
    const live: LiveState = {
      spokes: {
        a: liveSpoke('a', { rateLimits: [{ bucket: 'apps', limit: 20, remaining: 1, reset: 0 }] }),
        b: liveSpoke('b', { rateLimits: [{ bucket: 'apps', limit: 600, remaining: 1, reset: 0 }] }),
      },
      readProblems: [],
    };
    const p = createPlan(desiredFromJson(config), live, { ...OPTIONS, maxApiCapacity: 0.25 });
    // each spoke: 1 write (app create); a: 20 × 0.25 = 5/min → 12 s; b: 150/min → 1 s
    assert.equal(p.summary.apiWrites, 2);
    assert.equal(p.summary.minSeconds, 12);
  });

  test('pure: the same inputs give the same plan, and the inputs are not modified', () => {
    const { desired, live } = largeCase(1000);
    const before = JSON.stringify(live);
    assert.deepEqual(createPlan(desired, live, OPTIONS), createPlan(desired, live, OPTIONS));
    assert.equal(JSON.stringify(live), before);
  });
});

test('createPlan on 100,000 assignments (time printed, not asserted)', () => {
  const { desired, live } = largeCase(100_000);
  const start = performance.now();
  const cpu = process.cpuUsage();
  const p = createPlan(desired, live, OPTIONS);
  const ms = performance.now() - start;
  // A plan only printed never builds the 100,001 fingerprint entries: no getter, no field.
  assert.ok(Object.values(Object.getOwnPropertyDescriptors(p)).every((d) => 'value' in d));
  assert.equal('fingerprints' in p, false);
  const cpuMs = process.cpuUsage(cpu).user / 1000;
  // CPU time too: on a busy CI runner wall time mostly measures the neighbours.
  console.log(`# createPlan: 100,000 assignments + 10,000 unlisted in ${ms.toFixed(0)} ms (${cpuMs.toFixed(0)} ms CPU)`);
  assert.deepEqual([p.summary.add, p.summary.change, p.summary.remove], [10_000, 10_000, 10_000]);
  assert.equal(p.summary.noop, 80_001);
  assert.equal(Object.keys(toPlanFile(p, live).fingerprints).length, 100_001);
});

describe('createPlan: changes with no effect in Okta', () => {
  const users = [
    { login: 'old@x.com', initialStatus: 'active_with_pass' },
    { login: 'new@x.com', initialStatus: 'active_with_pass' },
  ];
  const live = state(
    liveSpoke('emea', {
      app: LIVE_APP,
      appUserSchema: SCHEMA,
      appUsers: [
        liveAppUser('old@x.com', { userId: 'u-old', externalId: '00uhub-old' }),
        liveAppUser('new@x.com', { userId: 'u-new', status: 'STAGED', syncState: 'PENDING' }),
      ],
    }),
  );
  const p = plan(spokeConfig({ assignments: { users } }), live);

  test('initialStatus of a provisioned user is not planned (Okta reads it only to create the Hub user): a noop, said in one note', () => {
    assert.equal(
      p.spokes[0]!.changes.some((c) => addressOf(c).includes('old@x.com')),
      false,
    );
    assert.equal(p.summary.apiWrites, 1);
    assert.deepEqual(p.spokes[0]!.notes, [
      '1 provisioned user differs only in initialStatus (old@x.com): Okta uses initialStatus only when it creates the Hub user, so nothing is written for them; new assignments get it.',
    ]);
  });

  test('initialStatus of a user not yet provisioned still counts: it decides the Hub user about to be created', () => {
    assert.deepEqual(at(p, 'spoke.emea.assignment.user["new@x.com"]').attributes, [
      { name: 'initialStatus', before: 'active_without_pass', after: 'active_with_pass' },
    ]);
  });
});

describe('createPlan: users missing from the Spoke', () => {
  const live = state(
    liveSpoke('emea', {
      app: LIVE_APP,
      appUserSchema: SCHEMA,
      users: { 'here@x.com': { id: 'u-here', login: 'here@x.com', status: 'ACTIVE' } },
    }),
  );
  const users = [{ login: 'here@x.com' }, { login: 'gone1@x.com' }, { login: 'gone2@x.com' }];

  test('are errors by default, each naming the way out', () => {
    const p = plan(spokeConfig({ assignments: { users } }), live);
    assert.equal(p.errored, true);
    assert.equal(p.summary.errors, 2);
    assert.match(p.spokes[0]!.diagnostics[0]!.message, /gone1@x\.com: no such user .* or set assignments\.missingUsers: skip/);
  });

  test('with missingUsers: skip, one warning names them and the others are planned', () => {
    const p = plan(spokeConfig({ assignments: { missingUsers: 'skip', users } }), live);
    assert.equal(p.errored, false);
    assert.deepEqual(
      p.spokes[0]!.diagnostics.map((d) => [d.severity, d.message]),
      [
        [
          'warning',
          '2 listed users are not in the emea Spoke org and are skipped (assignments.missingUsers: skip): gone1@x.com, gone2@x.com',
        ],
      ],
    );
    assert.deepEqual(
      changes(p).map((c) => addressOf(c)),
      ['spoke.emea.assignment.user["here@x.com"]'],
    );
  });
});
