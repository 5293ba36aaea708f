/**
 * The adaptive in-flight limit: pure rules with plain values, the scheduler with a fake clock,
 * and the client against the simulator's concurrency limit. Assertions are about counts and
 * limits, never about how long anything took.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveLimit } from '../../src/okta/adaptive-concurrency.js';
import { INITIAL_IN_FLIGHT, RateLimitScheduler, type Release } from '../../src/okta/scheduler.js';
import { createOktaClient } from '../../src/okta/client.js';
import { routeOf } from '../../src/okta/routes.js';
import { buildSeed, startSim } from '../../src/sim/index.js';
import type { ClientEvent } from '../../src/okta/types.js';
import { tokenAuth } from './servers.js';

const ROUTE = 'GET /api/v1/groups/{id}/users';

test('AdaptiveLimit: doubles per round until the ceiling, only while requests wait for a slot', () => {
  const limit = new AdaptiveLimit(32, 8);
  let seq = 0;
  assert.equal(limit.answered(++seq, ROUTE, 40, false), undefined, 'no growth without demand');
  assert.equal(limit.limit, 8);
  for (let i = 0; i < 8; i++) limit.answered(++seq, ROUTE, 40, true);
  assert.equal(limit.limit, 16, 'one more per clean answer: a round of 8 answers doubles 8');
  for (let i = 0; i < 100; i++) limit.answered(++seq, ROUTE, 40, true);
  assert.equal(limit.limit, 32, 'never above the ceiling');
  assert.equal(limit.peak, 32);
});

test('AdaptiveLimit: a burst of concurrency refusals halves once; then one more per round trip', () => {
  const limit = new AdaptiveLimit(32, 8);
  let seq = 0;
  for (let i = 0; i < 12; i++) limit.answered(++seq, ROUTE, 40, true);
  assert.equal(limit.limit, 20);
  // Twenty requests were out when the org refused several of them: one cut, not one per refusal.
  assert.deepEqual(limit.refused(seq - 3), { limit: 10, reason: 'concurrency-429' });
  limit.markCut(seq);
  for (let i = 0; i < 5; i++) assert.equal(limit.refused(seq - i), undefined, 'refusals of the same round are ignored');
  assert.equal(limit.limit, 10);
  // Additive growth: a round of clean answers at 10 in flight adds one.
  for (let i = 0; i < 11; i++) limit.answered(++seq, ROUTE, 40, true);
  assert.equal(limit.limit, 11);
  // A refusal of a request sent after the cut cuts again.
  assert.deepEqual(limit.refused(++seq), { limit: 5, reason: 'concurrency-429' });
  limit.markCut(seq);
  for (let i = 0; i < 3; i++) limit.refused(seq);
  assert.equal(limit.limit, 5);
  // Down to one, never zero.
  for (let i = 0; i < 5; i++) {
    limit.refused(++seq);
    limit.markCut(seq);
  }
  assert.equal(limit.limit, 1);
});

test('AdaptiveLimit: a latency rise on one route cuts to three quarters, never below the start; other routes keep their own best', () => {
  const limit = new AdaptiveLimit(32, 8);
  let seq = 0;
  for (let i = 0; i < 16; i++) limit.answered(++seq, ROUTE, 40, true);
  assert.equal(limit.limit, 24);
  // A slower route is compared with its own best, not with the fast one: no cut.
  for (let i = 0; i < 10; i++) limit.answered(++seq, 'GET /api/v1/apps/{id}/users', 600, false);
  for (let i = 0; i < 10; i++) limit.answered(++seq, 'GET /api/v1/apps/{id}/users', 650, false);
  assert.equal(limit.limit, 24);
  // The fast route's answers take 4× their best: the smoothed ratio crosses 2 and the limit is cut once.
  const changes = [];
  let cutSeq = 0;
  while (changes.length === 0) {
    const c = limit.answered(++seq, ROUTE, 160, true);
    if (c) {
      changes.push(c);
      cutSeq = seq + 24; // the requests already out when the cut happened
      limit.markCut(cutSeq);
    }
  }
  while (seq < cutSeq) assert.equal(limit.answered(++seq, ROUTE, 160, true), undefined, 'answers sent before the cut do not cut again');
  // Still slow a round later: cut again.
  while (changes.length === 1) {
    const c = limit.answered(++seq, ROUTE, 160, true);
    if (c) changes.push(c);
  }
  assert.deepEqual(changes, [
    { limit: 18, reason: 'latency' },
    { limit: 13, reason: 'latency' },
  ]);
  limit.markCut(seq);
  // Jitter within 100 ms of the best is not a rise.
  for (let i = 0; i < 50; i++) limit.answered(++seq, ROUTE, 120, true);
  assert.ok(limit.limit > 13, 'grows again once answers are back near their best');
  const low = new AdaptiveLimit(32, 8);
  for (let i = 1; i < 40; i++) {
    if (low.answered(i, ROUTE, i === 1 ? 40 : 400, true)) low.markCut(i);
  }
  assert.equal(low.limit, 8, 'a latency rise never cuts below where the limit started');
});

/** Acquire n slots at once; count grants after the microtasks settle (no timers involved). */
async function acquireMany(s: RateLimitScheduler, bucket: string, n: number): Promise<Release[]> {
  const releases: Release[] = [];
  for (let i = 0; i < n; i++) void s.acquire(bucket).then((r) => releases.push(r));
  await new Promise((r) => setImmediate(r));
  return releases;
}

