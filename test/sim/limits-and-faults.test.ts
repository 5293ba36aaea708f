import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSeed, parseFaultSpec, startSim } from '../../src/sim/index.js';
import { call, nextLink } from './helpers.js';

const small = () => buildSeed({ spokes: [{ name: 'emea', users: 1234, assigned: 1234, groups: 3, pushed: 2 }] });

describe('sim: paging', () => {
  it('pages app users with the 500 cap and Link rel="next" until the last page', async () => {
    const sim = await startSim(small());
    try {
      const { url, tokens } = sim.orgs.emea!;
      const tok = tokens.OKTA_EMEA_TOKEN!;
      const app = (await call(url, tok, 'GET', '/api/v1/apps')).body[0];
      let next: string | undefined = `/api/v1/apps/${app.id}/users?limit=1000`;
      const seen = new Set<string>();
      const sizes: number[] = [];
      while (next) {
        const r = await call(url, tok, 'GET', next);
        assert.equal(r.status, 200);
        sizes.push(r.body.length);
        for (const u of r.body) seen.add(u.id);
        next = nextLink(r.headers);
        if (next) assert.ok(next.startsWith(url), 'next links stay on the same origin');
      }
      assert.deepEqual(sizes, [500, 500, 234]);
      assert.equal(seen.size, 1234);
      assert.equal(sim.stats('emea').byRoute['GET /api/v1/apps/{appId}/users'], 3);
      // Hub users were created by the push, one per assignment.
      const hubUsers = await call(sim.orgs.hub!.url, sim.env.OKTA_HUB_READ_TOKEN, 'GET', '/api/v1/users?limit=1000');
      assert.equal(hubUsers.body.length, 200, 'users are capped at 200 per page');
      assert.equal(sim.org('hub').users.size, 1234 + 3);
    } finally {
      await sim.close();
    }
  });
});

describe('sim: searches', () => {
  it('answers OR-ed login searches (from the login index) with paging, and other expressions by scan', async () => {
    const sim = await startSim(small());
    try {
      const { url, tokens } = sim.orgs.emea!;
      const tok = tokens.OKTA_EMEA_TOKEN!;
      const logins = [
        'user7@emea.example.com',
        'USER3@emea.example.com',
        'nobody@x',
        'user1200@emea.example.com',
        'user7@emea.example.com',
      ];
      const search = encodeURIComponent(logins.map((l) => `profile.login eq "${l}"`).join(' or '));
      const first = await call(url, tok, 'GET', `/api/v1/users?search=${search}&limit=2`);
      assert.deepEqual(
        first.body.map((u: any) => u.profile.login),
        ['user3@emea.example.com', 'user7@emea.example.com'],
      );
      const second = await call(url, tok, 'GET', nextLink(first.headers)!);
      assert.deepEqual(
        second.body.map((u: any) => u.profile.login),
        ['user1200@emea.example.com'],
      );
      assert.equal(nextLink(second.headers), undefined);
      const scan = await call(
        url,
        tok,
        'GET',
        `/api/v1/users?search=${encodeURIComponent('profile.login sw "user12" and status eq "ACTIVE"')}`,
      );
      assert.equal(scan.body.length, 1 + 10 + 35, 'user12, user120-129, user1200-1234');
      const bad = await call(url, tok, 'GET', `/api/v1/users?search=${encodeURIComponent('profile.login eq')}`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errorCode, 'E0000031');
    } finally {
      await sim.close();
    }
  });
});

describe('sim: rate limits', () => {
  it('answers 429 E0000047 once a bucket is spent, with consistent headers, then resets with the window', async () => {
    const sim = await startSim(small(), { rateLimits: { apps: 5 }, timeScale: 60 });
    try {
      const { url, tokens } = sim.orgs.emea!;
      const tok = tokens.OKTA_EMEA_TOKEN!;
      const remaining: string[] = [];
      let limited;
      // Windows are 1 s: on a busy machine a window may roll over before the 6th call, so keep calling.
      for (let i = 0; i < 200 && !limited; i++) {
        const r = await call(url, tok, 'GET', '/api/v1/apps');
        if (r.status === 429) limited = r;
        else remaining.push(r.headers.get('x-rate-limit-remaining')!);
      }
      assert.ok(limited, 'a 429 arrives');
      assert.equal(limited.body.errorCode, 'E0000047');
      assert.equal(limited.headers.get('x-rate-limit-limit'), '5');
      assert.equal(limited.headers.get('x-rate-limit-remaining'), '0');
      // Windows can roll over mid-loop (1 s each), so only check the count went down within one.
      assert.ok(remaining.length >= 1 && remaining.every((r) => Number(r) < 5));
      const reset = Number(limited.headers.get('x-rate-limit-reset'));
      const date = Date.parse(limited.headers.get('date')!) / 1000;
      assert.ok(reset - date >= 0 && reset - date <= 2, `Reset - Date is the real remaining window (${reset - date} s)`);
      // Other buckets are separate: the app bucket still answers.
      const users = await call(url, tok, 'GET', '/api/v1/users?limit=1');
      assert.equal(users.status, 200);
      assert.ok(sim.stats('emea').status429 >= 1);
      // After the reset the bucket is fresh again.
      await new Promise((r) => setTimeout(r, Math.max(0, reset * 1000 - Date.now()) + 50));
      assert.equal((await call(url, tok, 'GET', '/api/v1/apps')).status, 200);
    } finally {
      await sim.close();
    }
  });

  it('answers 429 when too many requests are in flight', async () => {
    // A latency far above a busy machine's scheduling delay, so that all eight requests overlap.
    const sim = await startSim(small(), { concurrencyLimit: 3, latencyMs: 1500 });
    try {
      const { url, tokens } = sim.orgs.emea!;
      const results = await Promise.all(Array.from({ length: 8 }, () => call(url, tokens.OKTA_EMEA_TOKEN, 'GET', '/api/v1/users?limit=1')));
      const statuses = results.map((r) => r.status).sort();
      assert.equal(statuses.filter((s) => s === 200).length, 3);
      assert.equal(statuses.filter((s) => s === 429).length, 5);
      const stats = sim.stats('emea');
      assert.equal(stats.status429, 5);
      // Three held by the latency, plus the one being turned away.
      assert.equal(stats.peakInFlight, 4);
    } finally {
      await sim.close();
    }
  });
});

