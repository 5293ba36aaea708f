/**
 * Contract (b): the simulator answers each request org2org makes with the shape real Okta
 * answered (recorded): status code, key paths and types, `Link` header, error body. The few
 * fields org2org never reads that the simulator doesn't model are listed, with why, in IGNORED.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type Sim, type SimSeed } from '../../src/sim/index.js';
import { compareShapes, loadRecorded, samplesOf, type RecordedSample } from './recorded.js';

const recorded = loadRecorded();

/**
 * Paths the simulator need not match, by endpoint kind ('*' applies to every kind). Keep it short:
 * every entry is something org2org never reads.
 */
const IGNORED: Record<string, string[]> = {
  // Hypermedia links: org2org pages with the Link header and never follows `_links`.
  '*': ['_links', '[]._links', '_embedded.user._links', '[]._embedded.user._links'],
  // The recordings hold only push mappings of empty groups; the spec's example of a pushed one
  // has lastPush (org2org shows it, and no longer waits for it).
  mapping: ['lastPush', '[].lastPush'],
  // App-user and user profiles follow each app's / org's schema: their keys are data, not shape.
  appUser: [
    'profile',
    '[].profile',
    'credentials.password',
    // Recorded app users never synced (provisioning off); the spec's example of a synced one has lastSync.
    'lastSync',
    '[].lastSync',
  ],
  user: ['[].profile', 'profile', '[].realmId', 'realmId', '[].transitioningToStatus'],
  // The recorded schemas belong to OIDC apps, whose base attributes differ from Org2Org's.
  schema: ['definitions.base.properties', 'definitions.base.required', 'definitions.custom.properties', 'definitions.custom.required'],
  // Role ids and labels are Okta's; org2org reads `type`.
  roles: [],
};

const ORG2ORG_APP = (s: RecordedSample): unknown[] => (s.response as Record<string, unknown>[]).filter((a) => a.name === 'okta_org2org');

function seed(): SimSeed {
  return {
    orgs: {
      hub: { tokens: { PROV: { user: 'prov@hub.example.com', roles: ['SUPER_ADMIN'] } } },
      emea: {
        users: [{ login: 'alice@emea.example.com' }, { login: 'bob@emea.example.com' }, { login: 'carol@emea.example.com' }],
        groups: [
          { name: 'Engineering', members: ['alice@emea.example.com'] },
          { name: 'Empty', members: [] },
        ],
        tokens: { ADMIN: { user: 'admin@emea.example.com', roles: ['SUPER_ADMIN', 'APP_ADMIN'] } },
        apps: [
          {
            label: 'Acme Hub',
            hub: 'hub',
            connection: { token: 'hub/PROV' },
            provisioning: { createUsers: true },
            users: [{ login: 'alice@emea.example.com' }],
            groups: ['Engineering'],
            pushMappings: [{ source: 'Engineering', target: 'Engineering' }],
          },
        ],
      },
    },
  };
}

