/**
 * Waits that fit their cause. A concurrency 429 (budget left in the window) backs off briefly
 * and grows, even when other integrations hold most of the bucket; a rate 429 waits for the
 * reset; one request's attempts share a deadline, so a dripping server can't hold it for
 * minutes; Ctrl-C cuts a hung read off at once and gives a write in flight a short grace.
 * Assertions are on calls and events (the delays the client chose), not on elapsed time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOktaClient, OktaApiError } from '../../src/okta/client.js';
import type { ClientEvent } from '../../src/okta/types.js';
import { InterruptedError } from '../../src/errors.js';
import { json, startDrippingServer, startServer, tokenAuth } from './servers.js';

const bounded = { timeout: 60_000 };
const resetIn = (s: number): string => String(Math.ceil(Date.now() / 1000) + s);

test(
  'a concurrency 429 with other integrations holding most of the bucket: brief, growing back-offs, no window wait',
  bounded,
  async () => {
    // 100 per window, 70 used by others: over this run's 50 % share, yet the window has budget left.
    const srv = await startServer((_req, res, i) => {
      const headers = { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '30', 'x-rate-limit-reset': resetIn(60) };
      if (i < 4) json(res, 429, { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' }, headers);
      else json(res, 200, { ok: true }, headers);
    });
    const events: ClientEvent[] = [];
    try {
      const client = createOktaClient({
        org: 'emea',
        baseUrl: srv.url,
        auth: tokenAuth(),
        random: () => 0.5,
        onEvent: (e) => events.push(e),
      });
      assert.deepEqual((await client.request('GET', '/api/v1/users/me')).body, { ok: true });
      assert.equal(srv.received.length, 5);
      const retries = events.filter((e) => e.type === 'retry');
      assert.deepEqual(
        retries.map((e) => e.type === 'retry' && e.rateLimit),
        ['concurrency', 'concurrency', 'concurrency', 'concurrency'],
      );
      const delays = retries.map((e) => (e.type === 'retry' ? e.delayMs : 0));
      // 100 ms × 2^attempt (× 0.5 + random): it grows, and each is far below a window.
      assert.ok(
        delays.every((d, k) => d <= 5_000 && (k === 0 || d > delays[k - 1]!)),
        JSON.stringify(delays),
      );
      assert.ok(!events.some((e) => e.type === 'rate-limit-wait' && e.reason === 'budget'), 'a retry waited for the budget');
    } finally {
      await srv.close();
    }
  },
);

test('a rate 429 (the bucket spent) waits for the reset', bounded, async () => {
  const srv = await startServer((_req, res, i) => {
    if (i === 0)
      json(
        res,
        429,
        { errorCode: 'E0000047', errorSummary: 'rate' },
        {
          'x-rate-limit-limit': '100',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': resetIn(2),
        },
      );
    else json(res, 200, { ok: true });
  });
  const events: ClientEvent[] = [];
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), random: () => 0, onEvent: (e) => events.push(e) });
    await client.request('GET', '/api/v1/users/me');
    const retry = events.find((e) => e.type === 'retry');
    assert.ok(retry?.type === 'retry' && retry.rateLimit === '429', JSON.stringify(retry));
    // The reset is 1–2 s away (whole seconds): the wait is to it, not a brief back-off.
    assert.ok(retry.delayMs >= 900, `waited ${retry.delayMs} ms`);
  } finally {
    await srv.close();
  }
});

test("a dripping answer: the request's attempts share one deadline, so it ends after a few, not maxRetries", bounded, async () => {
  const srv = await startDrippingServer();
  try {
    // Each attempt may take 200 ms, the whole request 500 ms: without the deadline, 7 attempts.
    const client = createOktaClient({
      org: 'emea',
      baseUrl: srv.url,
      auth: tokenAuth(),
      timeoutMs: 200,
      requestDeadlineMs: 500,
      retryBaseMs: 1,
      random: () => 0.5,
    });
    await assert.rejects(
      client.get('/api/v1/users/me'),
      (err: unknown) => err instanceof OktaApiError && /within the request's deadline/.test(err.message),
    );
    // At most 500 / 200 rounded up, whatever the load: a late timer only makes attempts longer.
    assert.ok(srv.received.length >= 1 && srv.received.length <= 3, `${srv.received.length} attempts`);
  } finally {
    await srv.close();
  }
});

test('Ctrl-C on a hung write: cut off after its grace, reported as outcome unknown, never retried', bounded, async () => {
  let arrived = false;
  const srv = await startServer(() => {
    arrived = true; // never answered
  });
  const stop = new AbortController();
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), signal: stop.signal });
    const write = client.request('POST', '/api/v1/apps/0oa1/users', { body: { id: 'u1' } });
    while (!arrived) await new Promise((r) => setImmediate(r));
    stop.abort();
    await assert.rejects(
      write,
      (err: unknown) =>
        err instanceof OktaApiError &&
        !(err instanceof InterruptedError) &&
        /cut off by Ctrl-C/.test(err.message) &&
        err.outcomeUnknown === true,
    );
    assert.equal(srv.received.length, 1);
  } finally {
    await srv.close();
  }
});
