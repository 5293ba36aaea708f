/**
 * The simulator's System Log holds an event for every write it serves, in the org the write
 * happened in, with the catalog's event type and targets (/work/coord/CONTRACTS.md "#28 System
 * Log event catalog"): directory writes by API or console, the side effects Org2Org provisioning
 * makes in the Hub (logged there as the connection's token owner), the app users a group's
 * assignment or membership adds and removes. A test enumerates the router's write routes so a new
 * route can't go unlogged.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleChange, ConsoleError, ROUTES, startSim, type LogEvent, type Sim } from '../../src/sim/index.js';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { call, simPerSuite } from './helpers.js';

const SEED = new URL('../export/fixtures/drift/seed.yaml', import.meta.url).pathname;
const HUB_ACTOR = 'provisioner@hub.acme.com';

const SERVICE_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const SERVICE_JWK = { ...(SERVICE_KEY.publicKey.export({ format: 'jwk' }) as object), kid: 'route-key' };

/** A private_key_jwt client assertion by SERVICE_KEY. */
function serviceAssertion(clientId: string, aud: string): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${enc({ alg: 'ES256', typ: 'JWT', kid: 'route-key' })}.${enc({ iss: clientId, sub: clientId, aud, iat: now, exp: now + 300, jti: randomUUID() })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: SERVICE_KEY.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** Events that change nothing (sign-ins, token grants): tested on their own, left out of the lists below. */
const NOISE = /^(user\.session\.|app\.oauth2\.token\.)/;

/** `[eventType, targets as TYPE:alternateId, actor's alternateId]` of the state-changing events `org` logged since `mark`. */
function logged(sim: Sim, org: string, mark: number): string[][] {
  return sim
    .org(org)
    .systemLog.slice(mark)
    .filter((e) => !NOISE.test(e.eventType))
    .map((e: LogEvent) => [
      e.eventType,
      e.target.map((t) => `${t.type}:${t.type === 'UserGroup' ? t.displayName : t.alternateId}`).join(' + '),
      (e.actor as { alternateId: string }).alternateId,
    ]);
}

const ORGS = ['hub', 'emea', 'apac'];

/** Everything an org holds that its API shows (not the log itself, nor a token's last use), as one string. */
function state(sim: Sim, name: string): string {
  const org = sim.org(name);
  const plain = (v: unknown): unknown =>
    v instanceof Set
      ? [...v].sort()
      : v instanceof Map
        ? [...v.keys()].sort()
        : v && typeof v === 'object' && 'values' in v && typeof (v as { values: unknown }).values === 'function' && !Array.isArray(v)
          ? (v as { values: () => unknown[] }).values()
          : v;
  return JSON.stringify(
    {
      users: org.users.values(),
      groups: org.groups.values(),
      apps: org.apps.values().map((a) => ({ ...a, keys: a.keys.map((k) => k.kid) })),
      mappings: org.mappings.values(),
      userSchema: org.userSchemaCustom,
      idps: org.idps.values(),
      idpKeys: [...org.idpKeys.keys()],
    },
    (_key, value) => plain(value),
  );
}

/** Log lengths of every org now, and what each logged since. */
function marks(sim: Sim): { since: (org: string) => string[][] } {
  const at = Object.fromEntries(['hub', 'emea', 'apac'].map((o) => [o, sim.org(o).systemLog.length]));
  return { since: (org) => logged(sim, org, at[org]!) };
}

test('a seed describes the world as it is: nothing is logged for it', async () => {
  const sim = await startSim(SEED);
  try {
    for (const org of ['hub', 'emea', 'apac']) assert.deepEqual(sim.org(org).systemLog, [], org);
  } finally {
    await sim.close();
  }
});

describe('directory writes, by console and by API', () => {
  const sim = simPerSuite(SEED);
  const EMEA = 'admin@emea.acme.com';

  test('a person created, edited (username too), suspended, unsuspended, deactivated, activated again and deleted', async () => {
    const m = marks(sim());
    const c = (change: Parameters<typeof consoleChange>[2]) => consoleChange(sim(), 'emea', change, { actor: 'alice@acme.com' });
    await c({ createUser: 'zed@acme.com', profile: { firstName: 'Zed', lastName: 'Ray' } });
    await c({ updateUser: 'zed@acme.com', profile: { title: 'Engineer' } });
    await c({ updateUser: 'zed@acme.com', profile: { login: 'zed.ray@acme.com' } });
    await c({ suspendUser: 'zed.ray@acme.com' });
    await c({ unsuspendUser: 'zed.ray@acme.com' });
    await c({ deactivateUser: 'zed.ray@acme.com' });
    await c({ reactivateUser: 'zed.ray@acme.com' });
    await c({ deleteUser: 'zed.ray@acme.com' });
    const A = 'alice@acme.com';
    assert.deepEqual(m.since('emea'), [
      ['user.lifecycle.create', 'User:zed@acme.com', A],
      ['user.lifecycle.activate', 'User:zed@acme.com', A],
      ['user.account.update_profile', 'User:zed@acme.com', A],
      ['user.account.update_profile', 'User:zed.ray@acme.com', A],
      ['user.lifecycle.suspend', 'User:zed.ray@acme.com', A],
      ['user.lifecycle.unsuspend', 'User:zed.ray@acme.com', A],
      ['user.lifecycle.deactivate', 'User:zed.ray@acme.com', A],
      ['user.lifecycle.activate', 'User:zed.ray@acme.com', A],
      ['user.lifecycle.deactivate', 'User:zed.ray@acme.com', A],
      ['user.lifecycle.delete.initiated', 'User:zed.ray@acme.com', A],
    ]);
    assert.equal(sim().org('emea').findUser('zed.ray@acme.com'), undefined);
    // Nothing of it reached another org: zed was never assigned.
    assert.deepEqual(m.since('hub'), []);
    const event = sim().org('emea').systemLog.at(-1)!;
    assert.equal((event.client as { device: string }).device, 'Computer', 'a console change is a browser session');
    assert.equal((event.actor as { type: string }).type, 'User');
  });

  test('the same by API: the token owner is the actor, the event names the user by id', async () => {
    const m = marks(sim());
    const token = sim().orgs.emea!.tokens.OKTA_EMEA_TOKEN!;
    const base = sim().orgs.emea!.url;
    const created = await call(base, token, 'POST', '/api/v1/users?activate=false', { profile: { login: 'yves@acme.com' } });
    assert.equal(created.status, 200);
    assert.equal((await call(base, token, 'POST', `/api/v1/users/${created.body.id}/lifecycle/activate?sendEmail=false`)).status, 200);
    assert.equal(sim().org('emea').findUser('yves@acme.com')!.status, 'PROVISIONED', 'no password: activation waits for the person');
    assert.equal((await call(base, token, 'POST', `/api/v1/users/${created.body.id}/lifecycle/reactivate?sendEmail=false`)).status, 200);
    assert.equal((await call(base, token, 'DELETE', `/api/v1/users/${created.body.id}`)).status, 204);
    assert.equal(sim().org('emea').findUser('yves@acme.com')!.status, 'DEPROVISIONED', 'a first DELETE deactivates');
    assert.deepEqual(m.since('emea'), [
      ['user.lifecycle.create', 'User:yves@acme.com', EMEA],
      ['user.lifecycle.activate', 'User:yves@acme.com', EMEA],
      ['user.lifecycle.reactivate', 'User:yves@acme.com', EMEA],
      ['user.lifecycle.deactivate', 'User:yves@acme.com', EMEA],
    ]);
    const log = sim().org('emea').systemLog;
    assert.ok(log.slice(-4).every((e) => e.target[0]!.id === created.body.id));
    assert.equal((log.at(-1)!.client as { device: string }).device, 'Unknown', 'an API call is no browser');
  });

  test('a write Okta refuses logs nothing', async () => {
    const m = marks(sim());
    await assert.rejects(consoleChange(sim(), 'emea', { unsuspendUser: 'bob@acme.com' }), ConsoleError);
    const token = sim().orgs.emea!.tokens.OKTA_EMEA_TOKEN!;
    const bob = sim().org('emea').findUser('bob@acme.com')!.id;
    const refused = await call(sim().orgs.emea!.url, token, 'POST', `/api/v1/users/${bob}/lifecycle/unsuspend`);
    assert.equal(refused.status, 400);
    await assert.rejects(consoleChange(sim(), 'emea', { createUser: 'bob@acme.com' }), /already exists/);
    await assert.rejects(consoleChange(sim(), 'emea', { deactivateUser: 'admin@emea.acme.com' }), /administrator/);
    assert.deepEqual(m.since('emea'), []);
  });

  test('groups created, renamed and deleted; members added and removed', async () => {
    const m = marks(sim());
    await consoleChange(sim(), 'emea', { createGroup: 'Legal', description: 'Counsel' });
    await consoleChange(sim(), 'emea', { addMember: 'bob@acme.com', group: 'Legal' });
    await consoleChange(sim(), 'emea', { renameGroup: 'Legal', to: 'Legal & Compliance' });
    await consoleChange(sim(), 'emea', { removeMember: 'bob@acme.com', group: 'Legal & Compliance' });
    await consoleChange(sim(), 'emea', { addMember: 'dieter@acme.com', group: 'Legal & Compliance' });
    await consoleChange(sim(), 'emea', { deleteGroup: 'Legal & Compliance' });
    assert.deepEqual(m.since('emea'), [
      ['group.lifecycle.create', 'UserGroup:Legal', EMEA],
      ['group.user_membership.add', 'User:bob@acme.com + UserGroup:Legal', EMEA],
      ['group.profile.update', 'UserGroup:Legal & Compliance', EMEA],
      ['group.user_membership.remove', 'User:bob@acme.com + UserGroup:Legal & Compliance', EMEA],
      ['group.user_membership.add', 'User:dieter@acme.com + UserGroup:Legal & Compliance', EMEA],
      ['group.user_membership.remove', 'User:dieter@acme.com + UserGroup:Legal & Compliance', EMEA],
      ['group.lifecycle.delete', 'UserGroup:Legal & Compliance', EMEA],
    ]);
    assert.equal(sim().org('emea').findGroupByName('Legal & Compliance'), undefined);
    await assert.rejects(consoleChange(sim(), 'emea', { renameGroup: 'EMEA Sales', to: 'Engineering' }), /already exists/);
  });
});

test('state-neutral noise: one user.session.start per console change (its admin signs in), none for an API call', async () => {
  const sim = await startSim(SEED);
  try {
    // Pausing then deleting a push mapping is two requests, one console session.
    await consoleChange(sim, 'emea', { unpushGroup: 'Finance' }, { actor: 'alice@acme.com' });
    const sessions = sim.org('emea').systemLog.filter((e) => e.eventType === 'user.session.start');
    assert.equal(sessions.length, 1);
    assert.equal((sessions[0]!.actor as { alternateId: string }).alternateId, 'alice@acme.com');
    assert.equal(sim.org('emea').systemLog[0]!.eventType, 'user.session.start', 'the sign-in comes first');
    const token = sim.orgs.emea!.tokens.OKTA_EMEA_TOKEN!;
    await call(sim.orgs.emea!.url, token, 'POST', '/api/v1/groups', { profile: { name: 'By API' } });
    assert.equal(sim.org('emea').systemLog.filter((e) => e.eventType === 'user.session.start').length, 1);
  } finally {
    await sim.close();
  }
});

test('an OAUTH2 connection: each push gets a token from the Hub (logged there as noise, by the service app), whose writes the Hub logs as that client', async () => {
  const sim = await startSim({
    orgs: {
      hub: { tokens: { ADMIN: { user: 'admin@hub.example.com', roles: ['SUPER_ADMIN'] } } },
      spoke: {
        users: [{ login: 'a@spoke.example.com' }],
        tokens: { T: { user: 'admin@spoke.example.com', roles: ['SUPER_ADMIN'] } },
        apps: [{ label: 'Acme Hub', hub: 'hub', provisioning: { createUsers: true } }],
      },
    },
  });
  try {
    const H = (method: string, path: string, body?: unknown) => call(sim.orgs.hub!.url, sim.orgs.hub!.tokens.ADMIN, method, path, body);
    const S = (method: string, path: string, body?: unknown) => call(sim.orgs.spoke!.url, sim.orgs.spoke!.tokens.T, method, path, body);
    const appId = sim.org('spoke').apps.values()[0]!.id;
    const keys = await S('GET', `/api/v1/apps/${appId}/credentials/keys`);
    const client = await H('POST', '/oauth2/v1/clients', {
      client_name: 'Spoke',
      application_type: 'service',
      grant_types: ['client_credentials'],
      response_types: ['token'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [keys.body[0]] },
    });
    const clientId = client.body.client_id as string;
    for (const scopeId of ['okta.users.manage', 'okta.groups.manage']) {
      assert.equal((await H('POST', `/api/v1/apps/${clientId}/grants`, { scopeId, issuer: sim.orgs.hub!.url })).status, 201);
    }
    for (const type of ['USER_ADMIN', 'GROUP_MEMBERSHIP_ADMIN']) {
      assert.equal((await H('POST', `/oauth2/v1/clients/${clientId}/roles`, { type })).status, 201);
    }
    const connected = await S('POST', `/api/v1/apps/${appId}/connections/default?activate=true`, {
      profile: { authScheme: 'OAUTH2', clientId },
    });
    assert.equal(connected.status, 200, JSON.stringify(connected.body));
    const mark = sim.org('hub').systemLog.length;
    const user = sim.org('spoke').findUser('a@spoke.example.com')!;
    assert.equal((await S('POST', `/api/v1/apps/${appId}/users`, { id: user.id, scope: 'USER' })).status, 200);
    const logged = sim
      .org('hub')
      .systemLog.slice(mark)
      .map((e) => [e.eventType, (e.actor as { alternateId: string; type: string }).type, (e.actor as { alternateId: string }).alternateId]);
    assert.deepEqual(logged, [
      ['app.oauth2.token.grant.access_token', 'PublicClientApp', clientId],
      ['user.lifecycle.create', 'PublicClientApp', clientId],
    ]);
  } finally {
    await sim.close();
  }
});

test("the console's import of the Hub's groups logs each APP_GROUP it makes in the Spoke", async () => {
  const sim = await startSim(SEED);
  try {
    const made = sim.importHubGroups('emea', 'Acme Hub');
    assert.ok(made > 0);
    const created = sim.org('emea').systemLog.filter((e) => e.eventType === 'group.lifecycle.create');
    assert.equal(created.length, made);
    assert.equal((created[0]!.actor as { alternateId: string }).alternateId, 'admin@emea.acme.com');
  } finally {
    await sim.close();
  }
});

describe('Org2Org provisioning: its side effects are logged in the Hub, as the connection', () => {
  const sim = simPerSuite(SEED);

  test('an assignment creates the Hub user and pushes its groups; a profile edit is pushed', async () => {
    const m = marks(sim());
    await consoleChange(sim(), 'emea', { assignUser: 'dieter@acme.com' });
    const APP = 'AppInstance:Acme Hub';
    assert.deepEqual(m.since('emea'), [
      ['application.user_membership.add', `User:dieter@acme.com + ${APP}`, 'admin@emea.acme.com'],
      // What came of it: the push (status, syncState, externalId moved), then the pushed group's run (lastPush moved).
      ['application.provision.user.push', `User:dieter@acme.com + ${APP}`, 'admin@emea.acme.com'],
      ['application.provision.group_push.push_memberships', `UserGroup:Finance + ${APP}`, 'admin@emea.acme.com'],
    ]);
    assert.deepEqual(m.since('hub'), [
      ['user.lifecycle.create', 'User:dieter@acme.com', HUB_ACTOR],
      // Finance is pushed and dieter is in it.
      ['group.user_membership.add', 'User:dieter@acme.com + UserGroup:Finance', HUB_ACTOR],
    ]);
    const n = marks(sim());
    await consoleChange(sim(), 'emea', { updateUser: 'dieter@acme.com', profile: { lastName: 'Schmidt' } });
    assert.deepEqual(n.since('emea'), [
      ['user.account.update_profile', 'User:dieter@acme.com', 'admin@emea.acme.com'],
      ['application.provision.user.push_profile', `User:dieter@acme.com + ${APP}`, 'admin@emea.acme.com'],
    ]);
    assert.deepEqual(n.since('hub'), [['user.account.update_profile', 'User:dieter@acme.com', HUB_ACTOR]]);
  });

  test('a deactivated Spoke user is unassigned and deactivated in the Hub (Deactivate Users on); activated again, it has no app', async () => {
    const m = marks(sim());
    await consoleChange(sim(), 'apac', { deactivateUser: 'kenji@acme.com' });
    assert.deepEqual(m.since('apac'), [
      ['user.lifecycle.deactivate', 'User:kenji@acme.com', 'admin@apac.acme.com'],
      ['application.user_membership.remove', 'User:kenji@acme.com + AppInstance:Acme Hub', 'admin@apac.acme.com'],
      ['application.provision.user.deactivate', 'User:kenji@acme.com + AppInstance:Acme Hub', 'admin@apac.acme.com'],
    ]);
    assert.deepEqual(m.since('hub'), [
      ['group.user_membership.remove', 'User:kenji@acme.com + UserGroup:APAC Support', HUB_ACTOR],
      ['user.lifecycle.deactivate', 'User:kenji@acme.com', HUB_ACTOR],
    ]);
    const n = marks(sim());
    await consoleChange(sim(), 'apac', { reactivateUser: 'kenji@acme.com' });
    assert.deepEqual(n.since('apac'), [['user.lifecycle.activate', 'User:kenji@acme.com', 'admin@apac.acme.com']]);
    assert.deepEqual(n.since('hub'), []);
  });

  test("a group's assignment, its members' changes and its unassignment log each app user they add or remove", async () => {
    const m = marks(sim());
    const c = (change: Parameters<typeof consoleChange>[2]) => consoleChange(sim(), 'apac', change);
    await c({ createUser: 'yuki@acme.com' });
    await c({ createGroup: 'APAC Ops' });
    await c({ addMember: 'yuki@acme.com', group: 'APAC Ops' });
    await c({ assignGroup: 'APAC Ops' });
    await c({ addMember: 'sora@acme.com', group: 'APAC Ops' });
    await c({ removeMember: 'yuki@acme.com', group: 'APAC Ops' });
    await c({ unassignGroup: 'APAC Ops' });
    const ADMIN = 'admin@apac.acme.com';
    const APP = 'AppInstance:Acme Hub';
    assert.deepEqual(m.since('apac'), [
      ['user.lifecycle.create', 'User:yuki@acme.com', ADMIN],
      ['user.lifecycle.activate', 'User:yuki@acme.com', ADMIN],
      ['group.lifecycle.create', 'UserGroup:APAC Ops', ADMIN],
      ['group.user_membership.add', 'User:yuki@acme.com + UserGroup:APAC Ops', ADMIN],
      ['group.application_assignment.add', `UserGroup:APAC Ops + ${APP}`, ADMIN],
      ['application.user_membership.add', `User:yuki@acme.com + ${APP}`, ADMIN],
      ['application.provision.user.push', `User:yuki@acme.com + ${APP}`, ADMIN],
      ['group.user_membership.add', 'User:sora@acme.com + UserGroup:APAC Ops', ADMIN],
      ['application.user_membership.add', `User:sora@acme.com + ${APP}`, ADMIN],
      ['application.provision.user.push', `User:sora@acme.com + ${APP}`, ADMIN],
      ['group.user_membership.remove', 'User:yuki@acme.com + UserGroup:APAC Ops', ADMIN],
      ['application.user_membership.remove', `User:yuki@acme.com + ${APP}`, ADMIN],
      ['application.provision.user.deactivate', `User:yuki@acme.com + ${APP}`, ADMIN],
      ['group.application_assignment.remove', `UserGroup:APAC Ops + ${APP}`, ADMIN],
      ['application.user_membership.remove', `User:sora@acme.com + ${APP}`, ADMIN],
      ['application.provision.user.deactivate', `User:sora@acme.com + ${APP}`, ADMIN],
    ]);
    assert.deepEqual(m.since('hub'), [
      ['user.lifecycle.create', 'User:yuki@acme.com', HUB_ACTOR],
      ['user.lifecycle.create', 'User:sora@acme.com', HUB_ACTOR],
      ['user.lifecycle.deactivate', 'User:yuki@acme.com', HUB_ACTOR],
      ['user.lifecycle.deactivate', 'User:sora@acme.com', HUB_ACTOR],
    ]);
  });

  test('a push mapping that names a new Hub group: the Hub logs the group and its members as the connection', async () => {
    const m = marks(sim());
    await consoleChange(sim(), 'emea', { pushGroup: 'Marketing', targetName: 'EMEA Marketing' });
    assert.deepEqual(m.since('hub'), [
      ['group.lifecycle.create', 'UserGroup:EMEA Marketing', HUB_ACTOR],
      ['group.user_membership.add', 'User:alice@acme.com + UserGroup:EMEA Marketing', HUB_ACTOR],
    ]);
    assert.deepEqual(m.since('emea'), [
      // The route's own event comes before those of the side effects it caused.
      ['application.provision.group_push.mapping.created', 'UserGroup:Marketing + AppInstance:Acme Hub', 'admin@emea.acme.com'],
      // The APP_GROUP that stands for the Hub group in the Spoke.
      ['group.lifecycle.create', 'UserGroup:EMEA Marketing', 'admin@emea.acme.com'],
      ['application.provision.group_push.push_memberships', 'UserGroup:Marketing + AppInstance:Acme Hub', 'admin@emea.acme.com'],
    ]);
  });
});

describe('every write route of the simulator is logged', () => {
  const sim = simPerSuite(SEED);

  interface Ctx {
    sim: Sim;
    /** A Super Administrator's API call in `org`; fails the test unless it succeeds. */
    api: (org: string, method: string, path: string, body?: unknown) => Promise<any>;
    id: { user: (org: string, login: string) => string; group: (org: string, name: string) => string; app: (org: string) => string };
  }
  /** Route → the org whose log must gain an event, the types that may be logged, and the call (setup may come before). */
  type Driver = (c: Ctx) => Promise<{ org: string; types: string[]; write: () => Promise<unknown> }>;
  const A = '/api/v1/apps/{appId}';
  const DRIVERS: Record<string, Driver> = {
    'POST /api/v1/users': async (c) => ({
      org: 'emea',
      types: ['user.lifecycle.create'],
      write: () => c.api('emea', 'POST', '/api/v1/users?activate=false', { profile: { login: 'route1@acme.com' } }),
    }),
    'POST /api/v1/users/{userId}': async (c) => ({
      org: 'emea',
      types: ['user.account.update_profile'],
      write: () => c.api('emea', 'POST', `/api/v1/users/${c.id.user('emea', 'route1@acme.com')}`, { profile: { title: 'x' } }),
    }),
    'POST /api/v1/users/{userId}/lifecycle/activate': async (c) => ({
      org: 'emea',
      types: ['user.lifecycle.activate'],
      write: () => c.api('emea', 'POST', `/api/v1/users/${c.id.user('emea', 'route1@acme.com')}/lifecycle/activate?sendEmail=false`),
    }),
    'POST /api/v1/users/{userId}/lifecycle/reactivate': async (c) => ({
      org: 'emea',
      types: ['user.lifecycle.reactivate'],
      write: () => c.api('emea', 'POST', `/api/v1/users/${c.id.user('emea', 'route1@acme.com')}/lifecycle/reactivate?sendEmail=false`),
    }),
    'POST /api/v1/users/{userId}/lifecycle/suspend': async (c) => ({
      org: 'emea',
      types: ['user.lifecycle.suspend'],
      write: () => c.api('emea', 'POST', `/api/v1/users/${c.id.user('emea', 'bob@acme.com')}/lifecycle/suspend`),
    }),
    'POST /api/v1/users/{userId}/lifecycle/unsuspend': async (c) => ({
      org: 'emea',
      types: ['user.lifecycle.unsuspend'],
      write: () => c.api('emea', 'POST', `/api/v1/users/${c.id.user('emea', 'bob@acme.com')}/lifecycle/unsuspend`),
    }),
    'POST /api/v1/users/{userId}/lifecycle/deactivate': async (c) => ({
      org: 'emea',
      types: ['user.lifecycle.deactivate'],
      write: () => c.api('emea', 'POST', `/api/v1/users/${c.id.user('emea', 'route1@acme.com')}/lifecycle/deactivate`),
    }),
    'DELETE /api/v1/users/{userId}': async (c) => ({
      org: 'emea',
      types: ['user.lifecycle.delete.initiated'],
      write: () => c.api('emea', 'DELETE', `/api/v1/users/${c.id.user('emea', 'route1@acme.com')}`),
    }),
    'POST /api/v1/groups': async (c) => ({
      org: 'emea',
      types: ['group.lifecycle.create'],
      write: () => c.api('emea', 'POST', '/api/v1/groups', { profile: { name: 'Route Group' } }),
    }),
    'PUT /api/v1/groups/{groupId}': async (c) => ({
      org: 'emea',
      types: ['group.profile.update'],
      write: () => c.api('emea', 'PUT', `/api/v1/groups/${c.id.group('emea', 'Route Group')}`, { profile: { name: 'Route Group 2' } }),
    }),
    'PUT /api/v1/groups/{groupId}/users/{userId}': async (c) => ({
      org: 'emea',
      types: ['group.user_membership.add'],
      write: () => c.api('emea', 'PUT', `/api/v1/groups/${c.id.group('emea', 'Route Group 2')}/users/${c.id.user('emea', 'bob@acme.com')}`),
    }),
    'DELETE /api/v1/groups/{groupId}/users/{userId}': async (c) => ({
      org: 'emea',
      types: ['group.user_membership.remove'],
      write: () =>
        c.api('emea', 'DELETE', `/api/v1/groups/${c.id.group('emea', 'Route Group 2')}/users/${c.id.user('emea', 'bob@acme.com')}`),
    }),
    'DELETE /api/v1/groups/{groupId}': async (c) => ({
      org: 'emea',
      types: ['group.lifecycle.delete'],
      write: () => c.api('emea', 'DELETE', `/api/v1/groups/${c.id.group('emea', 'Route Group 2')}`),
    }),
    [`POST ${A}/users`]: async (c) => ({
      org: 'emea',
      types: ['application.user_membership.add'],
      write: () =>
        c.api('emea', 'POST', `/api/v1/apps/${c.id.app('emea')}/users`, { id: c.id.user('emea', 'dieter@acme.com'), scope: 'USER' }),
    }),
    [`POST ${A}/users/{userId}`]: async (c) => ({
      org: 'emea',
      types: ['application.user_membership.update'],
      write: () => c.api('emea', 'POST', `/api/v1/apps/${c.id.app('emea')}/users/${c.id.user('emea', 'dieter@acme.com')}`, { profile: {} }),
    }),
    [`DELETE ${A}/users/{userId}`]: async (c) => ({
      org: 'emea',
      types: ['application.user_membership.remove'],
      write: () => c.api('emea', 'DELETE', `/api/v1/apps/${c.id.app('emea')}/users/${c.id.user('emea', 'dieter@acme.com')}`),
    }),
    [`PUT ${A}/groups/{groupId}`]: async (c) => ({
      org: 'emea',
      types: ['group.application_assignment.add'],
      write: () => c.api('emea', 'PUT', `/api/v1/apps/${c.id.app('emea')}/groups/${c.id.group('emea', 'Finance')}`, {}),
    }),
    [`DELETE ${A}/groups/{groupId}`]: async (c) => ({
      org: 'emea',
      types: ['group.application_assignment.remove'],
      write: () => c.api('emea', 'DELETE', `/api/v1/apps/${c.id.app('emea')}/groups/${c.id.group('emea', 'Finance')}`),
    }),
    [`POST ${A}/group-push/mappings`]: async (c) => ({
      org: 'emea',
      types: ['application.provision.group_push.mapping.created'],
      write: () =>
        c.api('emea', 'POST', `/api/v1/apps/${c.id.app('emea')}/group-push/mappings`, {
          sourceGroupId: c.id.group('emea', 'Ops Team'),
          targetGroupName: 'Ops Team',
        }),
    }),
    [`PATCH ${A}/group-push/mappings/{mappingId}`]: async (c) => ({
      org: 'emea',
      types: ['application.provision.group_push.mapping.updated'],
      write: () => c.api('emea', 'PATCH', `/api/v1/apps/${c.id.app('emea')}/group-push/mappings/${opsMapping(c)}`, { status: 'INACTIVE' }),
    }),
    [`DELETE ${A}/group-push/mappings/{mappingId}`]: async (c) => ({
      org: 'emea',
      types: ['application.provision.group_push.mapping.deleted'],
      write: () => c.api('emea', 'DELETE', `/api/v1/apps/${c.id.app('emea')}/group-push/mappings/${opsMapping(c)}?deleteTargetGroup=true`),
    }),
    [`PUT ${A}/features/{featureName}`]: async (c) => ({
      org: 'emea',
      types: ['application.lifecycle.update'],
      write: () =>
        c.api('emea', 'PUT', `/api/v1/apps/${c.id.app('emea')}/features/USER_PROVISIONING`, {
          update: { lifecycleDeactivate: { status: 'ENABLED' } },
        }),
    }),
    [`POST ${A}/connections/default/lifecycle/deactivate`]: async (c) => ({
      org: 'emea',
      types: ['application.lifecycle.update'],
      write: () => c.api('emea', 'POST', `/api/v1/apps/${c.id.app('emea')}/connections/default/lifecycle/deactivate`),
    }),
    [`POST ${A}/connections/default`]: async (c) => ({
      org: 'emea',
      types: ['application.lifecycle.update'],
      write: () =>
        c.api('emea', 'POST', `/api/v1/apps/${c.id.app('emea')}/connections/default`, {
          profile: { authScheme: 'TOKEN', token: c.sim.orgs.hub!.tokens.OKTA_HUB_PROVISIONING_TOKEN },
        }),
    }),
    [`POST ${A}/connections/default/lifecycle/activate`]: async (c) => ({
      org: 'emea',
      types: ['application.lifecycle.update'],
      write: () => c.api('emea', 'POST', `/api/v1/apps/${c.id.app('emea')}/connections/default/lifecycle/activate`),
    }),
    [`POST ${A}/lifecycle/deactivate`]: async (c) => ({
      org: 'apac',
      types: ['application.lifecycle.deactivate'],
      write: () => c.api('apac', 'POST', `/api/v1/apps/${c.id.app('apac')}/lifecycle/deactivate`),
    }),
    [`POST ${A}/lifecycle/activate`]: async (c) => ({
      org: 'apac',
      types: ['application.lifecycle.activate'],
      write: () => c.api('apac', 'POST', `/api/v1/apps/${c.id.app('apac')}/lifecycle/activate`),
    }),
    'POST /api/v1/apps': async (c) => ({
      org: 'hub',
      types: ['application.lifecycle.create'],
      write: () => c.api('hub', 'POST', '/api/v1/apps?activate=false', { name: 'bookmark', label: 'Route App', settings: { app: {} } }),
    }),
    'DELETE /api/v1/apps/{appId}': async (c) => ({
      org: 'hub',
      types: ['application.lifecycle.delete'],
      write: () =>
        c.api(
          'hub',
          'DELETE',
          `/api/v1/apps/${
            c.sim
              .org('hub')
              .apps.values()
              .find((a) => a.label === 'Route App')!.id
          }`,
        ),
    }),
    [`POST ${A}/credentials/keys/generate`]: async (c) => ({
      org: 'emea',
      types: ['app.keys.generate'],
      write: () => c.api('emea', 'POST', `/api/v1/apps/${c.id.app('emea')}/credentials/keys/generate?validityYears=2`),
    }),
    'POST /oauth2/v1/clients': async (c) => ({
      org: 'hub',
      types: ['app.oauth2.client.lifecycle.create'],
      write: async () => {
        const made = await c.api('hub', 'POST', '/oauth2/v1/clients', {
          client_name: 'Route Client',
          application_type: 'service',
          grant_types: ['client_credentials'],
          response_types: ['token'],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [SERVICE_JWK] },
        });
        routeClient = made;
      },
    }),
    [`POST ${A}/grants`]: async (c) => ({
      org: 'hub',
      types: ['app.oauth2.admin.consent.grant'],
      write: () =>
        c.api('hub', 'POST', `/api/v1/apps/${routeClient.client_id}/grants`, { scopeId: 'okta.users.read', issuer: c.sim.orgs.hub!.url }),
    }),
    'POST /oauth2/v1/clients/{clientId}/roles': async (c) => ({
      org: 'hub',
      types: ['app.oauth2.client.privilege.grant'],
      write: () => c.api('hub', 'POST', `/oauth2/v1/clients/${routeClient.client_id}/roles`, { type: 'READ_ONLY_ADMIN' }),
    }),
    'POST /oauth2/v1/token': async (c) => ({
      org: 'hub',
      types: ['app.oauth2.token.grant.access_token'],
      write: async () => {
        const res = await fetch(`${c.sim.orgs.hub!.url}/oauth2/v1/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            scope: 'okta.users.read',
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: serviceAssertion(routeClient.client_id, `${c.sim.orgs.hub!.url}/oauth2/v1/token`),
          }),
        });
        assert.equal(res.status, 200, await res.text());
      },
    }),
    'DELETE /oauth2/v1/clients/{clientId}/roles/{roleAssignmentId}': async (c) => {
      const roles = await c.api('hub', 'GET', `/oauth2/v1/clients/${routeClient.client_id}/roles`);
      return {
        org: 'hub',
        types: ['app.oauth2.client.privilege.revoke'],
        write: () => c.api('hub', 'DELETE', `/oauth2/v1/clients/${routeClient.client_id}/roles/${roles[0].id}`),
      };
    },
    [`DELETE ${A}/grants/{grantId}`]: async (c) => {
      const grants = await c.api('hub', 'GET', `/api/v1/apps/${routeClient.client_id}/grants`);
      return {
        org: 'hub',
        types: ['app.oauth2.admin.consent.revoke'],
        write: () => c.api('hub', 'DELETE', `/api/v1/apps/${routeClient.client_id}/grants/${grants[0].id}`),
      };
    },
    'PUT /oauth2/v1/clients/{clientId}': async (c) => {
      const {
        client_id_issued_at: _a,
        client_secret_expires_at: _b,
        ...rest
      } = await c.api('hub', 'GET', `/oauth2/v1/clients/${routeClient.client_id}`);
      return {
        org: 'hub',
        types: ['app.oauth2.client.lifecycle.update'],
        write: () => c.api('hub', 'PUT', `/oauth2/v1/clients/${routeClient.client_id}`, { ...rest, client_name: 'Route Client 2' }),
      };
    },
    'DELETE /oauth2/v1/clients/{clientId}': async (c) => ({
      org: 'hub',
      types: ['app.oauth2.client.lifecycle.delete'],
      write: () => c.api('hub', 'DELETE', `/oauth2/v1/clients/${routeClient.client_id}`),
    }),
    'POST /api/v1/meta/schemas/user/default': async (c) => ({
      org: 'hub',
      types: ['directory.user_profile.update'],
      write: () =>
        c.api('hub', 'POST', '/api/v1/meta/schemas/user/default', {
          definitions: { custom: { properties: { routeAttribute: { title: 'Cost center', type: 'string' } } } },
        }),
    }),
    'POST /api/v1/meta/schemas/apps/{appId}/default': async (c) => ({
      org: 'emea',
      types: ['directory.app_user_profile.update'],
      write: () =>
        c.api('emea', 'POST', `/api/v1/meta/schemas/apps/${c.id.app('emea')}/default`, {
          definitions: { custom: { properties: { routeAttribute: { title: 'Cost center', type: 'string' } } } },
        }),
    }),
    'POST /api/v1/mappings/{mappingId}': async (c) => {
      const app = c.id.app('emea');
      const [mapping] = await c.api('emea', 'GET', `/api/v1/mappings?sourceId=${app}`);
      return {
        org: 'emea',
        types: ['directory.mapping.update'],
        write: () => c.api('emea', 'POST', `/api/v1/mappings/${mapping.id}`, { properties: {} }),
      };
    },
    'POST /api/v1/idps/credentials/keys': async (c) => {
      const [key] = await c.api('emea', 'GET', `/api/v1/apps/${c.id.app('emea')}/credentials/keys`);
      return {
        org: 'hub',
        types: ['system.idp.key.create'],
        write: async () => {
          idpKid = (await c.api('hub', 'POST', '/api/v1/idps/credentials/keys', { x5c: key.x5c })).kid;
        },
      };
    },
    'PUT /api/v1/idps/{idpId}': async (c) => {
      const idp = c.sim.org('hub').addSamlIdp('EMEA', c.sim.orgs.emea!.url, []);
      return {
        org: 'hub',
        types: ['system.idp.lifecycle.update'],
        write: () => c.api('hub', 'PUT', `/api/v1/idps/${idp.id}`, { name: 'EMEA', protocol: { credentials: { trust: { kid: idpKid } } } }),
      };
    },
    [`PUT ${A}`]: async (c) => {
      const app = await c.api('apac', 'GET', `/api/v1/apps/${c.id.app('apac')}`);
      return {
        org: 'apac',
        types: ['application.lifecycle.update'],
        write: () => c.api('apac', 'PUT', `/api/v1/apps/${c.id.app('apac')}`, app),
      };
    },
  };
  let routeClient: { client_id: string };
  let idpKid: string;
  const opsMapping = (c: Ctx): string =>
    c.sim
      .org('emea')
      .apps.get(c.id.app('emea'))!
      .pushMappings.values()
      .find((m) => m.sourceGroupId === c.id.group('emea', 'Ops Team'))!.id;
  test('each write route has a driver here, and its write logs the catalog event in its org', async () => {
    const writes = ROUTES.filter((r) => r.write).map((r) => `${r.method} ${r.template}`);
    const undriven = writes.filter((w) => !DRIVERS[w]);
    assert.deepEqual(undriven, [], 'a write route without a System Log test: log it (src/sim/log-events.ts) and add its driver here');
    assert.deepEqual(
      Object.keys(DRIVERS).filter((k) => !writes.includes(k)),
      [],
      'a driver for a route the simulator no longer serves',
    );
    const s = sim();
    const c: Ctx = {
      sim: s,
      api: async (org, method, path, body) => {
        const token = Object.values(s.orgs[org]!.tokens)[0]!;
        const res = await call(s.orgs[org]!.url, token, method, path, body);
        assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
      },
      id: {
        user: (org, login) => s.org(org).findUser(login)!.id,
        group: (org, name) => s.org(org).findGroupByName(name)!.id,
        app: (org) =>
          s
            .org(org)
            .apps.values()
            .find((a) => a.name === 'okta_org2org')!.id,
      },
    };
    // In the order written: each driver may rely on what an earlier one made.
    for (const [route, driver] of Object.entries(DRIVERS)) {
      const { org, types, write } = await driver(c);
      const before = s.org(org).systemLog.length;
      const states = ORGS.map((o) => [state(s, o), s.org(o).systemLog.length] as const);
      await write();
      const added = s.org(org).systemLog.slice(before);
      assert.ok(
        added.some((e) => types.includes(e.eventType)),
        `${route}: ${org} logged ${JSON.stringify(added.map((e) => e.eventType))}, not one of ${types.join(', ')}`,
      );
      // Whatever else the write changed, in any org (a side effect in the Hub), that org logged something too.
      ORGS.forEach((o, i) => {
        const [was, logged] = states[i]!;
        if (state(s, o) !== was) assert.ok(s.org(o).systemLog.length > logged, `${route}: ${o} changed without an event`);
      });
    }
  });
});