describe('contract (b): the simulator answers with the recorded shapes', () => {
  let sim: Sim;
  let url: string;
  let token: string;
  let appId: string;
  const ids: Record<string, string> = {};
  before(async () => {
    sim = await startSim(seed());
    url = sim.orgs.emea!.url;
    token = sim.orgs.emea!.tokens.ADMIN!;
    const emea = sim.org('emea');
    appId = emea.apps.values()[0]!.id;
    for (const u of emea.users.values()) ids[u.profile.login.split('@')[0]!] = u.id;
    ids.engineering = emea.findGroupByName('Engineering')!.id;
    ids.empty = emea.findGroupByName('Empty')!.id;
    ids.mapping = emea.apps.values()[0]!.pushMappings.values()[0]!.id;
  });
  after(() => sim?.close());

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; link: string | null }> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `SSWS ${token}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text), link: res.headers.get('link') };
  }

  /** One kind: the simulator's status, Link rels and shape against every recorded sample of it. */
  async function check(
    kind: string,
    ignore: string,
    method: string,
    path: string,
    body?: unknown,
    recordings?: unknown[],
  ): Promise<unknown> {
    const samples = samplesOf(recorded, kind);
    const res = await call(method, path, body);
    const codes = new Set(samples.map((s) => s.code));
    assert.ok(
      codes.has(res.status),
      `${kind}: the simulator answered ${res.status}, Okta ${[...codes].join('/')}: ${JSON.stringify(res.body)}`,
    );
    const recordedLinks = samples.some((s) => s.link.length > 0);
    if (recordedLinks) assert.match(res.link ?? '', /rel="self"/, `${kind}: a list answers with a Link header`);
    else assert.equal(res.link, null, `${kind}: Okta sends no Link header here`);
    const expected = recordings ?? samples.map((s) => s.response);
    if (expected.every((r) => r === null)) {
      assert.equal(res.body, null, `${kind}: Okta answers with no body`);
      return res.body;
    }
    const problems = compareShapes(expected, res.body, [...IGNORED['*']!, ...(IGNORED[ignore] ?? [])]);
    assert.deepEqual(problems, [], `${kind}:\n${problems.map((p) => `  ${p.path}: ${p.problem}`).join('\n')}`);
    return res.body;
  }

  it('apps: list, create, replace, activate', async () => {
    const orgApps = samplesOf(recorded, 'GET /api/v1/apps').flatMap(ORG2ORG_APP);
    const list = (await check('GET /api/v1/apps', 'app', 'GET', '/api/v1/apps?limit=200', undefined, [orgApps])) as Record<
      string,
      unknown
    >[];
    const app = list[0]!;
    // The recorded POST and PUT answers are other kinds of apps: the Org2Org shape is the list's.
    const created = (
      await call('POST', '/api/v1/apps?activate=true', {
        name: 'okta_org2org',
        label: 'Second',
        signOnMode: 'SAML_2_0',
        settings: { app: { baseUrl: sim.orgs.hub!.url } },
      })
    ).body;
    assert.deepEqual(compareShapes(orgApps, created, IGNORED['*']!), []);
    const { id: _id, status: _s, created: _c, lastUpdated: _l, features: _f, _links: _k, ...whole } = app;
    const replaced = (await call('PUT', `/api/v1/apps/${appId}`, whole)).body;
    assert.deepEqual(compareShapes(orgApps, replaced, IGNORED['*']!), []);
    await check('POST /api/v1/apps/{appId}/lifecycle/activate', 'app', 'POST', `/api/v1/apps/${appId}/lifecycle/activate`);
  });

  it('connection: read, set without ?activate (it comes back DISABLED), activate', async () => {
    await check('GET /api/v1/apps/{appId}/connections/default', 'connection', 'GET', `/api/v1/apps/${appId}/connections/default`);
    const set = (await check(
      'POST /api/v1/apps/{appId}/connections/default',
      'connection',
      'POST',
      `/api/v1/apps/${appId}/connections/default`,
      {
        profile: { authScheme: 'TOKEN', token: sim.orgs.hub!.tokens.PROV },
      },
    )) as Record<string, unknown>;
    assert.equal(set.status, 'DISABLED', 'recorded: a POST without ?activate leaves the connection DISABLED');
    await check(
      'POST /api/v1/apps/{appId}/connections/default/lifecycle/activate',
      'connection',
      'POST',
      `/api/v1/apps/${appId}/connections/default/lifecycle/activate`,
    );
  });

  it('features: USER_PROVISIONING and INBOUND_PROVISIONING read and updated', async () => {
    await check(
      'PUT /api/v1/apps/{appId}/features/USER_PROVISIONING',
      'feature',
      'PUT',
      `/api/v1/apps/${appId}/features/USER_PROVISIONING`,
      {
        create: { lifecycleCreate: { status: 'ENABLED' } },
        update: {
          lifecycleDeactivate: { status: 'ENABLED' },
          password: { change: 'KEEP_EXISTING', seed: 'RANDOM', status: 'ENABLED' },
          profile: { status: 'DISABLED' },
        },
      },
    );
    await check(
      'GET /api/v1/apps/{appId}/features/USER_PROVISIONING',
      'feature',
      'GET',
      `/api/v1/apps/${appId}/features/USER_PROVISIONING`,
    );
    const inbound = (await check(
      'GET /api/v1/apps/{appId}/features/INBOUND_PROVISIONING',
      'feature',
      'GET',
      `/api/v1/apps/${appId}/features/INBOUND_PROVISIONING`,
    )) as Record<string, any>;
    assert.equal(inbound.capabilities.importSettings.username.userNameFormat, 'EMAIL');
  });

  it('app users: list, read, assign, unassign', async () => {
    await check('GET /api/v1/apps/{appId}/users', 'appUser', 'GET', `/api/v1/apps/${appId}/users`);
    await check('GET /api/v1/apps/{appId}/users/{userId}', 'appUser', 'GET', `/api/v1/apps/${appId}/users/${ids.alice}`);
    await check('POST /api/v1/apps/{appId}/users', 'appUser', 'POST', `/api/v1/apps/${appId}/users`, {
      id: ids.bob,
      credentials: { userName: 'bob@emea.example.com' },
    });
    await check('DELETE /api/v1/apps/{appId}/users/{userId}', 'appUser', 'DELETE', `/api/v1/apps/${appId}/users/${ids.bob}`);
  });

  it('app groups: list, assign, unassign', async () => {
    await check('GET /api/v1/apps/{appId}/groups', 'appGroup', 'GET', `/api/v1/apps/${appId}/groups?limit=200`);
    await check('PUT /api/v1/apps/{appId}/groups/{groupId}', 'appGroup', 'PUT', `/api/v1/apps/${appId}/groups/${ids.empty}`, {
      priority: 1,
      profile: {},
    });
    await check('DELETE /api/v1/apps/{appId}/groups/{groupId}', 'appGroup', 'DELETE', `/api/v1/apps/${appId}/groups/${ids.empty}`);
  });

  it('push mappings: list, read, create by name (an empty group: no lastPush), deactivate, delete (200)', async () => {
    await check('GET /api/v1/apps/{appId}/group-push/mappings', 'mapping', 'GET', `/api/v1/apps/${appId}/group-push/mappings`);
    await check(
      'GET /api/v1/apps/{appId}/group-push/mappings/{mappingId}',
      'mapping',
      'GET',
      `/api/v1/apps/${appId}/group-push/mappings/${ids.mapping}`,
    );
    const created = (await check(
      'POST /api/v1/apps/{appId}/group-push/mappings',
      'mapping',
      'POST',
      `/api/v1/apps/${appId}/group-push/mappings`,
      {
        sourceGroupId: ids.empty,
        status: 'ACTIVE',
        targetGroupName: 'Some Example Test Push Group',
      },
    )) as Record<string, unknown>;
    const standIn = (await call('GET', `/api/v1/groups/${String(created.targetGroupId)}`)).body as Record<string, any>;
    assert.equal(standIn.profile.name, 'Some Example Test Push Group', "recorded: targetGroupId is a group of the app's own org");
    await check(
      'PATCH /api/v1/apps/{appId}/group-push/mappings/{mappingId}',
      'mapping',
      'PATCH',
      `/api/v1/apps/${appId}/group-push/mappings/${String(created.id)}`,
      { status: 'INACTIVE' },
    );
    await check(
      'DELETE /api/v1/apps/{appId}/group-push/mappings/{mappingId}',
      'mapping',
      'DELETE',
      `/api/v1/apps/${appId}/group-push/mappings/${String(created.id)}?deleteTargetGroup=true`,
    );
  });

  it('app-user schema', async () => {
    const schema = (await check(
      'GET /api/v1/meta/schemas/apps/{appId}/default',
      'schema',
      'GET',
      `/api/v1/meta/schemas/apps/${appId}/default`,
    )) as Record<string, any>;
    assert.ok('initialStatus' in schema.definitions.base.properties, "Org2Org's attributes are the app's own: in base");
  });

  it('directory: users by search, roles, groups, group members', async () => {
    await check('GET /api/v1/users', 'user', 'GET', `/api/v1/users?limit=200&search=${encodeURIComponent('profile.email sw "alice"')}`);
    await check(
      'GET /api/v1/users/{userId}/roles',
      'roles',
      'GET',
      `/api/v1/users/${sim.org('emea').findUser('admin@emea.example.com')!.id}/roles`,
    );
    await check('GET /api/v1/groups', 'group', 'GET', `/api/v1/groups?limit=200&filter=${encodeURIComponent('type eq "OKTA_GROUP"')}`);
    await check('GET /api/v1/groups/{groupId}/users', 'user', 'GET', `/api/v1/groups/${ids.engineering}/users?limit=200`);
  });

  it('errors: the recorded body shape, errorLink = errorCode', async () => {
    const res = await call('GET', '/api/v1/apps/0oanosuchapp');
    assert.equal(res.status, 404);
    const real = recorded.errors.find((e) => e.code === 404)!.response;
    assert.deepEqual(compareShapes([real, ...recorded.errors.map((e) => e.response)], res.body, []), []);
    const body = res.body as Record<string, unknown>;
    assert.equal(body.errorLink, body.errorCode);
    assert.ok(
      recorded.errors.every((e) => e.response.errorLink === e.response.errorCode),
      'every recorded error says so',
    );
  });
});

describe('contract (b) can fail', () => {
  it('a recorded shape broken on purpose (usernameFormat for userNameFormat, a lastPush on an empty group) is reported, path by path', () => {
    const real = recorded.kinds['GET /api/v1/apps/{appId}/features/INBOUND_PROVISIONING']!.samples[0]!.response as Record<string, any>;
    const broken = structuredClone(real);
    broken.capabilities.importSettings.username = { usernameFormat: 'EMAIL' };
    assert.deepEqual(compareShapes([real], real, []), []);
    assert.deepEqual(
      compareShapes([broken], real, []).map((p) => `${p.path}: ${p.problem}`),
      [
        'capabilities.importSettings.username.usernameFormat: recorded, missing in the simulator',
        'capabilities.importSettings.username.userNameFormat: in the simulator, never recorded',
      ],
    );
    const mapping = recorded.kinds['POST /api/v1/apps/{appId}/group-push/mappings']!.samples[0]!.response as Record<string, unknown>;
    assert.deepEqual(
      compareShapes([mapping], { ...mapping, lastPush: '2026-01-01T00:00:00Z' }, []).map((p) => p.path),
      ['lastPush'],
    );
  });
});
