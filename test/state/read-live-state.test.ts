import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, buildSeed, type SimSeed } from '../../src/sim/index.js';
import { readLiveState } from '../../src/state/read-live-state.js';
import { canonicalJson, fingerprintOf, withFingerprint } from '../../src/state/fingerprint.js';
import type { ReadEvent } from '../../src/state/types.js';
import { Secret } from '../../src/credentials.js';
import { clientFor } from '../apply/sim-client.js';
import { desiredSpoke, desiredState } from '../builders/desired.js';

test('reads the example seed: app, connection, features, schema, assignments, push targets, Hub', async () => {
  const sim = await startSim('examples/sim/seed.yaml');
  try {
    const emea = desiredSpoke('emea', sim.orgs.emea!.url, {
      users: ['alice@acme.com', 'Bob@acme.com', 'chloe@acme.com', 'nobody@acme.com'],
      groups: ['EMEA Sales'],
      push: ['EMEA Sales', 'Engineering', { name: 'Legacy Ops', targetName: 'Ops', link: true }, 'No Such Group'],
    });
    const apac = desiredSpoke('apac', sim.orgs.apac!.url, { users: ['kenji@acme.com'], push: ['APAC Support'] });
    const desired = desiredState(sim.orgs.hub!.url, [emea, apac]);
    const events: ReadEvent[] = [];
    const live = await readLiveState(
      desired,
      {
        hub: clientFor('hub', sim.orgs.hub!.url, sim.env.OKTA_HUB_READ_TOKEN!),
        spokes: {
          emea: clientFor('emea', sim.orgs.emea!.url, sim.env.OKTA_EMEA_TOKEN!),
          apac: clientFor('apac', sim.orgs.apac!.url, sim.env.OKTA_APAC_TOKEN!),
        },
      },
      { onEvent: (e) => events.push(e) },
    );

    const e = live.spokes.emea!;
    assert.equal(e.app?.label, 'Acme Hub');
    assert.equal(e.app?.baseUrl, sim.orgs.hub!.url);
    assert.deepEqual({ authScheme: e.connection?.authScheme, status: e.connection?.status }, { authScheme: 'TOKEN', status: 'ENABLED' });
    assert.equal(e.features?.provisioningEnabled, true);
    assert.deepEqual(
      { ...e.features?.toApp, fingerprint: undefined },
      { createUsers: true, updateUserAttributes: true, deactivateUsers: false, syncPassword: false, fingerprint: undefined },
    );
    assert.equal(e.features?.profileSourcing, false);
    assert.deepEqual(
      { i: e.appUserSchema?.initialStatus, q: e.appUserSchema?.securityQuestion, a: e.appUserSchema?.securityAnswer },
      { i: 'initialStatus', q: 'securityQuestion', a: 'securityAnswer' },
    );
    assert.equal(e.appUsers.length, 1);
    assert.equal(e.appUsers[0]!.loginKey, 'bob@acme.com');
    assert.equal(e.appUsers[0]!.initialStatus, 'active_with_pass');
    assert.equal('initialStatus' in e.appUsers[0]!.profile, false, 'named attributes are lifted out of profile');
    assert.deepEqual(Object.keys(e.users), ['alice@acme.com', 'bob@acme.com', 'chloe@acme.com'], 'unknown logins are absent');
    assert.deepEqual(Object.keys(e.groups), ['EMEA Sales', 'Engineering', 'Legacy Ops']);
    assert.deepEqual(e.groups['EMEA Sales']!.memberLoginKeys, ['alice@acme.com', 'eva@acme.com']);
    assert.equal(e.groups['EMEA Sales']!.memberLoginKeys !== undefined && e.groups.Engineering!.memberLoginKeys !== undefined, true);

    const a = live.spokes.apac!;
    assert.equal(a.app, null);
    assert.deepEqual(Object.keys(a.users), ['kenji@acme.com']);
    assert.deepEqual(a.groups['APAC Support']?.memberLoginKeys, ['kenji@acme.com', 'mei@acme.com']);

    assert.ok(live.hub);
    assert.deepEqual(Object.keys(live.hub.groups).sort(), ['Ops']);
    assert.deepEqual(live.hub.groups.Ops!.memberLoginKeys, ['omar@acme.com']);
    assert.ok(events.some((ev) => ev.type === 'read-done' && ev.org === 'emea' && ev.collection === 'app users' && ev.count === 1));
    assert.ok(events.some((ev) => ev.type === 'read-done' && ev.org === 'hub'));

    // Same world read again: same fingerprints; a change behind the API changes only that object's.
    const again = await readLiveState(desired, { spokes: { emea: clientFor('emea', sim.orgs.emea!.url, sim.env.OKTA_EMEA_TOKEN!) } });
    assert.equal(again.spokes.emea!.appUsers[0]!.fingerprint, e.appUsers[0]!.fingerprint);
    assert.equal(again.spokes.emea!.app!.fingerprint, e.app!.fingerprint);
    assert.equal(again.hub, undefined, 'no Hub client, no Hub state');
  } finally {
    await sim.close();
  }
});