const ok = { status: 200, ms: 40, route: ROUTE, observed: { limit: 1000, remaining: 900, reset: 2_000_000 } };

test('routeOf: ids replaced, so latency compares like requests', () => {
  assert.equal(routeOf('GET', '/api/v1/apps/0oa1x/users'), 'GET /api/v1/apps/{id}/users');
  assert.equal(routeOf('GET', '/api/v1/groups/00g9/users'), 'GET /api/v1/groups/{id}/users');
  assert.equal(routeOf('DELETE', '/api/v1/apps/0oa1/users/00u2'), 'DELETE /api/v1/apps/{id}/users/{id}');
  assert.equal(routeOf('GET', '/api/v1/apps/0oa1/connections/default'), 'GET /api/v1/apps/{id}/connections/default');
  assert.equal(routeOf('GET', '/api/v1/users'), 'GET /api/v1/users');
});

test('scheduler: grows while requests queue and the bucket has room; the budget holds growth back', async () => {
  const now = 1_000_000_000;
  const events: ClientEvent[] = [];
  const s = new RateLimitScheduler({
    org: 'hub',
    capacity: 0.5,
    maxInFlight: 32,
    now: () => now,
    random: () => 0,
    onEvent: (e) => events.push(e),
  });
  s.observe('group', { limit: 1000, remaining: 1000, reset: (now + 60_000) / 1000 });
  const granted = await acquireMany(s, 'group', 100);
  assert.equal(INITIAL_IN_FLIGHT, 16);
  assert.equal(granted.length, 16, 'starts at 16 in flight');
  // Each clean answer frees its slot and adds one: 8 answers → 24 in flight.
  for (const release of granted.splice(0, 8)) release(ok);
  await new Promise((r) => setImmediate(r));
  assert.equal(s.concurrency().limit, 24);
  assert.equal(granted.length, 24);
  for (let round = 0; round < 3; round++) {
    for (const release of granted.splice(0, granted.length)) release(ok);
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(s.concurrency(), { limit: 32, peak: 32, ceiling: 32 });
  assert.ok(events.some((e) => e.type === 'concurrency' && e.reason === 'grow' && e.limit === 32));
  s.dispose();

  // A bucket whose share of the window is nearly spent: more in flight would only wait for budget.
  const t = new RateLimitScheduler({ org: 'emea', capacity: 0.5, maxInFlight: 32, now: () => now, random: () => 0 });
  t.observe('apps', { limit: 100, remaining: 60, reset: (now + 60_000) / 1000 });
  const apps = await acquireMany(t, 'apps', 30);
  assert.equal(apps.length, 10, '50 allowed, 40 used: 10 may go');
  for (const release of apps.splice(0, 8)) release({ ...ok, observed: { limit: 100, remaining: 52, reset: (now + 60_000) / 1000 } });
  await new Promise((r) => setImmediate(r));
  assert.equal(t.concurrency().limit, 16, '50 allowed, 50 sent: no room for more in flight, so no growth');
  t.dispose();
});

test('scheduler: concurrency 429s of one round cut once; a budget 429 does not touch the limit; adaptive: false holds the ceiling', async () => {
  const now = 1_000_000_000;
  const s = new RateLimitScheduler({ org: 'hub', capacity: 0.5, maxInFlight: 32, now: () => now, random: () => 0 });
  s.observe('group', { limit: 1000, remaining: 1000, reset: (now + 60_000) / 1000 });
  const granted = await acquireMany(s, 'group', 200);
  for (let round = 0; round < 2; round++) {
    for (const release of granted.splice(0, granted.length)) release(ok);
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(s.concurrency().limit, 32);
  const refusedAnswer = { status: 429, ms: 5, route: ROUTE, observed: { limit: 1000, remaining: 700, reset: (now + 60_000) / 1000 } };
  for (const release of granted.splice(0, 10)) release(refusedAnswer);
  await new Promise((r) => setImmediate(r));
  assert.equal(s.concurrency().limit, 16, 'ten refusals from one round: halved once');
  const budget429 = { status: 429, ms: 5, route: ROUTE, observed: { limit: 1000, remaining: 0, reset: (now + 60_000) / 1000 } };
  for (const release of granted.splice(0, granted.length)) release(budget429);
  await new Promise((r) => setImmediate(r));
  assert.equal(s.concurrency().limit, 16, 'an exhausted bucket is the rate limit, not concurrency');
  s.dispose();

  const fixed = new RateLimitScheduler({ org: 'hub', capacity: 0.5, maxInFlight: 12, adaptive: false, now: () => now });
  fixed.observe('group', { limit: 1000, remaining: 1000, reset: (now + 60_000) / 1000 });
  const all = await acquireMany(fixed, 'group', 50);
  assert.equal(all.length, 12);
  all.forEach((release) => release(refusedAnswer));
  await new Promise((r) => setImmediate(r));
  assert.equal(fixed.concurrency().limit, 12);
  fixed.dispose();
});

test('against the simulator: backs off at the org concurrency limit; every request succeeds with few 429s', async () => {
  const sim = await startSim(buildSeed({ spokes: [{ name: 'emea', users: 20, assigned: 20 }] }), {
    timeScale: 60,
    rateLimits: { apps: 100_000 },
    concurrencyLimit: 6,
    // Long enough that the requests of one round are at the simulator together, even on a busy machine.
    latencyMs: 40,
  });
  try {
    const { url, tokens } = sim.orgs.emea!;
    const events: ClientEvent[] = [];
    const client = createOktaClient({
      org: 'emea',
      baseUrl: url,
      auth: tokenAuth(tokens.OKTA_EMEA_TOKEN!),
      maxApiCapacity: 1,
      maxInFlight: 32,
      retryBaseMs: 5,
      onEvent: (e) => events.push(e),
    });
    const [app] = await client.get<{ id: string }[]>('/api/v1/apps');
    sim.resetStats();
    const N = 300;
    await Promise.all(Array.from({ length: N }, (_, i) => client.get(`/api/v1/apps/${app!.id}/users`, { limit: 5, n: i })));
    const stats = sim.stats('emea');
    const cuts = events.filter((e) => e.type === 'concurrency' && e.reason === 'concurrency-429');
    const { limit, peak } = client.concurrency!();
    process.stderr.write(
      `# adaptive against a limit of 6: ${N} requests, ${stats.status429} 429s, ${cuts.length} cuts, peak limit ${peak}, final ${limit}\n`,
    );
    assert.equal(stats.total - stats.status429, N, 'every request answered once');
    assert.ok(cuts.length > 0, 'the client cut its limit on concurrency 429s');
    // A fixed 32 in flight would have most of each round refused.
    assert.ok(stats.status429 <= N / 10, `few 429s (${stats.status429})`);
    assert.ok(limit <= 12, `the limit stays near the org's 6 (${limit})`);
  } finally {
    await sim.close();
  }
});

test('against the simulator: where the org allows, the limit grows from its start to the ceiling with no 429', async () => {
  const sim = await startSim(buildSeed({ spokes: [{ name: 'emea', users: 20, assigned: 20 }] }), {
    timeScale: 60,
    rateLimits: { apps: 100_000 },
    latencyMs: 20,
  });
  try {
    const { url, tokens } = sim.orgs.emea!;
    const events: ClientEvent[] = [];
    const client = createOktaClient({
      org: 'emea',
      baseUrl: url,
      auth: tokenAuth(tokens.OKTA_EMEA_TOKEN!),
      maxApiCapacity: 1,
      maxInFlight: 24,
      onEvent: (e) => events.push(e),
    });
    const [app] = await client.get<{ id: string }[]>('/api/v1/apps');
    sim.resetStats();
    assert.equal(client.concurrency!().limit, INITIAL_IN_FLIGHT);
    await Promise.all(Array.from({ length: 300 }, (_, i) => client.get(`/api/v1/apps/${app!.id}/users`, { limit: 5, n: i })));
    const grown = events.filter((e) => e.type === 'concurrency' && e.reason === 'grow').length;
    process.stderr.write(
      `# adaptive against the default limit of 75: peak limit ${client.concurrency!().peak}, ${grown} steps up, sim peak in flight ${sim.stats('emea').peakInFlight}\n`,
    );
    assert.equal(sim.stats('emea').status429, 0);
    assert.ok(client.concurrency!().peak > INITIAL_IN_FLIGHT, 'the limit grew');
    assert.ok(sim.stats('emea').peakInFlight <= 24, 'never above the ceiling');
  } finally {
    await sim.close();
  }
});
