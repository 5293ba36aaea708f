import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOktaClient, OktaApiError } from '../../src/okta/client.js';
import type { ClientEvent } from '../../src/okta/types.js';
import { Org2OrgError } from '../../src/errors.js';
import { CANARY, json, oktaError, startServer, tokenAuth } from './servers.js';

const fast = { retryBaseMs: 1, random: () => 0.5 };

/** A list of one-item pages `[{ id: 0 }]` … `[{ id: last }]`, each linking to the next. */
async function pagedUsers(last: number): ReturnType<typeof startServer> {
  const srv = await startServer((req, res) => {
    const after = Number(new URL(req.url, 'http://x').searchParams.get('after') ?? 0);
    const headers: Record<string, string> = after < last ? { link: `<${srv.url}/api/v1/users?after=${after + 1}>; rel="next"` } : {};
    json(res, 200, [{ id: after }], headers);
  });
  return srv;
}

test('pages asks for the largest page, follows Link next and streams pages', async () => {
  const srv = await startServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const after = Number(url.searchParams.get('after') ?? 0);
    const limit = Number(url.searchParams.get('limit'));
    const items = Array.from({ length: Math.min(limit, 1200 - after) }, (_, i) => ({ id: `u${after + i}` }));
    const headers: Record<string, string> = {};
    if (after + items.length < 1200) headers.link = `<${srv.url}${url.pathname}?after=${after + items.length}&limit=${limit}>; rel="next"`;
    json(res, 200, items, headers);
  });
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), ...fast });
    const sizes: number[] = [];
    for await (const page of client.pages('/api/v1/apps/0oa1/users', { expand: 'user' })) sizes.push(page.length);
    assert.deepEqual(sizes, [500, 500, 200]);
    assert.equal(srv.received.length, 3);
    assert.match(srv.received[0]!.url, /limit=500/);
    assert.match(srv.received[0]!.url, /expand=user/);
    // A caller that stops early costs at most the two pages asked for ahead of it (a next page is
    // asked for when the previous page's headers are in).
    const firstTo = (path: string): string => srv.received.find((r) => r.url.startsWith(path))!.url;
    for await (const _ of client.pages('/api/v1/apps/0oa1/group-push/mappings')) break;
    assert.match(firstTo('/api/v1/apps/0oa1/group-push/mappings'), /limit=1000/);
    for await (const _ of client.pages('/api/v1/groups/00g1/users')) break;
    assert.match(firstTo('/api/v1/groups/00g1/users'), /limit=1000/);
    for await (const _ of client.pages('/api/v1/apps/0oa1/groups', { limit: 20 })) break;
    assert.match(firstTo('/api/v1/apps/0oa1/groups'), /limit=20\b/);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the pages asked for ahead land
    assert.ok(srv.received.length <= 3 + 3 * 3, `${srv.received.length} requests`);
    assert.equal(srv.received[0]!.headers.authorization, `SSWS ${CANARY}`);
    assert.match(String(srv.received[0]!.headers['user-agent']), /^org2org\/\d+\.\d+\.\d+/);
  } finally {
    await srv.close();
  }
});

test('pages asks for the next page while the caller is still handling this one', async () => {
  const srv = await pagedUsers(2);
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), ...fast });
    const seenWhileHandling: number[] = [];
    for await (const _page of client.pages('/api/v1/users')) {
      // Handling the page takes a while; the next page's request is already on its way.
      const deadline = Date.now() + 2000;
      const wanted = Math.min(seenWhileHandling.length + 2, 3);
      while (srv.received.length < wanted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      seenWhileHandling.push(srv.received.length);
    }
    // While page i is handled, page i + 1 has been asked for, and page i + 2 perhaps (at most two ahead).
    assert.equal(seenWhileHandling.length, 3);
    for (const [i, seen] of seenWhileHandling.entries())
      assert.ok(seen >= Math.min(i + 2, 3) && seen <= Math.min(i + 3, 3), `page ${i}: ${seen} requests`);
  } finally {
    await srv.close();
  }
});

test('a next link to another origin is refused and that server receives nothing', async () => {
  const evil = await startServer((_req, res) => json(res, 200, []));
  const srv = await startServer((_req, res) => json(res, 200, [{ id: 1 }], { link: `<${evil.url}/api/v1/users?after=x>; rel="next"` }));
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), ...fast });
    const pages: unknown[][] = [];
    await assert.rejects(
      async () => {
        for await (const page of client.pages('/api/v1/users')) pages.push(page);
      },
      (err: unknown) =>
        err instanceof Org2OrgError &&
        /refused to follow a link to http:\/\/127\.0\.0\.1:\d+/.test(err.message) &&
        !err.message.includes(CANARY),
    );
    assert.equal(pages.length, 1);
    assert.equal(evil.received.length, 0);
    await assert.rejects(client.get(`${evil.url}/api/v1/users/me`), /not this org's origin/);
    assert.equal(evil.received.length, 0);
  } finally {
    await evil.close();
    await srv.close();
  }
});