test('provisioning not enabled: features read as provisioningEnabled false, no push mappings', async () => {
  const seed: SimSeed = {
    orgs: {
      hub: { tokens: { T: { user: 'p@hub.example.com', roles: ['SUPER_ADMIN'] } } },
      s: {
        users: [{ login: 'x@s.example.com' }],
        tokens: { OKTA_S_TOKEN: { user: 'admin@s.example.com', roles: ['SUPER_ADMIN'] } },
        apps: [{ label: 'Acme Hub', hub: 'hub', users: [{ login: 'x@s.example.com' }] }],
      },
    },
  };
  const sim = await startSim(seed);
  try {
    const desired = desiredState(sim.orgs.hub!.url, [desiredSpoke('s', sim.orgs.s!.url, { users: ['x@s.example.com'] })]);
    const live = await readLiveState(desired, { spokes: { s: clientFor('s', sim.orgs.s!.url, sim.orgs.s!.tokens.OKTA_S_TOKEN!) } });
    const s = live.spokes.s!;
    assert.equal(s.features?.provisioningEnabled, false);
    assert.equal(s.features?.toApp, undefined);
    assert.deepEqual(s.pushMappings, []);
    assert.equal(s.appUsers.length, 1);
  } finally {
    await sim.close();
  }
});

test('5,000 assigned users, 300 app groups, 200 push mappings: app users in 10 calls, reads near the page minimum', async () => {
  const seed = buildSeed({ spokes: [{ name: 'big', users: 5200, assigned: 5000, groups: 300, membersPerGroup: 5, pushed: 200 }] });
  const app = seed.orgs.big!.apps![0]!;
  app.groups = seed.orgs.big!.groups!.map((g) => g.name);
  const sim = await startSim(seed, { timeScale: 600 });
  try {
    const users = seed.orgs.big!.users!.slice(0, 5100).map((u) => u.login); // 100 of them unassigned
    const groupNames = seed.orgs.big!.groups!.map((g) => g.name);
    const spoke = desiredSpoke('big', sim.orgs.big!.url, { users, groups: groupNames, push: groupNames.slice(0, 200) });
    sim.resetStats();
    const live = await readLiveState(desiredState(sim.orgs.hub!.url, [spoke]), {
      hub: clientFor('hub', sim.orgs.hub!.url, sim.env.OKTA_HUB_READ_TOKEN!),
      spokes: { big: clientFor('big', sim.orgs.big!.url, sim.env.OKTA_BIG_TOKEN!) },
    });
    // The Hub: the 5,000 assigned users are PROVISIONED + SYNCHRONIZED in the Spoke (confirmed
    // pushes), so only the 100 unassigned logins are searched: 2 searches of 50. 200 target
    // groups by name in 4; no member lists, since every mapping is ACTIVE and stays so (a push
    // that stays changes nothing in the Hub group).
    const hubStats = sim.stats('hub');
    assert.equal(hubStats.byRoute['GET /api/v1/users'], 2);
    assert.equal(hubStats.byRoute['GET /api/v1/groups'], 4);
    assert.equal(hubStats.byRoute['GET /api/v1/groups/{groupId}/users'] ?? 0, 0);
    assert.ok(Object.values(live.hub!.groups).every((g) => g.memberLoginKeys === undefined));
    assert.equal(Object.keys(live.hub!.users).length, 0, 'the 100 unassigned users are not in the Hub');
    assert.equal(
      live.spokes.big!.appUsers.filter((u) => u.externalId !== undefined).length,
      5000,
      'the 5,000 assigned users were pushed to the Hub',
    );
    assert.equal(Object.keys(live.hub!.groups).length, 200);
    assert.ok(live.spokes.big!.pushMappings.every((m) => m.targetGroupName === m.sourceGroupName));
    const stats = sim.stats('big');
    const big = live.spokes.big!;
    assert.equal(big.appUsers.length, 5000);
    assert.equal(big.appGroups.length, 300);
    assert.equal(big.pushMappings.length, 200);
    assert.equal(Object.keys(big.users).length, 5100);
    assert.ok(big.pushMappings.every((m) => m.sourceGroupName !== undefined));
    assert.equal(stats.byRoute['GET /api/v1/apps/{appId}/users'], 10);
    // Page minimum: apps 1, connection 1, features 1, schema 1, app users 10, app groups 2,
    // mappings 1, group members 200 (one pushed group each), group names ceil(300/50) = 6,
    // unassigned logins ceil(100/50) = 2.
    const minimum = 1 + 1 + 1 + 1 + 10 + 2 + 1 + 200 + 6 + 2;
    assert.ok(
      stats.total <= Math.ceil(1.1 * minimum) + 5,
      `total ${stats.total} calls (minimum ${minimum}): ${JSON.stringify(stats.byRoute)}`,
    );
    assert.equal(stats.status429, 0);
  } finally {
    await sim.close();
  }
});

