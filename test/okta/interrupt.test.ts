/**
 * Ctrl-C at the client: once its signal aborts, requests waiting for a slot (or a rate-limit
 * window, or a retry) are dropped with InterruptedError and never sent; the ones in flight finish.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOktaClient } from '../../src/okta/client.js';
import { RateLimitScheduler } from '../../src/okta/scheduler.js';
import { InterruptedError } from '../../src/errors.js';
import { json, startServer, tokenAuth } from './servers.js';

test('scheduler.stop rejects the queued waiters and every later one; a granted request is released as usual', async () => {
  const s = new RateLimitScheduler({ org: 'emea', capacity: 1, maxInFlight: 1, adaptive: false, now: () => 1_000 });
  const granted = await s.acquire('apps');
  const queued = [s.acquire('apps'), s.acquire('users', true)];
  const reason = new InterruptedError('stopped');
  s.stop(reason);
  for (const q of queued) await assert.rejects(q, (e) => e === reason);
  await assert.rejects(s.acquire('apps'), (e) => e === reason);
  granted();
  s.dispose();
});

test('an aborted signal: a read in flight is cut off at once, the queued ones are never sent; all fail as interrupted', async () => {
  let answer: (() => void) | undefined;
  const srv = await startServer(async (req, res) => {
    if (req.url.includes('slow')) await new Promise<void>((resolve) => (answer = resolve));
    json(res, 200, { ok: req.url });
  });
  const stop = new AbortController();
  try {
    const client = createOktaClient({
      org: 'emea',
      baseUrl: srv.url,
      auth: tokenAuth(),
      maxInFlight: 1,
      adaptiveConcurrency: false,
      signal: stop.signal,
    });
    // Unmetered answers (no rate-limit headers) leave only the in-flight cap of 1.
    await client.request('GET', '/api/v1/users/warm');
    const inFlight = client.request('GET', '/api/v1/users/slow');
    // Settled at once (handled): they reject while the test waits for the one in flight.
    const queued = [1, 2, 3].map((i) =>
      client.request('DELETE', `/api/v1/apps/0oa1/users/u${i}`).then(
        () => 'sent',
        (e: unknown) => e,
      ),
    );
    while (!answer) await new Promise((r) => setImmediate(r));
    stop.abort();
    // The server never answers before the read is cut off: a hung answer can't hold Ctrl-C.
    await assert.rejects(
      inFlight,
      (e: unknown) => e instanceof InterruptedError && /GET \/api\/v1\/users\/slow was cut off/.test(e.message),
    );
    answer();
    for (const outcome of await Promise.all(queued))
      assert.ok(outcome instanceof InterruptedError && /emea: interrupted/.test(outcome.message), String(outcome));
    await assert.rejects(client.request('GET', '/api/v1/users/later'), InterruptedError);
    assert.deepEqual(
      srv.received.map((r) => r.method + ' ' + r.url),
      ['GET /api/v1/users/warm', 'GET /api/v1/users/slow'],
    );
  } finally {
    await srv.close();
  }
});

test('an abort during a retry back-off ends the wait at once and sends nothing more', async () => {
  const srv = await startServer((_req, res) => json(res, 503, { errorCode: 'E0000009', errorSummary: 'down' }));
  const stop = new AbortController();
  try {
    const client = createOktaClient({
      org: 'emea',
      baseUrl: srv.url,
      auth: tokenAuth(),
      retryBaseMs: 60_000,
      signal: stop.signal,
      onEvent: (e) => e.type === 'retry' && stop.abort(),
    });
    await assert.rejects(client.request('GET', '/api/v1/users/me'), InterruptedError);
    assert.equal(srv.received.length, 1);
  } finally {
    await srv.close();
  }
});
