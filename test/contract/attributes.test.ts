/**
 * Contract: profile schemas and profile mappings. The simulator answers the schema and mapping
 * requests org2org makes with the shapes and semantics real Okta answered (recorded in the
 * Terraform provider's cassettes, fixtures/okta-recorded-attrs, MPL-2.0): the list without
 * properties, the mapping with them, POST merging (null removes), schema POSTs answering the whole
 * schema. And the Org2Org behaviour that rides on them: a provisioned user gets the mapped value in
 * the Hub on create, and with PUSH on update (DONT_PUSH: create only).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSim, type Sim, type SimSeed } from '../../src/sim/index.js';
import { compareShapes, type Recorded } from './recorded.js';

const recorded = JSON.parse(readFileSync(new URL('./fixtures/okta-recorded-attrs/interactions.json', import.meta.url), 'utf8')) as Recorded;
const samples = (kind: string) => recorded.kinds[kind]!.samples;

// Hypermedia links are never followed by org2org; schema properties are data, not shape.
const IGNORED = [
  '_links',
  '[]._links',
  'source._links',
  'target._links',
  '[].source._links',
  '[].target._links',
  'properties.*',
  'definitions.base.properties',
  'definitions.custom.properties',
  'definitions.base.required',
  'definitions.custom.required',
];

function seed(): SimSeed {
  return {
    orgs: {
      hub: { tokens: { PROV: { user: 'prov@hub.example.com', roles: ['SUPER_ADMIN'] } }, userSchema: { spokeOrigin: 'string' } },
      emea: {
        users: [
          { login: 'alice@emea.example.com', profile: { department: 'Sales', costCenter: 'CC-1' } },
          { login: 'bob@emea.example.com', profile: { department: 'Legal' } },
        ],
        tokens: { ADMIN: { user: 'admin@emea.example.com', roles: ['SUPER_ADMIN'] } },
        apps: [
          {
            label: 'Acme Hub',
            hub: 'hub',
            connection: { token: 'hub/PROV' },
            provisioning: { createUsers: true, updateUserAttributes: true },
            attributes: [
              { name: 'department', expression: 'user.department', pushStatus: 'PUSH' },
              { name: 'costCenter', expression: 'user.costCenter', pushStatus: 'DONT_PUSH' },
            ],
            users: [{ login: 'alice@emea.example.com' }],
          },
        ],
      },
    },
  };
}

describe('contract: profile schemas and mappings answer as recorded', () => {
  let sim: Sim;
  let url: string;
  let token: string;
  let appId: string;
  before(async () => {
    sim = await startSim(seed());
    url = sim.orgs.emea!.url;
    token = sim.orgs.emea!.tokens.ADMIN!;
    appId = sim.org('emea').apps.values()[0]!.id;
  });
  after(() => sim?.close());

  async function call(method: string, path: string, body?: unknown, base = url, auth = token) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `SSWS ${auth}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as any), link: res.headers.get('link') };
  }

  function sameShape(kind: string, answer: unknown): void {
    const problems = compareShapes(
      samples(kind).map((s) => s.response),
      answer,
      IGNORED,
    );
    assert.deepEqual(problems, [], `${kind}:\n${problems.map((p) => `  ${p.path}: ${p.problem}`).join('\n')}`);
  }

  let mappingId: string;

  it('the app mapping is found by sourceId and targetId; the list has no properties (recorded)', async () => {
    const userTypeId = sim.org('emea').userTypeId;
    const list = await call('GET', `/api/v1/mappings?sourceId=${userTypeId}&targetId=${appId}&limit=200`);
    assert.equal(list.status, 200);
    assert.match(list.link ?? '', /rel="self"/);
    sameShape('GET /api/v1/mappings', list.body);
    assert.equal(list.body.length, 1);
    assert.equal(list.body[0].properties, undefined);
    assert.deepEqual([list.body[0].source.type, list.body[0].target.type], ['user', 'appuser']);
    assert.equal(list.body[0].target.name, 'okta_org2org', "the spec's Org2Org example names the target okta_org2org");
    mappingId = list.body[0].id;
    const all = await call('GET', '/api/v1/mappings');
    assert.equal(all.body.length, 2, 'an Org2Org app has both mappings: to the app and from it');
  });

  it('a mapping has its properties, keyed by target attribute (recorded)', async () => {
    const one = await call('GET', `/api/v1/mappings/${mappingId}`);
    assert.equal(one.status, 200);
    assert.equal(one.link, null);
    sameShape('GET /api/v1/mappings/{mappingId}', one.body);
    assert.deepEqual(one.body.properties.department, { expression: 'user.department', pushStatus: 'PUSH' });
  });

  it('POST merges: sent properties are added or replaced, null removes, the others stay (recorded + spec)', async () => {
    // Recorded (interaction 17 and 37): a property sent as null is gone from the answer.
    for (const s of samples('POST /api/v1/mappings/{mappingId}')) {
      for (const [name, value] of Object.entries((s.request as any).properties)) {
        if (value === null) assert.equal((s.response as any).properties[name], undefined, `recorded ${s.interaction}: ${name} removed`);
        else assert.deepEqual((s.response as any).properties[name], value, `recorded ${s.interaction}: ${name} set`);
      }
    }
    await call('POST', `/api/v1/meta/schemas/apps/${appId}/default`, {
      definitions: { custom: { properties: { title: { title: 'Title', type: 'string' } } } },
    });
    const added = await call('POST', `/api/v1/mappings/${mappingId}`, {
      properties: { title: { expression: 'user.title', pushStatus: 'PUSH' } },
    });
    assert.equal(added.status, 200);
    sameShape('POST /api/v1/mappings/{mappingId}', added.body);
    assert.deepEqual(Object.keys(added.body.properties).sort(), ['costCenter', 'department', 'title'], 'omitted properties are kept');
    const removed = await call('POST', `/api/v1/mappings/${mappingId}`, { properties: { title: null } });
    assert.deepEqual(Object.keys(removed.body.properties).sort(), ['costCenter', 'department']);
    // The spec's RemoveMappingBody form.
    await call('POST', `/api/v1/mappings/${mappingId}`, { properties: { title: { expression: 'user.title', pushStatus: 'PUSH' } } });
    const specRemoved = await call('POST', `/api/v1/mappings/${mappingId}`, {
      properties: { title: { expression: null, pushStatus: null } },
    });
    assert.equal(specRemoved.body.properties.title, undefined);
  });

  it('POST refuses a target attribute the app lacks and an expression naming a source attribute the user schema lacks', async () => {
    const noTarget = await call('POST', `/api/v1/mappings/${mappingId}`, {
      properties: { nope: { expression: 'user.title', pushStatus: 'PUSH' } },
    });
    assert.equal(noTarget.status, 400);
    assert.equal(noTarget.body.errorCode, 'E0000001');
    const typo = await call('POST', `/api/v1/mappings/${mappingId}`, {
      properties: { department: { expression: 'user.departmnet', pushStatus: 'PUSH' } },
    });
    assert.equal(typo.status, 400);
    assert.match(JSON.stringify(typo.body.errorCauses), /departmnet/);
    const still = await call('GET', `/api/v1/mappings/${mappingId}`);
    assert.equal(still.body.properties.department.expression, 'user.department', 'a refused POST changes nothing');
  });

  it('user schema: GET and POST answer the whole schema; a custom property is added, then removed with null (recorded)', async () => {
    const hub = sim.orgs.hub!;
    const hubToken = hub.tokens.PROV!;
    const read = await call('GET', '/api/v1/meta/schemas/user/default', undefined, hub.url, hubToken);
    assert.equal(read.status, 200);
    sameShape('GET /api/v1/meta/schemas/user/default', read.body);
    assert.ok(read.body.definitions.base.properties.department, "department is one of Okta's base user attributes (recorded)");
    assert.ok(read.body.definitions.custom.properties.spokeOrigin);
    const add = await call(
      'POST',
      '/api/v1/meta/schemas/user/default',
      { definitions: { custom: { id: '#custom', type: 'object', properties: { badge: { title: 'Badge', type: 'string' } } } } },
      hub.url,
      hubToken,
    );
    assert.equal(add.status, 200);
    sameShape('POST /api/v1/meta/schemas/user/default', add.body);
    assert.deepEqual(Object.keys(add.body.definitions.custom.properties).sort(), ['badge', 'spokeOrigin'], 'merged, not replaced');
    const drop = await call(
      'POST',
      '/api/v1/meta/schemas/user/default',
      { definitions: { custom: { properties: { badge: null } } } },
      hub.url,
      hubToken,
    );
    assert.deepEqual(Object.keys(drop.body.definitions.custom.properties), ['spokeOrigin']);
    const noTitle = await call(
      'POST',
      '/api/v1/meta/schemas/user/default',
      { definitions: { custom: { properties: { x: { type: 'string' } } } } },
      hub.url,
      hubToken,
    );
    assert.equal(noTitle.status, 400);
    const base = await call(
      'POST',
      '/api/v1/meta/schemas/user/default',
      { definitions: { custom: { properties: { department: { title: 'D', type: 'string' } } } } },
      hub.url,
      hubToken,
    );
    assert.equal(base.status, 400, 'a custom attribute may not take a base attribute’s name');
  });

  it('app-user schema: POST adds and removes custom properties and answers the whole schema (recorded)', async () => {
    const add = await call('POST', `/api/v1/meta/schemas/apps/${appId}/default`, {
      definitions: { custom: { id: '#custom', type: 'object', properties: { badge: { title: 'Badge', type: 'string' } } } },
    });
    assert.equal(add.status, 200);
    sameShape('POST /api/v1/meta/schemas/apps/{appId}/default', add.body);
    assert.ok(add.body.definitions.custom.properties.badge);
    assert.ok(add.body.definitions.custom.properties.department, 'the others stay');
    const read = await call('GET', `/api/v1/meta/schemas/apps/${appId}/default`);
    sameShape('GET /api/v1/meta/schemas/apps/{appId}/default', read.body);
    const drop = await call('POST', `/api/v1/meta/schemas/apps/${appId}/default`, {
      definitions: { custom: { properties: { badge: null } } },
    });
    assert.equal(drop.body.definitions.custom.properties.badge, undefined);
  });

  it('provisioning: the Hub user gets mapped values on create; PUSH follows updates, DONT_PUSH does not', async () => {
    const hub = sim.org('hub');
    const alice = hub.findUser('alice@emea.example.com')!;
    assert.equal(alice.profile.department, 'Sales', 'mapped on create');
    assert.equal(alice.profile.costCenter, 'CC-1', 'DONT_PUSH still applies on create');
    const spokeAlice = sim.org('emea').findUser('alice@emea.example.com')!;
    const upd = await call('POST', `/api/v1/users/${spokeAlice.id}`, { profile: { department: 'Finance', costCenter: 'CC-2' } });
    assert.equal(upd.status, 200);
    assert.equal(hub.findUser('alice@emea.example.com')!.profile.department, 'Finance', 'PUSH: the update reaches the Hub');
    assert.equal(hub.findUser('alice@emea.example.com')!.profile.costCenter, 'CC-1', 'DONT_PUSH: the update does not');
    // A new assignment: evaluated at create time.
    const bob = sim.org('emea').findUser('bob@emea.example.com')!;
    const assigned = await call('POST', `/api/v1/apps/${appId}/users`, { id: bob.id, scope: 'USER' });
    assert.equal(assigned.status, 200);
    assert.equal(assigned.body.profile.department, 'Legal', "the app user's profile shows the mapped value");
    assert.equal(hub.findUser('bob@emea.example.com')!.profile.department, 'Legal');
  });
});