test('a redirect is not followed: the other server receives nothing', async () => {
  const evil = await startServer((_req, res) => json(res, 200, {}));
  const srv = await startServer((_req, res) => {
    res.writeHead(302, { location: `${evil.url}/api/v1/users/me` });
    res.end();
  });
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), ...fast });
    await assert.rejects(client.get('/api/v1/users/me'), (err: unknown) => err instanceof OktaApiError && err.status === 302);
    assert.equal(srv.received.length, 1);
    assert.equal(evil.received.length, 0);
  } finally {
    await evil.close();
    await srv.close();
  }
});

test('plain http is refused except on loopback', () => {
  assert.throws(() => createOktaClient({ org: 'emea', baseUrl: 'http://acme.okta.com', auth: tokenAuth() }), /must use https/);
  for (const base of ['http://127.0.0.1:1', 'http://localhost:1', 'http://[::1]:1', 'https://acme.okta.com']) {
    assert.doesNotThrow(() => createOktaClient({ org: 'emea', baseUrl: base, auth: tokenAuth() }));
  }
});

test('GET is retried on 5xx with X-Okta-Retry-For and -Count; gives up after maxRetries', async () => {
  const srv = await startServer((req, res, i) => {
    if (req.url.startsWith('/api/v1/apps/ok') && i < 2)
      return oktaError(res, 503, 'E0000009', 'Service Unavailable', { 'x-okta-request-id': 'req-first' });
    if (req.url.startsWith('/api/v1/apps/ok')) return json(res, 200, { id: 'ok' });
    oktaError(res, 500, 'E0000009', 'Internal Server Error');
  });
  try {
    const events: ClientEvent[] = [];
    const client = createOktaClient({
      org: 'emea',
      baseUrl: srv.url,
      auth: tokenAuth(),
      maxRetries: 3,
      onEvent: (e) => events.push(e),
      ...fast,
    });
    assert.deepEqual(await client.get('/api/v1/apps/ok'), { id: 'ok' });
    assert.equal(srv.received.length, 3);
    assert.equal(srv.received[0]!.headers['x-okta-retry-count'], undefined);
    assert.equal(srv.received[1]!.headers['x-okta-retry-for'], 'req-first');
    assert.equal(srv.received[2]!.headers['x-okta-retry-count'], '2');
    assert.equal(events.filter((e) => e.type === 'retry').length, 2);
    await assert.rejects(
      client.get('/api/v1/apps/down'),
      (err: unknown) => err instanceof OktaApiError && err.status === 500 && /every retry/.test(err.message),
    );
    assert.equal(srv.received.length, 3 + 4);
  } finally {
    await srv.close();
  }
});

test('a POST is not resent after a 5xx or a reset, unless marked idempotent', async () => {
  let mode: '500' | 'reset' = '500';
  const srv = await startServer((_req, res) => {
    if (mode === 'reset') return void res.socket?.destroy();
    oktaError(res, 500, 'E0000009', 'Internal Server Error');
  });
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), ...fast });
    await assert.rejects(
      client.request('POST', '/api/v1/apps/0oa1/users', { body: { id: 'u1' } }),
      (err: unknown) => err instanceof OktaApiError && err.outcomeUnknown && /plan/.test(err.message),
    );
    assert.equal(srv.received.length, 1);
    mode = 'reset';
    await assert.rejects(
      client.request('POST', '/api/v1/apps/0oa1/users', { body: { id: 'u1' } }),
      (err: unknown) => err instanceof OktaApiError && err.status === 0 && err.outcomeUnknown,
    );
    assert.equal(srv.received.length, 2);
    await assert.rejects(client.request('POST', '/api/v1/apps/0oa1/users', { body: { id: 'u1' }, idempotent: true }));
    assert.equal(srv.received.length, 2 + 7);
    // GET after a reset: retried.
    const before = srv.received.length;
    await assert.rejects(client.get('/api/v1/apps'));
    assert.equal(srv.received.length - before, 7);
  } finally {
    await srv.close();
  }
});

test('a POST that never reached the server (connection refused) is retried once (not the full count), then fails clearly', async () => {
  const srv = await startServer((_req, res) => json(res, 200, {}));
  const url = srv.url;
  await srv.close();
  const events: ClientEvent[] = [];
  const client = createOktaClient({ org: 'emea', baseUrl: url, auth: tokenAuth(), maxRetries: 2, onEvent: (e) => events.push(e), ...fast });
  await assert.rejects(
    client.request('POST', '/api/v1/apps', { body: {} }),
    (err: unknown) =>
      err instanceof OktaApiError &&
      err.status === 0 &&
      !err.outcomeUnknown &&
      /ECONNREFUSED/.test(err.message) &&
      /refused the connection/.test(err.message),
  );
  assert.deepEqual(
    events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason),
    ['ECONNREFUSED'],
  );
});

