/**
 * Hostile or broken servers: each test reproduces an attack on the client and checks that it
 * ends, with a clear error, without sending the token anywhere else or printing it. Nothing here
 * measures elapsed time: a defence that fails shows as a hang (the test's timeout) or a wrong count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOktaClient, OktaApiError } from '../../src/okta/client.js';
import { Secret } from '../../src/credentials.js';
import type { ClientEvent } from '../../src/okta/types.js';
import { Org2OrgError } from '../../src/errors.js';
import { CANARY, json, oktaError, startDrippingServer, startServer, tokenAuth } from './servers.js';

const fast = { retryBaseMs: 1, random: () => 0.5 };
const bounded = { timeout: 30_000 };

async function drain(pages: AsyncGenerator<unknown[]>): Promise<number> {
  let n = 0;
  for await (const _ of pages) n++;
  return n;
}

test('a next link that resolves to another origin is refused, however it is spelt', bounded, async () => {
  const evil = await startServer((_req, res) => json(res, 200, []));
  const host = evil.url.replace('http://', '');
  const spellings = [
    `${evil.url}/api/v1/users?after=x`,
    `//${host}/api/v1/users`,
    `/\\${host}/api/v1/users`,
    `\\\\${host}/api/v1/users`,
    `/\t/${host}/api/v1/users`,
    `http://${host}@127.0.0.1:1/x`,
  ];
  try {
    for (const link of spellings) {
      const srv = await startServer((_req, res) => json(res, 200, [{ id: 1 }], { link: `<${link}>; rel="next"` }));
      try {
        const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), ...fast });
        await assert.rejects(
          drain(client.pages('/api/v1/users')),
          (err: unknown) => err instanceof Org2OrgError && /refused to follow a link/.test(err.message) && !err.message.includes(CANARY),
          JSON.stringify(link),
        );
        assert.equal(srv.received.length, 1, JSON.stringify(link));
      } finally {
        await srv.close();
      }
    }
    assert.equal(evil.received.length, 0);
  } finally {
    await evil.close();
  }
});

test('a Link loop is detected and an endless list stops at the page cap', bounded, async () => {
  const srv = await startServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const after = Number(url.searchParams.get('after') ?? 0);
    if (url.pathname.endsWith('/self')) return json(res, 200, [{ id: 1 }], { link: `<${srv.url}/api/v1/self?after=1>; rel="next"` });
    if (url.pathname.endsWith('/pingpong'))
      return json(res, 200, [{ id: 1 }], { link: `<${srv.url}/api/v1/pingpong?after=${after === 1 ? 2 : 1}>; rel="next"` });
    json(res, 200, [{ id: after }], { link: `<${srv.url}/api/v1/endless?after=${after + 1}>; rel="next"` });
  });
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), maxPages: 25, ...fast });
    await assert.rejects(drain(client.pages('/api/v1/self')), /links back to a page it already answered/);
    await assert.rejects(drain(client.pages('/api/v1/pingpong')), /links back to a page it already answered/);
    const before = srv.received.length;
    assert.ok(before <= 6, `${before} requests for two loops`);
    await assert.rejects(drain(client.pages('/api/v1/endless')), /still had a next page after 25 pages/);
    assert.equal(srv.received.length - before, 25);
  } finally {
    await srv.close();
  }
});

test('an answer whose body drips ends at the deadline with a clear error', bounded, async () => {
  const srv = await startDrippingServer();
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), timeoutMs: 300, maxRetries: 1, ...fast });
    await assert.rejects(
      client.get('/api/v1/users/me'),
      (err: unknown) => err instanceof OktaApiError && err.status === 0 && /no complete answer within 300 ms/.test(err.message),
    );
    assert.equal(srv.received.length, 2, 'a GET is tried again once, then given up');
  } finally {
    await srv.close();
  }
});

test('a huge answer is not read past the cap; a long error text is cut', bounded, async () => {
  const srv = await startServer((req, res) => {
    if (req.url.includes('huge')) return oktaError(res, 400, 'E0000001', 'x'.repeat(3 * 1024 * 1024));
    oktaError(res, 400, 'E0000001', `${'y'.repeat(200_000)}`);
  });
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), maxResponseBytes: 1024 * 1024, ...fast });
    await assert.rejects(
      client.get('/api/v1/huge'),
      (err: unknown) => err instanceof Org2OrgError && /answered more than 1 MB/.test(err.message),
    );
    await assert.rejects(
      client.get('/api/v1/long'),
      (err: unknown) => err instanceof OktaApiError && err.message.length < 1000 && /more characters/.test(err.message),
    );
  } finally {
    await srv.close();
  }
});

test('a far-future or hour-long reset, or a long Retry-After, is a clear error at once, not a wait', bounded, async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on('warning', onWarning);
  const resets: Record<string, () => string> = {
    far: () => '99999999999',
    hour: () => String(Math.ceil(Date.now() / 1000) + 3600),
  };
  const srv = await startServer((req, res) => {
    const kind = new URL(req.url, 'http://x').pathname.split('/').pop()!;
    if (kind === 'after')
      return oktaError(res, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.', { 'retry-after': '7200' });
    if (kind === 'busy') return oktaError(res, 503, 'E0000009', 'Service Unavailable', { 'retry-after': '7200' });
    const headers = { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': resets[kind]!() };
    oktaError(res, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.', headers);
  });
  try {
    for (const kind of ['far', 'hour', 'after', 'busy']) {
      const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), ...fast });
      const before = srv.received.length;
      await assert.rejects(
        client.get(`/api/v1/users/${kind}`),
        (err: unknown) => err instanceof OktaApiError && /asked to wait \d+ s/.test(err.message) && /Run again later/.test(err.message),
        kind,
      );
      assert.equal(srv.received.length - before, 1, kind);
    }
    assert.deepEqual(warnings, [], 'no timer overflow');
  } finally {
    process.off('warning', onWarning);
    await srv.close();
  }
});

test('a far-future reset on a successful answer holds the bucket no longer than the cap', bounded, async () => {
  const srv = await startServer((_req, res) =>
    json(res, 200, {}, { 'x-rate-limit-limit': '2', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': '99999999999' }),
  );
  try {
    const events: ClientEvent[] = [];
    const client = createOktaClient({
      org: 'emea',
      baseUrl: srv.url,
      auth: tokenAuth(),
      maxRateLimitWaitMs: 200,
      onEvent: (e) => events.push(e),
      ...fast,
    });
    await client.get('/api/v1/users/me');
    const sent = Date.now();
    await client.get('/api/v1/users/me');
    const waits = events.filter((e) => e.type === 'rate-limit-wait');
    assert.equal(waits.length, 1);
    assert.ok(waits[0]!.type === 'rate-limit-wait' && waits[0]!.until <= sent + 200, 'the wait ends within the cap');
  } finally {
    await srv.close();
  }
});

test('Retry-After is honoured on a 429 and a 503', bounded, async () => {
  let i = 0;
  const srv = await startServer((req, res) => {
    if (i++ % 2 === 1) return json(res, 200, {});
    if (req.url.includes('busy')) return oktaError(res, 503, 'E0000009', 'Service Unavailable', { 'retry-after': '1' });
    const reset = String(Math.floor(Date.now() / 1000));
    oktaError(res, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.', {
      'retry-after': '1',
      'x-rate-limit-limit': '100',
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': reset,
    });
  });
  try {
    const events: ClientEvent[] = [];
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), onEvent: (e) => events.push(e), ...fast });
    await client.get('/api/v1/users/limited');
    await client.get('/api/v1/users/busy');
    const delays = events.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []));
    assert.equal(delays.length, 2);
    for (const d of delays) assert.ok(d >= 990, `waited ${d} ms, Retry-After said 1 s`);
  } finally {
    await srv.close();
  }
});

test('server error text is scrubbed of every secret the process holds and of control characters', bounded, async () => {
  const hubToken = 'hub-canary-token-NEVER-SHOWN-91c2';
  new Secret('OKTA_HUB_PROVISIONING_TOKEN', hubToken);
  const srv = await startServer((req, res) =>
    json(res, 400, {
      errorCode: 'E0000001\u001b[2J',
      errorSummary: `Bad header: ${String(req.headers.authorization)}\r\n\u001b[31m[org2org] all good\u001b[0m ${hubToken}`,
      errorCauses: [{ errorSummary: `echo ${JSON.stringify(req.headers)}` }],
      errorId: 'oae\u0007id',
    }),
  );
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), ...fast });
    await assert.rejects(client.get('/api/v1/users/me'), (err: unknown) => {
      assert.ok(err instanceof OktaApiError);
      for (const text of [err.message, err.errorSummary ?? '', ...err.causes]) {
        assert.ok(!text.includes(CANARY), text);
        assert.ok(!text.includes(hubToken), text);
        assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(text), JSON.stringify(text));
      }
      assert.match(err.message, /Bad header: SSWS \(sensitive\)/);
      return true;
    });
  } finally {
    await srv.close();
  }
});

test('a 429 says whether the rate or the concurrency limit was hit, and which flag helps', bounded, async () => {
  const srv = await startServer((req, res) => {
    const reset = String(Math.floor(Date.now() / 1000));
    const remaining = req.url.includes('concurrent') ? '80' : '0';
    oktaError(res, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.', {
      'x-rate-limit-limit': '100',
      'x-rate-limit-remaining': remaining,
      'x-rate-limit-reset': reset,
    });
  });
  try {
    const client = createOktaClient({
      org: 'emea',
      baseUrl: srv.url,
      auth: tokenAuth(),
      maxRetries: 0,
      maxInFlight: 12,
      maxApiCapacity: 0.4,
      ...fast,
    });
    await assert.rejects(
      client.get('/api/v1/users/concurrent'),
      (err: unknown) =>
        err instanceof OktaApiError &&
        /concurrency limit/.test(err.message) &&
        /--max-in-flight \(now 12\)/.test(err.message) &&
        !/--max-api-capacity/.test(err.message),
    );
    await assert.rejects(
      client.get('/api/v1/users/rate'),
      (err: unknown) =>
        err instanceof OktaApiError &&
        /rate-limit bucket/.test(err.message) &&
        /--max-api-capacity \(now 40%\)/.test(err.message) &&
        !/--max-in-flight/.test(err.message),
    );
  } finally {
    await srv.close();
  }
});
