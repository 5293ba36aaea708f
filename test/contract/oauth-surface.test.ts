/**
 * Contract (b) and (c) for the Hub side of an OAuth 2.0 connection: the simulator answers as real
 * Okta answered (issue 23's second body of recorded traffic, described in
 * fixtures/oauth-recorded.ts as facts, not copied), and what org2org sends a client is only what
 * a client replace may carry. Where nothing recorded settles a fact, docs/okta-fidelity.md says
 * UNKNOWN and org2org is tested against both answers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { runOp } from '../../src/apply/run-op.js';
import { Secret } from '../../src/credentials.js';
import { createOktaClient } from '../../src/okta/client.js';
import { CLIENT_WRITABLE_FIELDS, clientPutBody, readHubServiceApp } from '../../src/okta/service-app.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { clientFor } from '../apply/sim-client.js';
import { json, startServer } from '../okta/servers.js';
import { RECORDED_OAUTH } from './fixtures/oauth-recorded.js';

describe('contract: the OAuth surface of the Hub as recorded', () => {
  let sim: Sim;
  let hub: string;
  let spoke: string;
  let token: string;
  let spokeToken: string;
  let clientId: string;
  let spokeAppId: string;

  async function call(base: string, tok: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `SSWS ${tok}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as any), headers: res.headers };
  }
  const H = (method: string, path: string, body?: unknown) => call(hub, token, method, path, body);
  const S = (method: string, path: string, body?: unknown) => call(spoke, spokeToken, method, path, body);

  before(async () => {
    sim = await startSim({
      orgs: {
        hub: { tokens: { ADMIN: { user: 'admin@hub.example.com', roles: ['SUPER_ADMIN'] } } },
        spoke: {
          tokens: { ADMIN: { user: 'admin@spoke.example.com', roles: ['SUPER_ADMIN'] } },
          apps: [{ label: 'Acme Hub', hub: 'hub' }],
        },
      },
    });
    hub = sim.orgs.hub!.url;
    spoke = sim.orgs.spoke!.url;
    token = sim.orgs.hub!.tokens.ADMIN!;
    spokeToken = sim.orgs.spoke!.tokens.ADMIN!;
    spokeAppId = sim.org('spoke').apps.values()[0]!.id;
    const key = (await S('GET', `/api/v1/apps/${spokeAppId}/credentials/keys`)).body[0];
    const created = await H('POST', '/oauth2/v1/clients', {
      client_name: 'org2org-spoke',
      application_type: 'service',
      grant_types: ['client_credentials'],
      response_types: ['token'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ kty: key.kty, kid: key.kid, e: key.e, n: key.n, use: 'sig' }] },
    });
    assert.equal(created.status, 201);
    clientId = created.body.client_id;
  });
  after(() => sim?.close());

  it('a client role assignment POST answers 201 with the recorded keys', async () => {
    const r = await H('POST', `/oauth2/v1/clients/${clientId}/roles`, { type: 'USER_ADMIN' });
    assert.equal(r.status, RECORDED_OAUTH.roleAssignment.status);
    assert.deepEqual(Object.keys(r.body).sort(), [...RECORDED_OAUTH.roleAssignment.keys].sort());
    assert.equal(r.body.assignmentType, 'CLIENT');
    assert.equal(r.body._links.assignee.href, `${hub}/oauth2/v1/clients/${clientId}`, 'the assignee is the client itself');
  });

  it('grants carry createdBy; a grant list has no _embedded (only expand=scope embeds the scope)', async () => {
    const posted = await H('POST', `/api/v1/apps/${clientId}/grants`, { scopeId: 'okta.users.manage', issuer: hub });
    assert.ok((RECORDED_OAUTH.grantPost.statuses as readonly number[]).includes(posted.status), `grant POST answered ${posted.status}`);
    const admin = sim.org('hub').findUser('admin@hub.example.com')!;
    assert.deepEqual(posted.body.createdBy, { id: admin.id, type: 'User' });
    const list = await H('GET', `/api/v1/apps/${clientId}/grants`);
    assert.equal(list.status, 200);
    for (const g of list.body) {
      for (const k of RECORDED_OAUTH.grant.keys) assert.ok(k in g, `grant has ${k}`);
      assert.equal('_embedded' in g, false, 'a recorded grant list has no _embedded');
    }
    const expanded = await H('GET', `/api/v1/apps/${clientId}/grants?expand=scope`);
    assert.equal(expanded.body[0]._embedded.scope.id, 'okta.users.manage');
  });

  it('a service app read through the Apps API carries settings.oauthClient and no Org2Org settings.app', async () => {
    const app = (await H('GET', `/api/v1/apps/${clientId}`)).body;
    assert.equal(app.name, 'oidc_client');
    assert.equal(app.signOnMode, 'OPENID_CONNECT');
    for (const k of RECORDED_OAUTH.serviceAppSettings.oauthClient) assert.ok(k in app.settings.oauthClient, `settings.oauthClient.${k}`);
    assert.deepEqual(app.settings.app, {}, 'no baseUrl, acsUrl, audRestriction or idpId: those are an Org2Org app’s');
    assert.deepEqual(Object.keys(app.credentials.oauthClient).sort(), [...RECORDED_OAUTH.serviceAppSettings.credentialsOauthClient].sort());
    assert.equal(app.credentials.oauthClient.client_id, clientId);
  });

  it('a client’s stored JWKs carry id and status', async () => {
    const client = (await H('GET', `/oauth2/v1/clients/${clientId}`)).body;
    for (const k of client.jwks.keys) {
      assert.equal(typeof k.id, 'string');
      assert.equal(k.status, 'ACTIVE');
    }
    // A replace that sends the same key back keeps its id (what org2org sends: the public members only).
    const before = client.jwks.keys[0].id;
    const again = await H('PUT', `/oauth2/v1/clients/${clientId}`, clientPutBody(client));
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.jwks.keys[0].id, before);
  });

  it('a seeded service app’s JWK is stored as an API-created one is: with an id and a status', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk: Record<string, unknown> = { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'seeded' };
    const seeded = await startSim({
      orgs: {
        hub: {
          tokens: { ADMIN: { user: 'admin@hub.example.com', roles: ['SUPER_ADMIN'] } },
          serviceApps: [{ clientId: '0oaseeded', publicJwk: jwk, scopes: ['okta.users.read'] }],
        },
      },
    });
    try {
      const res = await fetch(`${seeded.orgs.hub!.url}/oauth2/v1/clients/0oaseeded`, {
        headers: { authorization: `SSWS ${seeded.orgs.hub!.tokens.ADMIN!}`, accept: 'application/json' },
      });
      const [key] = ((await res.json()) as any).jwks.keys;
      assert.match(key.id, /^pks/);
      assert.equal(key.status, 'ACTIVE');
      assert.equal(key.kid, 'seeded');
      assert.equal(key.n, jwk.n);
    } finally {
      await seeded.close();
    }
  });

  it('app keys and generated keys carry x5c and x5t#S256 of a certificate for the same key; generate answers with Location', async () => {
    const keys = (await S('GET', `/api/v1/apps/${spokeAppId}/credentials/keys`)).body;
    const generated = await S('POST', `/api/v1/apps/${spokeAppId}/credentials/keys/generate?validityYears=2`);
    assert.equal(generated.status, 201);
    assert.equal(generated.headers.get('location'), `${spoke}/api/v1/apps/${spokeAppId}/credentials/keys/${generated.body.kid}`);
    for (const key of [...keys, generated.body]) {
      for (const k of RECORDED_OAUTH.appKey.keys) assert.ok(k in key, `app key has ${k}`);
      const cert = new X509Certificate(Buffer.from(key.x5c[0], 'base64'));
      assert.equal(cert.publicKey.export({ format: 'jwk' }).n, key.n, 'the certificate is for the key');
      assert.equal(createPublicKey({ key: key as JsonWebKey, format: 'jwk' }).asymmetricKeyType, 'rsa');
    }
  });

  it('readHubServiceApp reads the recorded shapes (stored JWK ids, grants without _embedded)', async () => {
    const read = await readHubServiceApp(clientFor('hub', hub, token), clientId);
    assert.equal(read?.appId, clientId);
    assert.deepEqual(
      read?.grants.map((g) => g.scopeId),
      ['okta.users.manage'],
    );
    assert.deepEqual(
      read?.roles.map((r) => r.type),
      ['USER_ADMIN'],
    );
    assert.equal(read?.jwks?.length, 1);
  });
});

describe('contract (c): what org2org sends a client', () => {
  it('clientPutBody sends only writable fields: never client_id_issued_at, client_secret_expires_at, client_id, client_secret or _links', () => {
    const read = {
      client_id: '0oa1',
      client_id_issued_at: 1700000000,
      client_secret: 'not-sent',
      client_secret_expires_at: 0,
      client_name: 'org2org-emea',
      application_type: 'service',
      grant_types: ['client_credentials'],
      response_types: ['token'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: 'https://spoke.example.com/jwks',
      redirect_uris: [],
      _links: { app: { href: 'x' } },
    };
    const body = clientPutBody(read, { jwks: { keys: [] } });
    for (const field of Object.keys(body)) assert.ok((CLIENT_WRITABLE_FIELDS as readonly string[]).includes(field), field);
    for (const field of ['client_id_issued_at', 'client_secret_expires_at', 'client_id', 'client_secret', '_links', 'jwks_uri'])
      assert.equal(field in body, false, field);
    assert.deepEqual(body.jwks, { keys: [] });
    assert.throws(() => clientPutBody(read, { client_id_issued_at: 1 }), /not a writable field/);
  });

  for (const status of [200, 201]) {
    it(`a grant POST answered ${status} (recorded 200, spec 201) is a success`, async () => {
      const server = await startServer((req, res) => {
        if (req.method === 'POST' && req.url === '/api/v1/apps/0oaapp/grants')
          return json(res, status, { id: 'oag1', scopeId: 'okta.users.manage', status: 'ACTIVE' });
        json(res, 404, { errorCode: 'E0000007', errorSummary: 'Not found' });
      });
      try {
        const hubClient = createOktaClient({
          org: 'hub',
          baseUrl: server.url,
          auth: { kind: 'token', token: new Secret('HUB_T', 'fake-hub-token') },
          maxRetries: 0,
        });
        await runOp(
          { type: 'serviceApp.grant', clientId: 'testclientid123456', hubAppId: '0oaapp', scopeId: 'okta.users.manage' },
          { client: hubClient, hub: hubClient, env: {}, appId: () => undefined, secrets: new Set() },
        );
        assert.equal(server.received.length, 1, 'one POST, under the app id');
      } finally {
        await server.close();
      }
    });
  }

  it('a role assignment answered 200 (spec) or 201 (recorded) is a success', async () => {
    for (const status of [200, 201]) {
      const server = await startServer((_req, res) => json(res, status, { id: 'ira1', type: 'USER_ADMIN', status: 'ACTIVE' }));
      try {
        const hubClient = createOktaClient({
          org: 'hub',
          baseUrl: server.url,
          auth: { kind: 'token', token: new Secret('HUB_T', 'fake-hub-token') },
          maxRetries: 0,
        });
        await runOp(
          { type: 'serviceApp.assignRole', clientId: 'testclientid123456', roleType: 'USER_ADMIN' },
          { client: hubClient, hub: hubClient, env: {}, appId: () => undefined, secrets: new Set() },
        );
        assert.equal(server.received[0]!.url, '/oauth2/v1/clients/testclientid123456/roles', 'roles hang off the client id');
      } finally {
        await server.close();
      }
    }
  });
});
