/**
 * The client's node:http transport: connections are kept and reused, the body goes out whole,
 * headers read like fetch's, a gzip answer is read decompressed (the cap counting what it expands
 * to), and a connection cut mid-body is a reset, not a short answer.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createOktaClient } from '../../src/okta/client.js';
import { createTransport } from '../../src/okta/transport.js';
import { json, startServer, tokenAuth } from './servers.js';

test('one kept-alive connection serves requests one after another', async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => json(res, 200, { ok: true }));
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const client = createOktaClient({ org: 'hub', baseUrl: `http://127.0.0.1:${port}`, auth: tokenAuth() });
    for (let i = 0; i < 20; i++) assert.deepEqual(await client.get('/api/v1/apps/a'), { ok: true });
    assert.equal(connections, 1);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a request body goes out whole with its length; repeated headers read joined, by any case', async () => {
  const server = await startServer((_req, res) => {
    res.setHeader('link', ['<http://x/a>; rel="self"', '<http://x/b>; rel="next"']);
    res.setHeader('X-Rate-Limit-Remaining', '7');
    json(res, 200, { done: true });
  });
  try {
    const body = { profile: { name: 'ü'.repeat(1000) } };
    const res = await createOktaClient({ org: 'hub', baseUrl: server.url, auth: tokenAuth() }).request('POST', '/api/v1/groups', { body });
    const received = server.received[0]!;
    assert.equal(received.headers['content-length'], String(Buffer.byteLength(JSON.stringify(body))));
    assert.deepEqual(JSON.parse(received.body), body);
    assert.equal(res.headers.get('Link'), '<http://x/a>; rel="self", <http://x/b>; rel="next"');
    assert.equal(res.headers.get('x-rate-limit-remaining'), '7');
    assert.equal(res.headers.get('x-absent'), null);
  } finally {
    await server.close();
  }
});

test('a connection closed before the whole body is a reset, never a short answer', async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"partial":');
    setImmediate(() => res.socket?.destroy());
  });
  try {
    const transport = createTransport(new URL(server.url), 4);
    const sent = transport.send({
      method: 'GET',
      url: new URL('/api/v1/apps', server.url),
      headers: {},
      timeoutMs: 60_000,
      maxBytes: 1 << 20,
    });
    await assert.rejects(sent, (err: { code?: string }) => err.code === 'ECONNRESET');
  } finally {
    await server.close();
  }
});

test('a gzip answer is read decompressed, and the size cap counts what it expands to', async () => {
  const small = gzipSync(JSON.stringify([{ id: 'a' }]));
  const bomb = gzipSync(Buffer.alloc(1 << 20, 0x20));
  const server = await startServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(req.url.startsWith('/api/v1/apps') ? small : bomb);
  });
  try {
    const client = createOktaClient({ org: 'hub', baseUrl: server.url, auth: tokenAuth(), maxResponseBytes: 64 * 1024 });
    assert.deepEqual(await client.get('/api/v1/apps'), [{ id: 'a' }]);
    assert.match(server.received[0]!.headers['accept-encoding'] ?? '', /gzip/);
    await assert.rejects(client.get('/api/v1/users'), /answered more than 0 MB; stopped reading it/);
    assert.ok(bomb.length < 64 * 1024);
  } finally {
    await server.close();
  }
});
