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
  const sig = alg === 'RS256' ? sign('sha256', Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
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
            { clientId: '0oarsa', publicJwk: rsa.publicKey.export({ format: 'jwk' }) as Record<string, unknown>, scopes: ['okta.users.read', 'okta.groups.read'] },
            { clientId: '0oaec', publicJwk: ec.publicKey.export({ format: 'jwk' }) as Record<string, unknown>, scopes: ['okta.apps.manage'] },
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
    assert.equal((await token(hub, assertion('RS256', rsa.privateKey, '0oanobody', `${hub}/oauth2/v1/token`), 'okta.users.read')).status, 401);
    assert.equal((await call(hub, 'sim.at.forged', 'GET', '/api/v1/users', undefined, 'Bearer')).status, 401);
  });
});

describe('sim: OAuth provisioning connection (Org2Org)', () => {
  it('activates only when the Hub has the service app, and serves a usable public JWK', async () => {
    const sim = await startSim({
      orgs: {
        hub: { serviceApps: [{ clientId: '0oahubsvc', publicJwk: rsa.publicKey.export({ format: 'jwk' }) as Record<string, unknown>, scopes: ['okta.users.manage'] }] },
        spoke: { tokens: { T: { user: 'admin@spoke.example.com', roles: ['SUPER_ADMIN'] } }, apps: [{ label: 'Acme Hub', hub: 'hub' }] },
      },
    });
    try {
      const { url, tokens } = sim.orgs.spoke!;
      const appId = sim.org('spoke').apps.values()[0]!.id;
      const wrong = await call(url, tokens.T, 'POST', `/api/v1/apps/${appId}/connections/default?activate=true`, {
        profile: { authScheme: 'OAUTH2', clientId: '0oaunknown', signing: { rotationMode: 'AUTO' } },
      });
      assert.equal(wrong.status, 400);
      assert.match(wrong.body.errorCauses[0].errorSummary, /No service app with client ID 0oaunknown/);
      const good = await call(url, tokens.T, 'POST', `/api/v1/apps/${appId}/connections/default?activate=true`, {
        profile: { authScheme: 'OAUTH2', clientId: '0oahubsvc', signing: { rotationMode: 'AUTO' } },
      });
      assert.equal(good.status, 200);
      assert.deepEqual(good.body.profile, { authScheme: 'OAUTH2', clientId: '0oahubsvc', signing: { rotationMode: 'AUTO' } });
      const jwks = await call(url, tokens.T, 'GET', `/api/v1/apps/${appId}/connections/default/jwks`);
      const key = jwks.body.jwks.keys[0];
      assert.equal(key.kty, 'RSA');
      assert.equal(createPublicKey({ key, format: 'jwk' }).asymmetricKeyType, 'rsa');
      assert.deepEqual((await call(url, tokens.T, 'GET', `/api/v1/apps/${appId}/connections/default/jwks`)).body, jwks.body, 'stable');
    } finally {
      await sim.close();
    }
  });
});
