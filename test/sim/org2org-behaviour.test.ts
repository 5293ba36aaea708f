import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startSim, type Sim } from '../../src/sim/index.js';
import { call, q, simPerSuite } from './helpers.js';

const SEED = fileURLToPath(new URL('../../examples/sim/seed.yaml', import.meta.url));

describe('sim: Org2Org behaviour over HTTP (example seed)', () => {
  let sim: Sim;
  let hub: string, emea: string, apac: string;
  let hubRead: string, hubProv: string, emeaTok: string, apacTok: string;
  before(async () => {
    sim = await startSim(SEED);
    hub = sim.orgs.hub!.url;
    emea = sim.orgs.emea!.url;
    apac = sim.orgs.apac!.url;
    hubRead = sim.env.OKTA_HUB_READ_TOKEN!;
    hubProv = sim.env.OKTA_HUB_PROVISIONING_TOKEN!;
    emeaTok = sim.env.OKTA_EMEA_TOKEN!;
    apacTok = sim.env.OKTA_APAC_TOKEN!;
  });
  after(() => sim.close());

  const hubUser = async (login: string): Promise<any> => {
    const r = await call(hub, hubRead, 'GET', `/api/v1/users?search=${q(`profile.login eq "${login}"`)}`);
    assert.equal(r.status, 200);
    return r.body[0];
  };

  it('answers 401 E0000011 for a bad token and 403 E0000006 for a read-only admin writing', async () => {
    const bad = await call(emea, 'not-a-token', 'GET', '/api/v1/apps');
    assert.equal(bad.status, 401);
    assert.equal(bad.body.errorCode, 'E0000011');
    const none = await call(emea, undefined, 'GET', '/api/v1/apps');
    assert.equal(none.status, 401);
    const ro = await call(hub, hubRead, 'POST', '/api/v1/groups', { profile: { name: 'X' } });
    assert.equal(ro.status, 403);
    assert.equal(ro.body.errorCode, 'E0000006');
    assert.equal((await call(hub, hubRead, 'GET', '/api/v1/groups')).status, 200);
  });

  it('reports who a token belongs to and its roles', async () => {
    const me = await call(hub, hubRead, 'GET', '/api/v1/users/me');
    assert.equal(me.body.profile.login, 'reader@hub.acme.com');
    const roles = await call(hub, hubRead, 'GET', `/api/v1/users/${me.body.id}/roles`);
    assert.deepEqual(
      roles.body.map((r: any) => r.type),
      ['READ_ONLY_ADMIN'],
    );
  });

  it('seeds emea with its connected app, bob provisioned into the Hub, and the wrong initialStatus', async () => {
    const apps = await call(emea, emeaTok, 'GET', `/api/v1/apps?filter=${q('name eq "okta_org2org"')}`);
    assert.equal(apps.body.length, 1);
    const app = apps.body[0];
    assert.equal(app.label, 'Acme Hub');
    assert.equal(app.settings.app.baseUrl, hub);
    const conn = await call(emea, emeaTok, 'GET', `/api/v1/apps/${app.id}/connections/default`);
    assert.equal(conn.body.status, 'ENABLED');
    assert.equal(conn.body.profile.token, undefined, 'the token is write-only');
    const features = await call(emea, emeaTok, 'GET', `/api/v1/apps/${app.id}/features/USER_PROVISIONING`);
    assert.equal(features.body.capabilities.update.lifecycleDeactivate.status, 'DISABLED');
    const users = await call(emea, emeaTok, 'GET', `/api/v1/apps/${app.id}/users?expand=user`);
    assert.equal(users.body.length, 1);
    assert.equal(users.body[0]._embedded.user.profile.login, 'bob@acme.com');
    assert.equal(users.body[0].profile.initialStatus, 'active_with_pass');
    const bob = await hubUser('bob@acme.com');
    assert.equal(users.body[0].externalId, bob.id);
    assert.equal(bob.status, 'ACTIVE');
    // apac has no Org2Org app yet.
    assert.deepEqual((await call(apac, apacTok, 'GET', '/api/v1/apps')).body, []);
  });

  it('refuses to activate a connection whose token is not a Hub Super Admin, then provisions with the right one', async () => {
    const created = await call(apac, apacTok, 'POST', '/api/v1/apps?activate=true', {
      name: 'okta_org2org',
      label: 'Acme Hub',
      signOnMode: 'SAML_2_0',
      settings: { app: { baseUrl: hub } },
    });
    assert.equal(created.status, 200);
    const appId = created.body.id;
    const features = await call(apac, apacTok, 'GET', `/api/v1/apps/${appId}/features`);
    assert.equal(features.status, 400);
    assert.equal(features.body.errorCode, 'E0000001');
    assert.match(features.body.errorCauses[0].errorSummary, /Provisioning is not enabled/);

    const readOnly = await call(apac, apacTok, 'POST', `/api/v1/apps/${appId}/connections/default?activate=true`, {
      profile: { authScheme: 'TOKEN', token: hubRead },
    });
    assert.equal(readOnly.status, 400);
    assert.equal(readOnly.body.errorCode, 'E0000001');
    assert.match(readOnly.body.errorCauses[0].errorSummary, /Super Administrator/);
    const unknown = await call(apac, apacTok, 'POST', `/api/v1/apps/${appId}/connections/default?activate=true`, {
      profile: { authScheme: 'TOKEN', token: 'sim-nope' },
    });
    assert.equal(unknown.status, 400);

    const good = await call(apac, apacTok, 'POST', `/api/v1/apps/${appId}/connections/default?activate=true`, {
      profile: { authScheme: 'TOKEN', token: hubProv },
    });
    assert.equal(good.status, 200);
    assert.equal(good.body.status, 'ENABLED');
    const put = await call(apac, apacTok, 'PUT', `/api/v1/apps/${appId}/features/USER_PROVISIONING`, {
      create: { lifecycleCreate: { status: 'ENABLED' } },
      update: { profile: { status: 'ENABLED' } },
    });
    assert.equal(put.status, 200);
    assert.equal(put.body.capabilities.create.lifecycleCreate.status, 'ENABLED');
    assert.equal(put.body.capabilities.update.lifecycleDeactivate.status, 'DISABLED');

    const kenji = (await call(apac, apacTok, 'GET', '/api/v1/users/kenji@acme.com')).body;
    const mei = (await call(apac, apacTok, 'GET', '/api/v1/users/mei@acme.com')).body;
    const badStatus = await call(apac, apacTok, 'POST', `/api/v1/apps/${appId}/users`, {
      id: kenji.id,
      scope: 'USER',
      profile: { initialStatus: 'nope' },
    });
    assert.equal(badStatus.status, 400);
    const a1 = await call(apac, apacTok, 'POST', `/api/v1/apps/${appId}/users`, {
      id: kenji.id,
      scope: 'USER',
      credentials: { userName: 'kenji@acme.com' },
      profile: { initialStatus: 'active_without_pass' },
    });
    const a2 = await call(apac, apacTok, 'POST', `/api/v1/apps/${appId}/users`, {
      id: mei.id,
      scope: 'USER',
      credentials: { userName: 'mei@acme.com' },
      profile: { initialStatus: 'pending_without_pass', securityQuestion: 'First pet?', securityAnswer: 'canary-answer-123' },
    });
    assert.equal(a1.status, 200);
    assert.equal(a1.body.status, 'PROVISIONED');
    assert.equal(a1.body.syncState, 'SYNCHRONIZED');
    assert.ok(!JSON.stringify(a2.body).includes('canary-answer-123'), 'the security answer is never returned');
    assert.equal(a2.body.profile.securityQuestion, 'First pet?');
    assert.equal((await hubUser('kenji@acme.com')).status, 'PROVISIONED');
    assert.equal((await hubUser('mei@acme.com')).status, 'STAGED');
    assert.equal((await hubUser('kenji@acme.com')).id, a1.body.externalId);

    // Push APAC Support: the Hub group is created and gets the provisioned members.
    const support = (await call(apac, apacTok, 'GET', `/api/v1/groups?search=${q('profile.name eq "APAC Support"')}`)).body[0];
    const both = await call(apac, apacTok, 'POST', `/api/v1/apps/${appId}/group-push/mappings`, {
      sourceGroupId: support.id,
      targetGroupId: 'x',
      targetGroupName: 'y',
    });
    assert.equal(both.status, 400);
    const m = await call(apac, apacTok, 'POST', `/api/v1/apps/${appId}/group-push/mappings`, {
      sourceGroupId: support.id,
      targetGroupName: 'APAC Support',
      status: 'ACTIVE',
    });
    assert.equal(m.status, 200, 'recorded: POST answers 200');
    const target = (await call(hub, hubRead, 'GET', `/api/v1/groups?search=${q('profile.name eq "APAC Support"')}`)).body;
    assert.equal(target.length, 1);
    // As recorded: targetGroupId names a group of the Spoke (the APP_GROUP standing for the Hub group).
    assert.notEqual(m.body.targetGroupId, target[0].id);
    const standIn = (await call(apac, apacTok, 'GET', `/api/v1/groups/${m.body.targetGroupId}`)).body;
    assert.equal(standIn.type, 'APP_GROUP');
    assert.equal(standIn.profile.name, 'APAC Support');
    assert.equal(m.body._links.targetGroup.href, `${apac}/api/v1/groups/${m.body.targetGroupId}`);
    assert.equal(m.body.lastPush !== undefined, true, 'members were pushed');
    const members = await call(hub, hubRead, 'GET', `/api/v1/groups/${target[0].id}/users`);
    assert.deepEqual(members.body.map((u: any) => u.profile.login).sort(), ['kenji@acme.com', 'mei@acme.com']);

    // Deleting needs INACTIVE and the deleteTargetGroup parameter.
    assert.equal(
      (await call(apac, apacTok, 'DELETE', `/api/v1/apps/${appId}/group-push/mappings/${m.body.id}?deleteTargetGroup=false`)).status,
      400,
    );
    assert.equal(
      (await call(apac, apacTok, 'PATCH', `/api/v1/apps/${appId}/group-push/mappings/${m.body.id}`, { status: 'INACTIVE' })).status,
      200,
    );
    assert.equal((await call(apac, apacTok, 'DELETE', `/api/v1/apps/${appId}/group-push/mappings/${m.body.id}`)).status, 400);
    assert.equal(
      (await call(apac, apacTok, 'DELETE', `/api/v1/apps/${appId}/group-push/mappings/${m.body.id}?deleteTargetGroup=true`)).status,
      200,
      'recorded: DELETE answers 200',
    );
    assert.equal((await call(hub, hubRead, 'GET', `/api/v1/groups/${target[0].id}`)).status, 404);

    // Unassigning without Deactivate Users leaves the Hub user as it is.
    assert.equal((await call(apac, apacTok, 'DELETE', `/api/v1/apps/${appId}/users/${kenji.id}?sendEmail=false`)).status, 204);
    assert.equal((await hubUser('kenji@acme.com')).status, 'PROVISIONED');
  });

  it('links the existing Hub group Ops, keeps members in step, and deactivates on unassign when enabled', async () => {
    const app = (await call(emea, emeaTok, 'GET', `/api/v1/apps?q=Acme`)).body[0];
    const legacy = (await call(emea, emeaTok, 'GET', `/api/v1/groups?q=Legacy`)).body[0];
    const ops = (await call(hub, hubRead, 'GET', `/api/v1/groups?search=${q('profile.name eq "Ops"')}`)).body[0];
    const m = await call(emea, emeaTok, 'POST', `/api/v1/apps/${app.id}/group-push/mappings`, {
      sourceGroupId: legacy.id,
      targetGroupName: 'Ops',
    });
    assert.equal(m.status, 200, 'recorded: POST answers 200');
    const standIn = (await call(emea, emeaTok, 'GET', `/api/v1/groups/${m.body.targetGroupId}`)).body;
    assert.deepEqual(
      [standIn.type, standIn.profile.name],
      ['APP_GROUP', 'Ops'],
      'the target is the Spoke group imported for the Hub group Ops',
    );
    assert.equal(
      (await call(hub, hubRead, 'GET', `/api/v1/groups?search=${q('profile.name eq "Ops"')}`)).body.length,
      1,
      'links the existing group instead of creating one',
    );
    const opsMembers = async (): Promise<string[]> =>
      (await call(hub, hubRead, 'GET', `/api/v1/groups/${ops.id}/users`)).body.map((u: any) => u.profile.login).sort();
    // Members become the provisioned members of Legacy Ops (bob): omar, not pushed, is removed.
    assert.deepEqual(await opsMembers(), ['bob@acme.com']);

    const alice = (await call(emea, emeaTok, 'GET', '/api/v1/users/alice@acme.com')).body;
    assert.equal((await call(emea, emeaTok, 'PUT', `/api/v1/groups/${legacy.id}/users/${alice.id}`)).status, 204);
    assert.deepEqual(await opsMembers(), ['bob@acme.com'], 'alice is not assigned, so not pushed');
    await call(emea, emeaTok, 'POST', `/api/v1/apps/${app.id}/users`, {
      id: alice.id,
      scope: 'USER',
      profile: { initialStatus: 'active_with_pass' },
    });
    assert.deepEqual(await opsMembers(), ['alice@acme.com', 'bob@acme.com']);
    assert.equal((await hubUser('alice@acme.com')).status, 'ACTIVE');

    // Update User Attributes pushes profile changes.
    await call(emea, emeaTok, 'POST', `/api/v1/users/${alice.id}`, { profile: { lastName: 'Renamed' } });
    assert.equal((await hubUser('alice@acme.com')).profile.lastName, 'Renamed');

    await call(emea, emeaTok, 'PUT', `/api/v1/apps/${app.id}/features/USER_PROVISIONING`, {
      update: { lifecycleDeactivate: { status: 'ENABLED' } },
    });
    assert.equal((await call(emea, emeaTok, 'DELETE', `/api/v1/apps/${app.id}/users/${alice.id}`)).status, 204);
    assert.equal((await hubUser('alice@acme.com')).status, 'DEPROVISIONED');
    assert.deepEqual(await opsMembers(), ['bob@acme.com']);
    assert.equal((await call(emea, emeaTok, 'GET', `/api/v1/apps/${app.id}/users/${alice.id}`)).status, 404);
  });

  it('assigns group members through an app group assignment (scope GROUP)', async () => {
    const app = (await call(emea, emeaTok, 'GET', `/api/v1/apps`)).body[0];
    const sales = (await call(emea, emeaTok, 'GET', `/api/v1/groups?search=${q('profile.name eq "EMEA Sales"')}`)).body[0];
    const put = await call(emea, emeaTok, 'PUT', `/api/v1/apps/${app.id}/groups/${sales.id}`, { priority: 0 });
    assert.equal(put.status, 200);
    const users = (await call(emea, emeaTok, 'GET', `/api/v1/apps/${app.id}/users?expand=user&limit=500`)).body;
    const eva = users.find((u: any) => u._embedded.user.profile.login === 'eva@acme.com');
    assert.equal(eva.scope, 'GROUP');
    assert.equal(eva.status, 'PROVISIONED');
    assert.equal((await call(emea, emeaTok, 'DELETE', `/api/v1/apps/${app.id}/groups/${sales.id}`)).status, 204);
    assert.equal((await call(emea, emeaTok, 'GET', `/api/v1/apps/${app.id}/users/${eva.id}`)).status, 404);
  });
});