describe('sim: fault injection and stats', () => {
  it('parses the --faults syntax', () => {
    assert.deepEqual(parseFaultSpec('503@0.5x2:GET /api/v1/apps/*, reset, slow=200:/api/v1/users'), [
      { kind: 'error', status: 503, probability: 0.5, times: 2, method: 'GET', path: '/api/v1/apps/*' },
      { kind: 'reset' },
      { kind: 'slow', delayMs: 200, path: '/api/v1/users' },
    ]);
    assert.throws(() => parseFaultSpec('404'), /5xx/);
    assert.throws(() => parseFaultSpec('boom'), /bad fault rule/);
  });

  it('fails matching requests as told, reproducibly for the same rng seed', async () => {
    const run = async (): Promise<number[]> => {
      const sim = await startSim(small(), { rngSeed: 7, faults: parseFaultSpec('503@0.3:GET /api/v1/users') });
      try {
        const { url, tokens } = sim.orgs.emea!;
        const statuses: number[] = [];
        for (let i = 0; i < 30; i++) statuses.push((await call(url, tokens.OKTA_EMEA_TOKEN, 'GET', '/api/v1/users?limit=1')).status);
        assert.equal((await call(url, tokens.OKTA_EMEA_TOKEN, 'GET', '/api/v1/groups')).status, 200, 'other paths untouched');
        return statuses;
      } finally {
        await sim.close();
      }
    };
    const first = await run();
    const failures = first.filter((s) => s === 503).length;
    assert.ok(failures > 0 && failures < 30, `some but not all fail (${failures})`);
    assert.deepEqual(await run(), first);
  });

  it('resets connections and limits a rule to N requests by route template', async () => {
    const sim = await startSim(small(), { faults: [{ kind: 'reset', path: '/api/v1/apps/{appId}/users', times: 1 }] });
    try {
      const { url, tokens } = sim.orgs.emea!;
      const app = (await call(url, tokens.OKTA_EMEA_TOKEN, 'GET', '/api/v1/apps')).body[0];
      await assert.rejects(call(url, tokens.OKTA_EMEA_TOKEN, 'GET', `/api/v1/apps/${app.id}/users`));
      assert.equal((await call(url, tokens.OKTA_EMEA_TOKEN, 'GET', `/api/v1/apps/${app.id}/users`)).status, 200);
    } finally {
      await sim.close();
    }
  });

  it('counts requests per route template over HTTP, without counting __sim calls, and resets', async () => {
    const sim = await startSim(small());
    try {
      const { url, tokens } = sim.orgs.emea!;
      await call(url, tokens.OKTA_EMEA_TOKEN, 'GET', '/api/v1/users?limit=2');
      await call(url, tokens.OKTA_EMEA_TOKEN, 'GET', '/api/v1/users/user1@emea.example.com');
      await call(url, 'bad', 'GET', '/api/v1/groups');
      const stats = (await call(url, undefined, 'GET', '/__sim/stats')).body;
      assert.deepEqual(stats.byRoute, { 'GET /api/v1/users': 1, 'GET /api/v1/users/{userId}': 1, 'GET /api/v1/groups': 1 });
      assert.equal(stats.total, 3);
      assert.equal(stats.status429, 0);
      assert.equal((await call(url, undefined, 'POST', '/__sim/reset')).status, 204);
      assert.equal((await call(url, undefined, 'GET', '/__sim/stats')).body.total, 0);
      assert.equal(sim.stats('hub').total, 0);
    } finally {
      await sim.close();
    }
  });
});