test('a slow answer times out; a GET is retried and succeeds', async () => {
  const srv = await startServer((_req, res, i) => {
    // Far past the deadline, which is far past any ordinary answer even on a busy machine.
    if (i === 0) return void setTimeout(() => json(res, 200, { late: true }), 5000);
    json(res, 200, { late: false });
  });
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), timeoutMs: 1000, ...fast });
    assert.deepEqual(await client.get('/api/v1/users/me'), { late: false });
    assert.equal(srv.received.length, 2);
    const post = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), timeoutMs: 1000, ...fast });
    srv.received.length = 0;
    // Index 0 again: slow; a POST must not be resent.
    await assert.rejects(
      post.request('POST', '/api/v1/users', { body: {} }),
      (err: unknown) => err instanceof OktaApiError && err.outcomeUnknown,
    );
    assert.equal(srv.received.length, 1);
  } finally {
    await srv.close();
  }
});

test('429: waits for the reset, then retries; E0000047 after all retries names the bucket and reset', async () => {
  let refuse = 1;
  const srv = await startServer((req, res) => {
    const reset = Math.ceil(Date.now() / 1000);
    const headers = {
      'x-rate-limit-limit': '100',
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(reset),
      date: new Date().toUTCString(),
    };
    if (req.url.includes('always') || refuse-- > 0)
      return oktaError(res, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.', headers);
    json(res, 200, [], { ...headers, 'x-rate-limit-remaining': '99' });
  });
  try {
    const events: ClientEvent[] = [];
    const client = createOktaClient({
      org: 'emea',
      baseUrl: srv.url,
      auth: tokenAuth(),
      maxRetries: 1,
      onEvent: (e) => events.push(e),
      ...fast,
    });
    const res = await client.request('GET', '/api/v1/apps/0oa1/users');
    assert.equal(res.status, 200);
    assert.equal(srv.received.length, 2);
    const waits = events.filter((e) => e.type === 'rate-limit-wait');
    assert.ok(waits.some((e) => e.type === 'rate-limit-wait' && e.reason === '429' && e.bucket === 'apps'));
    await assert.rejects(
      client.get('/api/v1/apps/0oa1/groups/always'),
      (err: unknown) =>
        err instanceof OktaApiError &&
        err.errorCode === 'E0000047' &&
        /"apps" rate-limit bucket/.test(err.message) &&
        /resets at \d{4}-/.test(err.message),
    );
  } finally {
    await srv.close();
  }
});

test('error messages say what to do: E0000011 names the env var, E0000006 the role; no secret in them', async () => {
  const srv = await startServer((req, res) => {
    if (req.url.startsWith('/api/v1/users/me')) return oktaError(res, 401, 'E0000011', 'Invalid token provided');
    oktaError(res, 403, 'E0000006', 'You do not have permission to perform the requested action');
  });
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(CANARY, 'OKTA_EMEA_TOKEN'), ...fast });
    await assert.rejects(
      client.get('/api/v1/users/me'),
      (err: unknown) =>
        err instanceof OktaApiError &&
        err.status === 401 &&
        err.errorCode === 'E0000011' &&
        /OKTA_EMEA_TOKEN/.test(err.message) &&
        /"emea"/.test(err.message) &&
        !err.message.includes(CANARY),
    );
    assert.equal(srv.received.length, 1, '401 is not retried');
    await assert.rejects(
      client.request('POST', '/api/v1/apps/0oa1/users', { body: {} }),
      (err: unknown) => err instanceof OktaApiError && /Application Administrator/.test(err.message) && err.errorId === 'oae-test-1',
    );
  } finally {
    await srv.close();
  }
});

test('--debug logs method, path, status, ms and remaining, never the token or secret query values', async () => {
  const srv = await startServer((_req, res) =>
    json(
      res,
      200,
      {},
      { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '599', 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + 60) },
    ),
  );
  try {
    const lines: string[] = [];
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), debug: true, log: (l) => lines.push(l), ...fast });
    await client.get('/api/v1/users/me', { token: CANARY, q: 'x' });
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /emea GET \/api\/v1\/users\/me\?token=\(sensitive\)&q=x -> 200 \d+ms user remaining=599\/600/);
    assert.ok(!lines.join('\n').includes(CANARY));
    assert.ok(!/SSWS/.test(lines.join('\n')));
    assert.deepEqual(
      client.rateLimits().map((r) => [r.bucket, r.limit, r.remaining]),
      [['user', 600, 599]],
    );
  } finally {
    await srv.close();
  }
});

test('pages holds at most two pages ahead of a slow caller, and asks for the next once one is taken', async () => {
  const srv = await pagedUsers(9);
  try {
    const client = createOktaClient({ org: 'emea', baseUrl: srv.url, auth: tokenAuth(), ...fast });
    const pages = client.pages<{ id: number }>('/api/v1/users');
    const first = await pages.next();
    assert.deepEqual(first.value, [{ id: 0 }]);
    // The caller holds page 0: pages 1 and 2 may be asked for, page 3 not until page 1 is taken.
    const deadline = Date.now() + 5000;
    while (srv.received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50)); // a fourth request, if one were wrongly sent, would show now
    assert.equal(srv.received.length, 3);
    const ids: number[] = [];
    for await (const page of pages) ids.push(page[0]!.id);
    assert.deepEqual(ids, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(srv.received.length, 10);
  } finally {
    await srv.close();
  }
});