describe('sim: failed pushes', () => {
  it('reports syncState ERROR with an errorSummary when the Hub token was revoked, and retries on re-assign', async () => {
    const sim = await startSim(SEED);
    try {
      const e = sim.orgs.emea!;
      const tok = e.tokens.OKTA_EMEA_TOKEN!;
      const hubToken = sim.env.OKTA_HUB_PROVISIONING_TOKEN!;
      const grant = sim.org('hub').tokens.get(hubToken)!;
      sim.org('hub').tokens.delete(hubToken); // revoked behind the API's back
      const app = (await call(e.url, tok, 'GET', '/api/v1/apps')).body[0];
      const chloe = (await call(e.url, tok, 'GET', '/api/v1/users/chloe@acme.com')).body;
      const failed = await call(e.url, tok, 'POST', `/api/v1/apps/${app.id}/users`, { id: chloe.id, scope: 'USER' });
      assert.equal(failed.body.syncState, 'ERROR');
      assert.match(failed.body.errorSummary, /Invalid API token/);
      assert.equal(sim.org('hub').findUser('chloe@acme.com'), undefined);
      sim.org('hub').tokens.set(hubToken, grant);
      const retried = await call(e.url, tok, 'POST', `/api/v1/apps/${app.id}/users`, { id: chloe.id, scope: 'USER' });
      assert.equal(retried.body.status, 'PROVISIONED');
      assert.equal(retried.body.errorSummary, undefined);
      assert.equal(sim.org('hub').findUser('chloe@acme.com')!.status, 'PROVISIONED');
    } finally {
      await sim.close();
    }
  });
});

