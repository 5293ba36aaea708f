/**
 * The client against the simulator under seeded faults: 429 storms (the org's concurrency limit
 * and an exhausted bucket), 5xx bursts, connection resets and slow answers. Every logical request
 * must succeed or fail with a clear OktaApiError, and a write must never be resent unless the
 * earlier attempt was refused with a 429 (Okta did nothing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { buildSeed, startSim, type SimSeed } from '../../src/sim/index.js';
import { createOktaClient, OktaApiError } from '../../src/okta/client.js';
import type { ClientEvent } from '../../src/okta/types.js';
import { Secret } from '../../src/credentials.js';
import { tokenAuth } from './servers.js';

test('faults: 429 storms, 5xx bursts, resets and slow answers; no unsafe resend', async () => {
  const sim = await startSim(buildSeed({ spokes: [{ name: 'emea', users: 300, assigned: 0 }] }), {
    timeScale: 60,
    rateLimits: { apps: 600, users: 6000 },
    concurrencyLimit: 4, // the client allows 5 in flight: a storm of concurrency 429s
    latencyMs: 1, // every answer takes a while, so 5 sent at once are in flight together, whatever the load
    rngSeed: 7,
    faults: [
      { kind: 'error', status: 503, probability: 0.15 },
      { kind: 'reset', probability: 0.05 },
      // Far beyond the client's deadline, which is far beyond any ordinary answer on a busy machine.
      { kind: 'slow', delayMs: 3000, probability: 0.06 },
      // And the first two GETs of app users that get past the limits, so that a timed-out GET's
      // retry is there to see whichever order load puts the requests in (the 6 % can miss every GET).
      { kind: 'slow', delayMs: 3000, method: 'GET', path: '/api/v1/apps/*/users', times: 2 },
    ],
  });
  try {
    const { url, tokens } = sim.orgs.emea!;
    const events: ClientEvent[] = [];
    const client = createOktaClient({
      // A fixed 5 in flight (no adaptation), one over the org's 4: the storm stays a storm.
      org: 'emea',
      baseUrl: url,
      auth: tokenAuth(tokens.OKTA_EMEA_TOKEN!),
      maxApiCapacity: 1,
      maxInFlight: 5,
      adaptiveConcurrency: false,
      // Enough retries that a GET can't run out of them: with 503s, resets, slow answers and the
      // concurrency 429s together about half its attempts fail, and which ones fail depends on the
      // order the requests arrive in, which load decides (with 8, a GET ran out once in a full run under load).
      timeoutMs: 1000,
      retryBaseMs: 5,
      maxRetries: 24,
      random: () => 0,
      onEvent: (e) => events.push(e),
    });
    const appId = await client.get<{ id: string }[]>('/api/v1/apps').then((apps) => apps[0]!.id);
    const users = await client.get<{ id: string; profile: { login: string } }[]>('/api/v1/users', { limit: 200 });
    const outcomes = await Promise.allSettled([
      // Writes: one path per user so attempts can be counted per logical request.
      ...users.slice(0, 80).map((u) =>
        client.request('POST', `/api/v1/apps/${appId}/users`, {
          body: { id: u.id, scope: 'USER', credentials: { userName: u.profile.login } },
        }),
      ),
      ...Array.from({ length: 80 }, (_, i) => client.request('GET', `/api/v1/apps/${appId}/users`, { query: { limit: 5, n: i } })),
    ]);
    let failed = 0;
    for (const o of outcomes) {
      if (o.status === 'fulfilled') continue;
      failed++;
      assert.ok(o.reason instanceof OktaApiError, `clear error, got ${String(o.reason)}`);
      assert.equal(o.reason.method, 'POST', 'GETs always get through with retries');
      assert.ok(o.reason.outcomeUnknown, 'a failed write says its outcome is unknown');
      assert.match(o.reason.message, /run `org2org plan`/);
    }
    // Per write: every attempt but the last was refused with 429 (never reached the handler).
    const posts = events.filter((e) => e.type === 'request' && e.method === 'POST').length;
    const post429 = events.filter((e) => e.type === 'response' && e.method === 'POST' && e.status === 429).length;
    assert.equal(posts - post429, 80, 'each POST reached Okta at most once');
    const stats = sim.stats('emea');
    assert.ok(stats.status429 > 20, `a 429 storm happened (${stats.status429})`);
    assert.ok(
      events.some((e) => e.type === 'retry' && /HTTP 503/.test(e.reason)),
      '5xx retried',
    );
    assert.ok(
      events.some((e) => e.type === 'retry' && e.reason === 'timeout'),
      'slow answers time out and are retried',
    );
    assert.ok(failed > 0 && failed < 32, `some writes fail clearly (${failed})`);
    process.stderr.write(
      `# faults: ${stats.total} requests, ${stats.status429} 429s, ${events.filter((e) => e.type === 'retry').length} retries, ${failed} of 80 writes failed clearly\n`,
    );
    const assigned = sim.org('emea').apps.get(appId)!.users.size;
    assert.ok(assigned >= 80 - failed, 'every write that succeeded is in the org');
  } finally {
    await sim.close();
  }
});

