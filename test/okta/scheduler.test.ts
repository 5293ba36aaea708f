import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitScheduler } from '../../src/okta/scheduler.js';
import { classifyBucket, describePath, largestPage } from '../../src/okta/routes.js';
import type { ClientEvent } from '../../src/okta/types.js';

/** Count how many of `n` acquisitions are granted right away (microtasks only, no timers). */
async function grantedNow(s: RateLimitScheduler, bucket: string, n: number): Promise<{ granted: number; releases: (() => void)[] }> {
  const releases: (() => void)[] = [];
  for (let i = 0; i < n; i++) void s.acquire(bucket).then((r) => releases.push(r));
  await new Promise((r) => setImmediate(r));
  return { granted: releases.length, releases };
}

test('unknown bucket: one probe at a time; then capacity × limit per window; budget waits reported once', async () => {
  const now = 1_000_000;
  const events: ClientEvent[] = [];
  const s = new RateLimitScheduler({
    org: 'emea',
    capacity: 0.5,
    maxInFlight: 100,
    adaptive: false,
    now: () => now,
    random: () => 0,
    onEvent: (e) => events.push(e),
  });
  const first = await grantedNow(s, 'apps', 3);
  assert.equal(first.granted, 1, 'a single probe until the limit is known');
  s.observe('apps', { limit: 100, remaining: 99, reset: (now + 30_000) / 1000, date: now });
  first.releases[0]!();
  await new Promise((r) => setImmediate(r));
  assert.equal(first.releases.length, 3);
  const more = await grantedNow(s, 'apps', 60);
  assert.equal(more.granted, 47, '50 allowed in the window, 3 already sent');
  const waits = events.filter((e) => e.type === 'rate-limit-wait');
  assert.equal(waits.length, 1);
  assert.deepEqual(waits[0], { type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: now + 30_000, reason: 'budget' });
  assert.deepEqual(s.snapshot(), [{ bucket: 'apps', limit: 100, remaining: 99, reset: (now + 30_000) / 1000 }]);
  assert.equal(s.allowance('apps'), 50);
  s.dispose();
});

test('other buckets are not held up by an exhausted one; the in-flight cap holds across buckets', async () => {
  const now = 5_000_000;
  const s = new RateLimitScheduler({ org: 'emea', capacity: 1, maxInFlight: 4, now: () => now });
  s.observe('apps', { limit: 1, remaining: 0, reset: (now + 60_000) / 1000 });
  s.observe('users', { limit: 600, remaining: 600, reset: (now + 60_000) / 1000 });
  const apps = await grantedNow(s, 'apps', 2);
  assert.equal(apps.granted, 0);
  const users = await grantedNow(s, 'users', 10);
  assert.equal(users.granted, 4, 'capped at 4 in flight');
  users.releases[0]!();
  await new Promise((r) => setImmediate(r));
  assert.equal(users.releases.length, 5);
  s.dispose();
});

test('429: held until the reset on the server clock corrected for skew', () => {
  const now = 10_000_000;
  const s = new RateLimitScheduler({ org: 'emea', capacity: 0.5, maxInFlight: 10, now: () => now, random: () => 0 });
  // The server's clock is 10 minutes ahead; its reset is 20 s after its own now.
  const serverNow = now + 600_000;
  s.observe('apps', { limit: 100, remaining: 0, reset: (serverNow + 20_000) / 1000, date: serverNow });
  const { until, reason } = s.blockAfter429('apps', { limit: 100, remaining: 0, reset: (serverNow + 20_000) / 1000, date: serverNow }, 0);
  assert.equal(reason, '429');
  assert.ok(Math.abs(until - (now + 20_000)) <= 500, `waits ~20 s of local time, not 10 min (${until - now} ms)`);
  const concurrency = s.blockAfter429('apps', { limit: 100, remaining: 40 }, 1);
  assert.equal(concurrency.reason, 'concurrency');
});