test('fingerprintOf ignores key order and undefined members', () => {
  assert.equal(fingerprintOf({ a: 1, b: { c: [1, 2], d: undefined } }), fingerprintOf({ b: { c: [1, 2] }, a: 1 }));
  assert.notEqual(fingerprintOf({ a: 1 }), fingerprintOf({ a: 2 }));
  assert.match(fingerprintOf({}), /^[0-9a-f]{16}$/);
});

test('the canonical form and the fingerprints of saved plans stay what they were (sha256 of sorted-key JSON)', () => {
  assert.equal(
    canonicalJson({ b: { z: [1, { y: 'x', w: undefined }], a: null }, 'k"': 'v\n', a: true }),
    '{"a":true,"b":{"a":null,"z":[1,{"y":"x"}]},"k\\"":"v\\n"}',
  );
  assert.equal(fingerprintOf({ userId: '00u1', login: 'alice@acme.com', status: 'PROVISIONED', profile: {} }), 'ea3612818c56a6e1');
  const fingerprinted = withFingerprint({ b: 2, a: 1, fingerprint: 'stale' });
  assert.deepEqual(
    fingerprinted,
    { b: 2, a: 1, fingerprint: fingerprintOf({ a: 1, b: 2 }) },
    'the old fingerprint is not part of the new one',
  );
});

test('the provisioning token is tested against the Hub: a Super Administrator passes, others are plan errors', async () => {
  const sim = await startSim('examples/sim/seed.yaml');
  try {
    const hubUrl = sim.orgs.hub!.url;
    const spokeFor = (tokenVar: string): ReturnType<typeof desiredSpoke> => {
      const spoke = desiredSpoke('emea', sim.orgs.emea!.url);
      spoke.connection = { authScheme: 'TOKEN', token: new Secret(tokenVar, 'unused'), enabled: true };
      return spoke;
    };
    const notesWith = async (tokenVar: string, token: string): Promise<string[]> => {
      const live = await readLiveState(desiredState(hubUrl, [spokeFor(tokenVar)]), {
        spokes: { emea: clientFor('emea', sim.orgs.emea!.url, sim.env.OKTA_EMEA_TOKEN!) },
        provisioning: { emea: clientFor('emea provisioning token', hubUrl, token) },
      });
      return live.readProblems.map((n) => `${n.severity}: ${n.message}`);
    };
    assert.deepEqual(await notesWith('OKTA_HUB_PROVISIONING_TOKEN', sim.env.OKTA_HUB_PROVISIONING_TOKEN!), []);
    const readOnly = await notesWith('OKTA_HUB_READ_TOKEN', sim.env.OKTA_HUB_READ_TOKEN!);
    assert.equal(readOnly.length, 1);
    assert.match(
      readOnly[0]!,
      /^error: the provisioning token OKTA_HUB_READ_TOKEN belongs to reader@hub\.acme\.com, who is not a Super Administrator/,
    );
    const bogus = await notesWith('BOGUS_TOKEN', 'fake-token-not-valid-anywhere');
    assert.match(bogus[0]!, /^error: the provisioning token BOGUS_TOKEN is not valid in the Hub \(401\)/);
    assert.ok(!bogus[0]!.includes('fake-token-not-valid-anywhere'));
  } finally {
    await sim.close();
  }
});

test('a Spoke that refuses the token is unreadable (with the Okta error), nothing left unhandled', async () => {
  const sim = await startSim('examples/sim/seed.yaml');
  try {
    const desired = desiredState(sim.orgs.hub!.url, [
      desiredSpoke('emea', sim.orgs.emea!.url, { users: ['alice@acme.com'], push: ['EMEA Sales'] }),
    ]);
    const live = await readLiveState(desired, { spokes: { emea: clientFor('emea', sim.orgs.emea!.url, 'fake-token-refused') } });
    assert.equal(live.spokes.emea, undefined);
    assert.match(live.unreadable?.emea ?? '', /401/);
    assert.ok(!live.unreadable!.emea!.includes('fake-token-refused'));
  } finally {
    await sim.close();
  }
});