test('a 429 storm on an exhausted bucket: waits for the reset and every request succeeds', async () => {
  const sim = await startSim(buildSeed({ spokes: [{ name: 'emea', users: 5, assigned: 5 }] }), { timeScale: 60, rateLimits: { apps: 20 } });
  try {
    const { url, tokens } = sim.orgs.emea!;
    const events: ClientEvent[] = [];
    // Two runs share the org, each believing it may use all of it: 429s are inevitable.
    const mk = () =>
      createOktaClient({
        org: 'emea',
        baseUrl: url,
        auth: tokenAuth(tokens.OKTA_EMEA_TOKEN!),
        maxApiCapacity: 1,
        maxRetries: 10,
        onEvent: (e) => events.push(e),
      });
    const a = mk();
    const b = mk();
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).get('/api/v1/apps', { n: i })));
    assert.equal(results.length, 60);
    assert.ok(sim.stats('emea').status429 > 0);
    assert.ok(events.some((e) => e.type === 'rate-limit-wait' && e.reason === '429'));
  } finally {
    await sim.close();
  }
});

test('OAuth 2.0 service app: private_key_jwt (RS256 PEM, ES256 JWK), token cached, scopes sent', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const seed: SimSeed = {
    orgs: {
      hub: {
        users: [{ login: 'a@hub.example.com' }],
        serviceApps: [
          {
            clientId: '0oarsa',
            publicJwk: rsa.publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
            scopes: ['okta.users.read', 'okta.apps.read'],
          },
          { clientId: '0oaec', publicJwk: ec.publicKey.export({ format: 'jwk' }) as Record<string, unknown>, scopes: ['okta.users.read'] },
        ],
      },
    },
  };
  const sim = await startSim(seed);
  try {
    const url = sim.orgs.hub!.url;
    const pem = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    let offset = 0;
    const rsaClient = createOktaClient({
      org: 'hub',
      baseUrl: url,
      auth: { kind: 'oauth', clientId: '0oarsa', privateKey: new Secret('HUB_KEY', pem), scopes: ['okta.users.read'] },
      now: () => Date.now() + offset,
    });
    for (let i = 0; i < 3; i++) assert.equal((await rsaClient.get<unknown[]>('/api/v1/users')).length, 1);
    assert.equal(sim.stats('hub').byRoute['POST /oauth2/v1/token'], 1, 'one token for all calls');
    offset = 3600_000 - 30_000; // inside the last minute of the token's hour: fetch a new one
    await rsaClient.get('/api/v1/users');
    assert.equal(sim.stats('hub').byRoute['POST /oauth2/v1/token'], 2, 'a token close to expiry is replaced');
    offset = 0;
    sim.resetStats();
    const jwk = JSON.stringify(ec.privateKey.export({ format: 'jwk' }));
    const ecClient = createOktaClient({
      org: 'hub',
      baseUrl: url,
      auth: { kind: 'oauth', clientId: '0oaec', privateKey: new Secret('HUB_EC_KEY', jwk), scopes: ['okta.users.read'] },
    });
    await Promise.all([ecClient.get('/api/v1/users'), ecClient.get('/api/v1/users')]);
    assert.equal(sim.stats('hub').byRoute['POST /oauth2/v1/token'], 1, 'concurrent calls share one token request');
    const denied = createOktaClient({
      org: 'hub',
      baseUrl: url,
      auth: { kind: 'oauth', clientId: '0oaec', privateKey: new Secret('HUB_EC_KEY', jwk), scopes: ['okta.apps.manage'] },
    });
    await assert.rejects(
      denied.get('/api/v1/users'),
      (err: unknown) =>
        err instanceof OktaApiError && err.errorCode === 'invalid_scope' && /HUB_EC_KEY/.test(err.message) && !err.message.includes('"d"'),
    );
    const wrongKey = createOktaClient({
      org: 'hub',
      baseUrl: url,
      auth: { kind: 'oauth', clientId: '0oarsa', privateKey: new Secret('HUB_KEY', jwk), scopes: ['okta.users.read'] },
    });
    await assert.rejects(
      wrongKey.get('/api/v1/users'),
      (err: unknown) => err instanceof OktaApiError && err.errorCode === 'invalid_client',
    );
    const garbage = createOktaClient({
      org: 'hub',
      baseUrl: url,
      auth: { kind: 'oauth', clientId: '0oarsa', privateKey: new Secret('HUB_KEY', 'not a key'), scopes: ['okta.users.read'] },
    });
    await assert.rejects(garbage.get('/api/v1/users'), /HUB_KEY is not a valid PEM or JWK/);
  } finally {
    await sim.close();
  }
});
