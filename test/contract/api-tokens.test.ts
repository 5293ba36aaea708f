/**
 * Contract for API token metadata (`GET /api/v1/api-tokens`), which `check` reads to show each
 * token's owner and expiry: (b) the simulator answers with the recorded keys, value forms and
 * Okta's 403 for a token that may not read them; (a) a recorded-shaped answer goes through
 * org2org's reader, which finds the token among its owner's and treats every refusal as
 * "not readable". Facts: fixtures/api-tokens-recorded.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readApiToken } from '../../src/check/api-token.js';
import { Secret } from '../../src/credentials.js';
import { createOktaClient } from '../../src/okta/client.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { json, startServer } from '../okta/servers.js';
import { RECORDED_API_TOKEN, recordedShapedToken } from './fixtures/api-tokens-recorded.js';

const CANARY = 'canary-api-token-value-5f0d';

describe('contract (b): the simulator answers API token metadata as recorded', () => {
  let sim: Sim;
  let hub: string;
  const call = async (token: string, path: string) => {
    const res = await fetch(`${hub}${path}`, { headers: { authorization: `SSWS ${token}`, accept: 'application/json' } });
    return { status: res.status, body: (await res.json()) as any, text: '' };
  };

  before(async () => {
    sim = await startSim({
      orgs: {
        hub: {
          tokens: {
            ADMIN: { value: CANARY, user: 'admin@hub.example.com', roles: ['SUPER_ADMIN'] },
            IDLE: { user: 'provisioner@hub.example.com', roles: ['SUPER_ADMIN'], idleDays: 10 },
            READER: { user: 'reader@hub.example.com', roles: ['READ_ONLY_ADMIN'] },
            DEAD: { user: 'gone@hub.example.com', roles: ['SUPER_ADMIN'], tokenWindow: 'P7D', idleDays: 8 },
          },
        },
      },
    });
    hub = sim.orgs.hub!.url;
  });
  after(() => sim?.close());

  it('lists each active token with the recorded keys, in order, and never a value', async () => {
    const r = await call(CANARY, '/api/v1/api-tokens');
    assert.equal(r.status, 200);
    assert.ok(!JSON.stringify(r.body).includes(CANARY), 'no token value in the metadata');
    const org = sim.org('hub');
    assert.deepEqual(
      r.body.map((t: any) => org.users.get(t.userId)?.profile.login).sort(),
      ['admin@hub.example.com', 'provisioner@hub.example.com', 'reader@hub.example.com'],
      'a token idle past its window is not active, so not listed',
    );
    for (const t of r.body) {
      assert.deepEqual(Object.keys(t), [...RECORDED_API_TOKEN.keys]);
      assert.match(t.id, RECORDED_API_TOKEN.idPattern);
      assert.equal(t.clientName, RECORDED_API_TOKEN.clientName);
      assert.equal(t.tokenWindow, RECORDED_API_TOKEN.tokenWindow);
      assert.deepEqual(t.network, RECORDED_API_TOKEN.network);
      for (const k of ['expiresAt', 'created', 'lastUpdated']) assert.match(t[k], RECORDED_API_TOKEN.timePattern, k);
      assert.deepEqual(t._links.self.hints.allow, [...RECORDED_API_TOKEN.links.self]);
      assert.deepEqual(t._links.user.hints.allow, [...RECORDED_API_TOKEN.links.user]);
      assert.equal(t._links.user.href, `${hub}/api/v1/users/${t.userId}`);
      assert.equal(t._links.self.href, `${hub}/api/v1/api-tokens/${t.id}`);
    }
    // A token nothing used: expiresAt = created + its window (recorded relation); 10 idle days of 30 leave 20.
    const idle = r.body.find((t: any) => org.users.get(t.userId)?.profile.login === 'provisioner@hub.example.com');
    assert.equal(Date.parse(idle.expiresAt) - Date.parse(idle.created), RECORDED_API_TOKEN.expiresAfterCreatedMs);
    const one = await call(CANARY, `/api/v1/api-tokens/${idle.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, idle);
  });

  it('a use renews the token: its expiresAt moves to the use + its window (Okta: valid 30 days from the last use)', async () => {
    const before = (await call(CANARY, '/api/v1/api-tokens')).body;
    const admin = before.find((t: any) => sim.org('hub').users.get(t.userId)?.profile.login === 'admin@hub.example.com');
    // This very listing used the ADMIN token: its window runs from now.
    const left = Date.parse(admin.expiresAt) - Date.now();
    assert.ok(left > 29.9 * 86_400_000 && left <= 30 * 86_400_000, `expires in ${left} ms`);
  });

  it('a token whose admin may not read tokens gets 403 E0000006 in Okta’s error shape; an unknown id 404', async () => {
    const r = await call(sim.orgs.hub!.tokens.READER!, '/api/v1/api-tokens');
    assert.equal(r.status, 403);
    assert.equal(r.body.errorCode, 'E0000006');
    assert.deepEqual(Object.keys(r.body).sort(), ['errorCauses', 'errorCode', 'errorId', 'errorLink', 'errorSummary']);
    assert.equal((await call(CANARY, '/api/v1/api-tokens/00Tnothere00000000000')).status, 404);
  });

  it('a token idle for its whole window is dead: 401', async () => {
    assert.equal((await call(sim.orgs.hub!.tokens.DEAD!, '/api/v1/users/me')).status, 401);
  });
});

describe('contract (a): org2org reads recorded-shaped token metadata', () => {
  const owner = { id: '00uowner0000000000001', login: 'admin@hub.example.com' };
  const reader = (url: string) =>
    createOktaClient({ org: 'hub', baseUrl: url, auth: { kind: 'token', token: new Secret('OKTA_HUB_TOKEN', CANARY) }, maxRetries: 0 });

  it('finds the owner’s token among others, across pages, and keeps id, name, expiry and window', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/api/v1/api-tokens')
        return json(
          res,
          200,
          [recordedShapedToken({ id: '00Tother0000000000001', userId: '00uother', expiresAt: '2026-12-09T00:00:00.000Z' })],
          {
            link: `<http://${req.headers.host}/api/v1/api-tokens?after=00Tother>; rel="next"`,
          },
        );
      json(res, 200, [
        recordedShapedToken({ id: '00Tmine00000000000001', userId: owner.id, name: 'org2org hub', expiresAt: '2027-01-06T10:00:00.000Z' }),
      ]);
    });
    try {
      const report = await readApiToken(reader(server.url), 'OKTA_HUB_TOKEN', owner);
      assert.deepEqual(report, {
        envVar: 'OKTA_HUB_TOKEN',
        owner: owner.login,
        candidates: [{ id: '00Tmine00000000000001', name: 'org2org hub', expiresAt: '2027-01-06T10:00:00.000Z', tokenWindow: 'P30D' }],
      });
      assert.equal(server.received.length, 2, 'followed rel="next"');
      assert.ok(
        server.received.every((r) => r.method === 'GET'),
        'reads only: never the revoking DELETE /api-tokens/current',
      );
    } finally {
      await server.close();
    }
  });

  it('403 (Okta’s error), an answer without the owner’s token, and a missing expiry are each "not readable", never a failure', async () => {
    const answers = [
      (res: Parameters<typeof json>[0]) =>
        json(res, 403, {
          errorCode: 'E0000006',
          errorSummary: 'You do not have permission to perform the requested action',
          errorCauses: [],
        }),
      (res: Parameters<typeof json>[0]) =>
        json(res, 200, [recordedShapedToken({ id: '00Tother', userId: '00uother', expiresAt: '2027-01-01T00:00:00.000Z' })]),
      (res: Parameters<typeof json>[0]) => json(res, 200, [{ id: '00Tmine', userId: owner.id, expiresAt: 'soon' }]),
    ];
    const seen: unknown[] = [];
    for (const answer of answers) {
      const server = await startServer((_req, res) => answer(res));
      try {
        seen.push(await readApiToken(reader(server.url), 'OKTA_HUB_TOKEN', owner));
      } finally {
        await server.close();
      }
    }
    assert.deepEqual(seen, [
      {
        envVar: 'OKTA_HUB_TOKEN',
        owner: owner.login,
        unreadable: '403 E0000006: You do not have permission to perform the requested action',
      },
      { envVar: 'OKTA_HUB_TOKEN', owner: owner.login, unreadable: 'none of the 1 tokens Okta listed belongs to admin@hub.example.com' },
      { envVar: 'OKTA_HUB_TOKEN', owner: owner.login, candidates: [{ id: '00Tmine' }] },
    ]);
  });
});