describe('sim: provisioning delay', () => {
  it('keeps a pushed user STAGED (no externalId) until the delay has passed', async () => {
    const sim = await startSim(SEED, { provisioningDelayMs: 150 });
    try {
      const e = sim.orgs.emea!;
      const tok = e.tokens.OKTA_EMEA_TOKEN!;
      const app = (await call(e.url, tok, 'GET', '/api/v1/apps')).body[0];
      const chloe = (await call(e.url, tok, 'GET', '/api/v1/users/chloe@acme.com')).body;
      const a = await call(e.url, tok, 'POST', `/api/v1/apps/${app.id}/users`, { id: chloe.id, scope: 'USER' });
      assert.equal(a.body.status, 'STAGED');
      assert.equal(a.body.externalId, null);
      let now = a.body;
      for (let i = 0; i < 50 && now.status !== 'PROVISIONED'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        now = (await call(e.url, tok, 'GET', `/api/v1/apps/${app.id}/users/${chloe.id}`)).body;
      }
      assert.equal(now.status, 'PROVISIONED');
      assert.ok(now.externalId);
    } finally {
      await sim.close();
    }
  });
});

describe('sim: shapes settled by recorded Okta traffic', () => {
  const suiteSim = simPerSuite(SEED);
  /** The simulator, emea's URL and token, and emea's Org2Org app as Okta lists it. */
  const emeaApp = async () => {
    const sim = suiteSim();
    const emea = sim.orgs.emea!.url;
    const tok = sim.env.OKTA_EMEA_TOKEN!;
    return { sim, emea, tok, app: (await call(emea, tok, 'GET', '/api/v1/apps')).body[0] };
  };

  it("keeps Org2Org's app-user attributes in definitions.base; custom is left to admins", async () => {
    const { emea, tok, app } = await emeaApp();
    const schema = (await call(emea, tok, 'GET', `/api/v1/meta/schemas/apps/${app.id}/default`)).body;
    assert.deepEqual(Object.keys(schema.definitions.base.properties).sort(), [
      'initialStatus',
      'securityAnswer',
      'securityQuestion',
      'userName',
    ]);
    assert.deepEqual(schema.definitions.custom.properties, {});
  });

  it("links to an existing Hub group by name only once the Hub's groups are imported; the refusal names that step", async () => {
    const { sim, emea, tok, app } = await emeaApp();
    // A Hub group made after emea's import, and a new Spoke group to push into it.
    assert.equal(
      (
        await call(sim.orgs.hub!.url, sim.env.OKTA_HUB_PROVISIONING_TOKEN, 'POST', '/api/v1/groups', {
          profile: { name: 'Late Hub Group' },
        })
      ).status,
      200,
    );
    const source = (await call(emea, tok, 'POST', '/api/v1/groups', { profile: { name: 'Late Source' } })).body;
    const path = `/api/v1/apps/${app.id}/group-push/mappings`;
    const refused = await call(emea, tok, 'POST', path, { sourceGroupId: source.id, targetGroupName: 'Late Hub Group', status: 'ACTIVE' });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errorLink, refused.body.errorCode);
    assert.match(refused.body.errorCauses[0].errorSummary, /has not been imported into this org: import the target org's groups/);
    assert.equal(sim.importHubGroups('emea', 'Acme Hub') > 0, true);
    const linked = await call(emea, tok, 'POST', path, { sourceGroupId: source.id, targetGroupName: 'Late Hub Group', status: 'ACTIVE' });
    assert.equal(linked.status, 200);
    assert.equal(linked.body.lastPush, undefined, "recorded: an empty group's new mapping has no lastPush");
    assert.equal((await call(emea, tok, 'GET', `/api/v1/groups/${linked.body.targetGroupId}`)).body.profile.name, 'Late Hub Group');
    // A Hub group id is not a target id: Okta reads targetGroupId in the Spoke.
    const hubGroup = (
      await call(sim.orgs.hub!.url, sim.env.OKTA_HUB_READ_TOKEN, 'GET', `/api/v1/groups?search=${q('profile.name eq "Ops"')}`)
    ).body[0];
    const other = (await call(emea, tok, 'POST', '/api/v1/groups', { profile: { name: 'Other Source' } })).body;
    assert.equal((await call(emea, tok, 'POST', path, { sourceGroupId: other.id, targetGroupId: hubGroup.id })).status, 400);
  });

  it('a connection POST without ?activate leaves an ENABLED connection DISABLED; with activate=true it is enabled', async () => {
    const { sim, emea, tok, app } = await emeaApp();
    const path = `/api/v1/apps/${app.id}/connections/default`;
    assert.equal((await call(emea, tok, 'GET', path)).body.status, 'ENABLED');
    const body = { profile: { authScheme: 'TOKEN', token: sim.env.OKTA_HUB_PROVISIONING_TOKEN } };
    const plain = await call(emea, tok, 'POST', path, body);
    assert.equal(plain.status, 200);
    assert.equal(plain.body.status, 'DISABLED');
    assert.ok(plain.body._links.activate, 'a disabled connection links to its activation');
    const activated = await call(emea, tok, 'POST', `${path}?activate=true`, body);
    assert.equal(activated.body.status, 'ENABLED');
  });
});
