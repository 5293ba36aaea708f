import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { startSim, type Sim } from '../../src/sim/index.js';
import { call } from './helpers.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

function assertion(alg: 'RS256' | 'ES256', key: KeyObject, clientId: string, aud: string): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${enc({ alg, typ: 'JWT' })}.${enc({ iss: clientId, sub: clientId, aud, iat: now, exp: now + 300, jti: randomUUID() })}`;
  const sig =
    alg === 'RS256' ? sign('sha256', Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

async function token(url: string, jwt: string, scope: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: jwt,
    }),
  });
  return { status: res.status, body: await res.json() };
}

describe('sim: OAuth 2.0 service apps (private_key_jwt)', () => {
  let sim: Sim;
  let hub: string;
  before(async () => {
    sim = await startSim({
      orgs: {
        hub: {
          users: [{ login: 'a@hub.example.com' }],
          serviceApps: [
            {
              clientId: '0oarsa',
              publicJwk: rsa.publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
              scopes: ['okta.users.read', 'okta.groups.read'],
            },
            {
              clientId: '0oaec',
              publicJwk: ec.publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
              scopes: ['okta.apps.manage'],
            },
          ],
        },
      },
    });
    hub = sim.orgs.hub!.url;
  });
  after(() => sim.close());

  it('issues a Bearer token for an RS256 assertion, limited to the granted scopes', async () => {
    const r = await token(hub, assertion('RS256', rsa.privateKey, '0oarsa', `${hub}/oauth2/v1/token`), 'okta.users.read');
    assert.equal(r.status, 200);
    assert.equal(r.body.token_type, 'Bearer');
    assert.equal(r.body.scope, 'okta.users.read');
    const users = await call(hub, r.body.access_token, 'GET', '/api/v1/users', undefined, 'Bearer');
    assert.equal(users.status, 200);
    const groups = await call(hub, r.body.access_token, 'GET', '/api/v1/groups', undefined, 'Bearer');
    assert.equal(groups.status, 403, 'okta.groups.read was not requested');
    assert.equal(groups.body.errorCode, 'E0000006');
    const write = await call(hub, r.body.access_token, 'POST', '/api/v1/users', { profile: { login: 'x@y' } }, 'Bearer');
    assert.equal(write.status, 403);
  });

  it('accepts ES256 and refuses scopes the app was not granted', async () => {
    const ok = await token(hub, assertion('ES256', ec.privateKey, '0oaec', `${hub}/oauth2/v1/token`), 'okta.apps.manage');
    assert.equal(ok.status, 200);
    assert.equal((await call(hub, ok.body.access_token, 'POST', '/api/v1/apps', { name: 'bookmark', label: 'B' }, 'Bearer')).status, 200);
    const denied = await token(hub, assertion('ES256', ec.privateKey, '0oaec', `${hub}/oauth2/v1/token`), 'okta.users.manage');
    assert.equal(denied.status, 400);
    assert.equal(denied.body.error, 'invalid_scope');
  });

  it('rejects a wrong key, a wrong audience, a replayed assertion and an unknown client', async () => {
    const wrongKey = await token(hub, assertion('RS256', other.privateKey, '0oarsa', `${hub}/oauth2/v1/token`), 'okta.users.read');
    assert.equal(wrongKey.status, 401);
    assert.equal(wrongKey.body.error, 'invalid_client');
    const wrongAud = await token(hub, assertion('RS256', rsa.privateKey, '0oarsa', 'https://elsewhere/oauth2/v1/token'), 'okta.users.read');
    assert.equal(wrongAud.status, 401);
    const jwt = assertion('RS256', rsa.privateKey, '0oarsa', `${hub}/oauth2/v1/token`);
    assert.equal((await token(hub, jwt, 'okta.users.read')).status, 200);
    assert.equal((await token(hub, jwt, 'okta.users.read')).status, 401);
    assert.equal(
      (await token(hub, assertion('RS256', rsa.privateKey, '0oanobody', `${hub}/oauth2/v1/token`), 'okta.users.read')).status,
      401,
    );
    assert.equal((await call(hub, 'sim.at.forged', 'GET', '/api/v1/users', undefined, 'Bearer')).status, 401);
  });
});

describe('sim: OAuth provisioning connection (Org2Org), both sides', () => {
  let sim: Sim;
  let hub: { url: string; tokens: Record<string, string> };
  let spoke: { url: string; tokens: Record<string, string> };
  let appId: string;
  const H = (method: string, path: string, body?: unknown) => call(hub.url, hub.tokens.ADMIN, method, path, body);
  const S = (method: string, path: string, body?: unknown) => call(spoke.url, spoke.tokens.T, method, path, body);
  const service = (jwks: object) => ({
    client_name: 'org2org spoke',
    application_type: 'service',
    grant_types: ['client_credentials'],
    response_types: ['token'],
    token_endpoint_auth_method: 'private_key_jwt',
    ...jwks,
  });
  const hubUser = (login: string) => sim.org('hub').findUser(login);
  const assign = async (login: string) => {
    const user = sim.org('spoke').findUser(login)!;
    const r = await S('POST', `/api/v1/apps/${appId}/users`, {
      id: user.id,
      scope: 'USER',
      profile: { initialStatus: 'active_with_pass' },
    });
    assert.equal(r.status, 200);
    return r.body;
  };

  before(async () => {
    sim = await startSim({
      orgs: {
        hub: {
          tokens: {
            ADMIN: { user: 'admin@hub.example.com', roles: ['SUPER_ADMIN'] },
            APPS: { user: 'apps@hub.example.com', roles: ['APP_ADMIN'] },
          },
        },
        spoke: {
          users: ['a', 'b', 'c', 'd', 'e'].map((n) => ({ login: `${n}@spoke.example.com` })),
          tokens: { T: { user: 'admin@spoke.example.com', roles: ['SUPER_ADMIN'] } },
          apps: [{ label: 'Acme Hub', hub: 'hub', provisioning: { createUsers: true } }],
        },
      },
    });
    hub = sim.orgs.hub!;
    spoke = sim.orgs.spoke!;
    appId = sim.org('spoke').apps.values()[0]!.id;
  });
  after(() => sim.close());

  it('builds the Hub side step by step; activation names what is still missing; users arrive over OAuth', async () => {
    const keys = await S('GET', `/api/v1/apps/${appId}/credentials/keys`);
    assert.equal(keys.status, 200);
    assert.equal(keys.body.length, 1);
    const app = await S('GET', `/api/v1/apps/${appId}`);
    assert.equal(app.body.credentials.signing.kid, keys.body[0].kid, "the key in use is the app's signing kid");
    assert.equal(createPublicKey({ key: keys.body[0], format: 'jwk' }).asymmetricKeyType, 'rsa');

    const connect = () =>
      S('POST', `/api/v1/apps/${appId}/connections/default?activate=true`, {
        profile: { authScheme: 'OAUTH2', clientId, signing: { rotationMode: 'MANUAL' } },
      });
    let clientId = '0oanothere';
    assert.match((await connect()).body.errorCauses[0].errorSummary, /No service app with client ID 0oanothere/);

    const created = await H('POST', '/oauth2/v1/clients', service({ jwks: { keys: [keys.body[0]] } }));
    assert.equal(created.status, 201);
    clientId = created.body.client_id;
    assert.equal(created.body.token_endpoint_auth_method, 'private_key_jwt');
    assert.deepEqual(
      created.body.jwks.keys.map((k: any) => k.kid),
      [keys.body[0].kid],
    );
    assert.equal((await H('GET', `/api/v1/apps/${clientId}`)).body.status, 'ACTIVE', 'a client is an app of the Hub');

    let refused = await connect();
    assert.equal(refused.status, 400);
    assert.match(refused.body.errorCauses[0].errorSummary, /invalid_scope.*okta\.users\.manage okta\.groups\.manage/);
    for (const scopeId of ['okta.users.manage', 'okta.groups.manage']) {
      const g = await H('POST', `/api/v1/apps/${clientId}/grants`, { scopeId, issuer: hub.url });
      assert.equal(g.status, 201);
      assert.equal(g.body.scopeId, scopeId);
    }
    assert.equal(
      (await H('POST', `/api/v1/apps/${clientId}/grants`, { scopeId: 'okta.users.manage', issuer: hub.url })).status,
      400,
      'granted twice',
    );
    assert.equal(
      (await H('POST', `/api/v1/apps/${clientId}/grants`, { scopeId: 'okta.apps.read', issuer: 'https://elsewhere.example.com' })).status,
      400,
      'issuer is the Hub',
    );

    refused = await connect();
    assert.match(refused.body.errorCauses[0].errorSummary, /no admin role that may manage users/);
    const byAppAdmin = await call(hub.url, hub.tokens.APPS, 'POST', `/oauth2/v1/clients/${clientId}/roles`, { type: 'USER_ADMIN' });
    assert.equal(byAppAdmin.status, 403, 'only a Super Administrator assigns roles');
    for (const type of ['USER_ADMIN', 'GROUP_MEMBERSHIP_ADMIN']) {
      const r = await H('POST', `/oauth2/v1/clients/${clientId}/roles`, { type });
      assert.equal(r.status, 201, 'recorded: a client role assignment answers 201');
      assert.equal(r.body.assignmentType, 'CLIENT');
    }
    assert.equal((await H('POST', `/oauth2/v1/clients/${clientId}/roles`, { type: 'USER_ADMIN' })).status, 409);

    const ok = await connect();
    assert.equal(ok.status, 200);
    assert.equal(ok.body.status, 'ENABLED');
    const au = await assign('a@spoke.example.com');
    assert.equal(au.status, 'PROVISIONED');
    assert.equal(hubUser('a@spoke.example.com')?.status, 'ACTIVE');
  });

  it('replaces a client whole: a partial PUT and a PATCH are refused, jwks is overwritten', async () => {
    const [client] = (await H('GET', '/oauth2/v1/clients?q=org2org')).body;
    const id = client.client_id;
    const partial = await H('PUT', `/oauth2/v1/clients/${id}`, { client_name: 'renamed' });
    assert.equal(partial.status, 400);
    assert.equal(partial.body.error, 'invalid_client_metadata');
    assert.match(partial.body.error_description, /partial updates are not supported/);
    assert.equal((await H('PATCH', `/oauth2/v1/clients/${id}`, { client_name: 'x' })).status, 405);
    const noKeys = await H('PUT', `/oauth2/v1/clients/${id}`, service({}));
    assert.match(noKeys.body.error_description, /jwks or jwks_uri/);
    const both = await H('PUT', `/oauth2/v1/clients/${id}`, service({ jwks: client.jwks, jwks_uri: `${spoke.url}/x` }));
    assert.match(both.body.error_description, /cannot both be set/);
    assert.equal((await H('GET', `/oauth2/v1/clients/${id}`)).body.client_name, 'org2org spoke', 'nothing changed');
  });

  it('a missing grant, role or key makes the push fail on the app user, and fixing it lets the next one through', async () => {
    const clientId = sim.org('spoke').apps.get(appId)!.connection.clientId!;
    const grants = (await H('GET', `/api/v1/apps/${clientId}/grants`)).body;
    const users = grants.find((g: any) => g.scopeId === 'okta.users.manage');
    assert.equal((await H('DELETE', `/api/v1/apps/${clientId}/grants/${users.id}`)).status, 204);
    let au = await assign('b@spoke.example.com');
    assert.equal(au.syncState, 'ERROR');
    assert.match(au.errorSummary, /invalid_scope/);
    assert.equal(hubUser('b@spoke.example.com'), undefined);
    await H('POST', `/api/v1/apps/${clientId}/grants`, { scopeId: 'okta.users.manage', issuer: hub.url });
    assert.equal((await assign('b@spoke.example.com')).status, 'PROVISIONED', 'assigning again retries');

    const roles = (await H('GET', `/oauth2/v1/clients/${clientId}/roles`)).body;
    const userAdmin = roles.find((r: any) => r.type === 'USER_ADMIN');
    assert.equal((await H('DELETE', `/oauth2/v1/clients/${clientId}/roles/${userAdmin.id}`)).status, 204);
    au = await assign('c@spoke.example.com');
    assert.match(au.errorSummary, /no admin role that may manage users/);
    await H('POST', `/oauth2/v1/clients/${clientId}/roles`, { type: 'USER_ADMIN' });

    // MANUAL rotation done wrong: the Spoke switches keys before the Hub trusts the new one.
    const generated = await S('POST', `/api/v1/apps/${appId}/credentials/keys/generate?validityYears=2`);
    assert.equal(generated.status, 201);
    assert.equal((await S('POST', `/api/v1/apps/${appId}/credentials/keys/generate?validityYears=1`)).status, 400);
    const app = (await S('GET', `/api/v1/apps/${appId}`)).body;
    const oldKid = app.credentials.signing.kid;
    const put = await S('PUT', `/api/v1/apps/${appId}`, {
      ...app,
      credentials: { ...app.credentials, signing: { kid: generated.body.kid } },
    });
    assert.equal(put.status, 200);
    au = await assign('d@spoke.example.com');
    assert.match(au.errorSummary, new RegExp(`kid ${generated.body.kid}`));
    const { client_id_issued_at: issuedAt, ...client } = (await H('GET', `/oauth2/v1/clients/${clientId}`)).body;
    const oldKey = client.jwks.keys[0];
    const refused = await H('PUT', `/oauth2/v1/clients/${clientId}`, { ...client, client_id_issued_at: issuedAt });
    assert.equal(refused.status, 400, 'client_id_issued_at is read-only (the spec): a replace may not carry it');
    const replaced = await H('PUT', `/oauth2/v1/clients/${clientId}`, { ...client, jwks: { keys: [oldKey, generated.body] } });
    assert.equal(replaced.status, 200);
    assert.equal((await assign('d@spoke.example.com')).status, 'PROVISIONED');
    assert.notEqual(oldKid, generated.body.kid);
  });

  it('a jwks_uri at the connection JWKS follows the Spoke key in use (AUTO)', async () => {
    const clientId = sim.org('spoke').apps.get(appId)!.connection.clientId!;
    const client = (await H('GET', `/oauth2/v1/clients/${clientId}`)).body;
    const { jwks: _jwks, client_id_issued_at: _issued, ...rest } = client;
    const uri = `${spoke.url}/api/v1/apps/${appId}/connections/default/jwks`;
    assert.equal((await H('PUT', `/oauth2/v1/clients/${clientId}`, { ...rest, jwks_uri: uri })).status, 200);
    assert.equal((await assign('e@spoke.example.com')).status, 'PROVISIONED');
    const served = (await S('GET', `/api/v1/apps/${appId}/connections/default/jwks`)).body.jwks.keys;
    assert.equal(served[0].kid, (await S('GET', `/api/v1/apps/${appId}`)).body.credentials.signing.kid);
  });

  it("a service app's access token needs an admin role as well as the scope", async () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...(key.publicKey.export({ format: 'jwk' }) as object), kid: 'k1' };
    const created = (await H('POST', '/oauth2/v1/clients', service({ jwks: { keys: [jwk] } }))).body;
    await H('POST', `/api/v1/apps/${created.client_id}/grants`, { scopeId: 'okta.users.read', issuer: hub.url });
    const get = async () => {
      const t = await token(
        hub.url,
        assertion('RS256', key.privateKey, created.client_id, `${hub.url}/oauth2/v1/token`),
        'okta.users.read',
      );
      assert.equal(t.status, 200);
      return (await call(hub.url, t.body.access_token, 'GET', '/api/v1/users', undefined, 'Bearer')).status;
    };
    assert.equal(await get(), 403);
    await H('POST', `/oauth2/v1/clients/${created.client_id}/roles`, { type: 'READ_ONLY_ADMIN' });
    assert.equal(await get(), 200);
    assert.equal((await H('DELETE', `/oauth2/v1/clients/${created.client_id}`)).status, 204);
    assert.equal((await H('GET', `/oauth2/v1/clients/${created.client_id}`)).status, 404);
  });
});