test('routes: buckets, page sizes and masked secret query values', () => {
  assert.equal(classifyBucket('GET', '/api/v1/apps'), 'apps');
  assert.equal(classifyBucket('GET', '/api/v1/apps/0oa1'), 'app');
  assert.equal(classifyBucket('POST', '/api/v1/apps/0oa1/users'), 'apps');
  assert.equal(classifyBucket('GET', '/api/v1/users'), 'users');
  assert.equal(classifyBucket('GET', '/api/v1/users/me'), 'user');
  assert.equal(classifyBucket('GET', '/api/v1/groups/00g1/users'), 'group');
  assert.equal(classifyBucket('POST', '/oauth2/v1/token'), 'oauth');
  assert.equal(classifyBucket('GET', '/api/v1/meta/schemas/apps/0oa1/default'), 'default');
  assert.equal(largestPage('/api/v1/apps/0oa1/users'), 500);
  assert.equal(largestPage('/api/v1/apps/0oa1/groups'), 200);
  assert.equal(largestPage('/api/v1/apps/0oa1/group-push/mappings'), 1000);
  assert.equal(largestPage('/api/v1/groups/00g1/users'), 1000);
  assert.equal(largestPage('/api/v1/apps/0oa1/features'), undefined);
  assert.equal(describePath(new URL('https://x/api/v1/a?client_assertion=abc&limit=5')), '/api/v1/a?client_assertion=(sensitive)&limit=5');
});

test('on a simulated clock: exactly capacity × limit per window, window after window, never more (the throughput test without wall-clock time)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 1_800_000_000_000; // a window boundary: Okta's per-minute windows, here aligned to the minute
  const WINDOW = 60_000;
  const s = new RateLimitScheduler({ org: 'emea', capacity: 0.5, maxInFlight: 8, now: () => now, random: () => 0 });
  const perWindow = new Map<number, number>();
  const N = 1000;
  let answered = 0;
  // A server with 100 calls a window that answers at once: counts each call in its window.
  for (let i = 0; i < N; i++) {
    void s.acquire('apps').then((release) => {
      const windowEnd = (Math.floor(now / WINDOW) + 1) * WINDOW;
      const used = (perWindow.get(windowEnd) ?? 0) + 1;
      perWindow.set(windowEnd, used);
      queueMicrotask(() => {
        s.observe('apps', { limit: 100, remaining: 100 - used, reset: windowEnd / 1000, date: now });
        answered++;
        release();
      });
    });
  }
  for (let step = 0; answered < N && step < 100_000; step++) {
    await new Promise((r) => setImmediate(r));
    now += 100;
    t.mock.timers.tick(100);
  }
  s.dispose();
  assert.equal(answered, N);
  const counts = [...perWindow.values()];
  assert.equal(counts.length, 20, `1000 calls at 50 a window take 20 windows (${counts.join(', ')})`);
  assert.ok(
    counts.every((c) => c === 50),
    `every window used exactly its 50 (${counts.join(', ')})`,
  );
});

test('a next page (urgent) is served before requests that were queued earlier for other work, in any bucket', async () => {
  const now = 7_000_000;
  const s = new RateLimitScheduler({ org: 'emea', capacity: 1, maxInFlight: 2, adaptive: false, now: () => now });
  s.observe('apps', { limit: 1000, remaining: 1000, reset: (now + 60_000) / 1000 });
  s.observe('group', { limit: 1000, remaining: 1000, reset: (now + 60_000) / 1000 });
  const order: string[] = [];
  const releases: (() => void)[] = [];
  const take = (name: string, bucket: string, urgent = false): void =>
    void s.acquire(bucket, urgent).then((r) => {
      order.push(name);
      releases.push(r);
    });
  take('first', 'group');
  take('second', 'group');
  for (let i = 0; i < 5; i++) take(`members ${i}`, 'group');
  take('next page A', 'apps', true);
  take('next page B', 'group', true);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['first', 'second'], 'two in flight');
  releases.shift()!();
  releases.shift()!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    order.slice(2),
    ['next page A', 'next page B'],
    'the urgent ones, in their own order, ahead of the five queued before them',
  );
  releases.shift()!();
  await new Promise((r) => setImmediate(r));
  assert.equal(order[4], 'members 0', 'then the others, oldest first');
  s.dispose();
});
