/**
 * `GET /api/v1/logs` as the spec documents it (listLogEvents): paging (`limit`, `after`, the
 * `next` link: a bounded query ends, a polling query always has one), `since`/`until`,
 * `sortOrder`, `filter`, `q`; and the log's lag (an event shows only `logLagMs` after it was
 * published), crossed with the simulator's clock instead of sleeping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleChange, startSim, type Sim } from '../../src/sim/index.js';
import { call, nextLink, q } from './helpers.js';

const SEED = new URL('../export/fixtures/drift/seed.yaml', import.meta.url).pathname;

async function withSim(options: Parameters<typeof startSim>[1], fn: (sim: Sim) => Promise<void>): Promise<void> {
  const sim = await startSim(SEED, options);
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

/** One page of emea's log: the events' types, the next link, the Date header. */
async function logs(
  sim: Sim,
  query: string,
): Promise<{ status: number; types: string[]; uuids: string[]; next?: string; date: number; body: any }> {
  const token = sim.orgs.emea!.tokens.OKTA_EMEA_TOKEN!;
  const res = await call(sim.orgs.emea!.url, token, 'GET', query.startsWith('http') ? query : `/api/v1/logs${query}`);
  const body = res.body;
  return {
    status: res.status,
    body,
    types: Array.isArray(body) ? body.map((e: { eventType: string }) => e.eventType) : [],
    uuids: Array.isArray(body) ? body.map((e: { uuid: string }) => e.uuid) : [],
    next: nextLink(res.headers),
    date: Date.parse(res.headers.get('date') ?? ''),
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

test('paging: limit and next links; a bounded query ends, a polling query always has a next link that later finds new events', async () => {
  await withSim({}, async (sim) => {
    const token = sim.orgs.emea!.tokens.OKTA_EMEA_TOKEN!;
    const start = sim.now() - 1000;
    for (const name of ['G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7']) {
      assert.equal((await call(sim.orgs.emea!.url, token, 'POST', '/api/v1/groups', { profile: { name } })).status, 200);
    }
    const bounded = `?since=${q(iso(start))}&until=${q(iso(sim.now() + 60_000))}&limit=3`;
    const pages: string[][] = [];
    let page = await logs(sim, bounded);
    pages.push(page.uuids);
    while (page.next) {
      page = await logs(sim, page.next);
      pages.push(page.uuids);
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [3, 3, 1],
      'a bounded query ends after its last page',
    );
    assert.equal(new Set(pages.flat()).size, 7, 'no event twice, none missed');
    const all = await logs(sim, `?since=${q(iso(start))}&until=${q(iso(sim.now() + 60_000))}`);
    assert.deepEqual(all.uuids, pages.flat(), 'pages follow the order of the whole answer');

    // Polling: no until. Each answer has a next link, the last one too.
    let poll = await logs(sim, `?since=${q(iso(start))}&limit=5`);
    assert.equal(poll.uuids.length, 5);
    poll = await logs(sim, poll.next!);
    assert.equal(poll.uuids.length, 2);
    assert.ok(poll.next, 'a polling query has a next link even on its last page');
    const drained = await logs(sim, poll.next!);
    assert.deepEqual(drained.uuids, []);
    assert.ok(drained.next, 'and on an empty one');
    await call(sim.orgs.emea!.url, token, 'POST', '/api/v1/groups', { profile: { name: 'G8' } });
    const later = await logs(sim, drained.next!);
    assert.deepEqual(later.types, ['group.lifecycle.create'], 'the next link finds only what came since');
    assert.equal(later.body[0].target[0].displayName, 'G8');

    // A cursor whose event the log no longer keeps (past its 10,000) resumes at that event's time: nothing is skipped.
    const first = await logs(sim, `?since=${q(iso(start))}&limit=2`);
    sim.org('emea').systemLog.splice(0, 2);
    const resumed = await logs(sim, first.next!);
    assert.deepEqual(resumed.uuids, all.uuids.slice(2, 4));
    assert.equal((await logs(sim, '?after=not-a-cursor')).status, 400);
  });
});

test('since/until bound published, sortOrder reverses, filter and q select, bad parameters are 400', async () => {
  await withSim({}, async (sim) => {
    await consoleChange(sim, 'emea', { createGroup: 'Alpha' });
    const middle = sim.now();
    sim.advance(1000);
    await consoleChange(sim, 'emea', { createGroup: 'Beta' });
    const until = q(iso(sim.now() + 60_000));
    const names = (page: { body: any[] }) =>
      page.body.filter((e) => e.eventType === 'group.lifecycle.create').map((e) => e.target[0].displayName);
    assert.deepEqual(names(await logs(sim, `?until=${until}`)), ['Alpha', 'Beta']);
    assert.deepEqual(names(await logs(sim, `?since=${q(iso(middle + 1))}&until=${until}`)), ['Beta']);
    assert.deepEqual(names(await logs(sim, `?until=${q(iso(middle))}`)), ['Alpha']);
    assert.deepEqual(names(await logs(sim, `?until=${until}&sortOrder=DESCENDING`)), ['Beta', 'Alpha']);
    const filtered = await logs(sim, `?until=${until}&filter=${q('eventType eq "user.session.start"')}`);
    assert.deepEqual(filtered.types, ['user.session.start', 'user.session.start']);
    const beta = sim.org('emea').findGroupByName('Beta')!.id;
    assert.deepEqual(names(await logs(sim, `?until=${until}&filter=${q(`target.id eq "${beta}"`)}`)), ['Beta']);
    assert.deepEqual(names(await logs(sim, `?until=${until}&q=alpha`)), ['Alpha']);
    for (const bad of ['?sortOrder=SIDEWAYS', '?since=yesterday', `?until=${until}&filter=${q('eventType eq')}`]) {
      const res = await logs(sim, bad);
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.errorCode, 'E0000001');
    }
  });
});

test('lag: an event shows logLagMs after it was published (bounded by published, polled by persistence time); the Date header is the sim clock', async () => {
  await withSim({ logLagMs: 120_000 }, async (sim) => {
    const before = sim.now();
    await consoleChange(sim, 'emea', { createGroup: 'Late' });
    const published = Date.parse(sim.org('emea').systemLog.at(-1)!.published);
    const window = `?since=${q(iso(before - 1000))}&until=${q(iso(sim.now() + 600_000))}`;
    const early = await logs(sim, window);
    assert.deepEqual(early.types, [], 'not yet persisted: not even a bounded query covering it shows it');
    assert.ok(Math.abs(early.date - sim.now()) < 2000, 'the Date header is the sim clock');

    sim.advance(60_000);
    assert.deepEqual((await logs(sim, window)).types, [], 'half the lag: still nothing');
    sim.advance(61_000);
    const due = await logs(sim, window);
    assert.deepEqual(due.types, ['user.session.start', 'group.lifecycle.create']);
    assert.ok(due.date >= published + 120_000, 'the clock moved past the lag');
    assert.equal(due.body[1].visibleAt, undefined, 'the bookkeeping is not in the answer');

    // A poller whose cursor is past `published` (but before persistence) still gets it: polling bounds persistence time.
    const cursor = q(iso(published + 1000));
    assert.deepEqual((await logs(sim, `?since=${cursor}`)).types, ['user.session.start', 'group.lifecycle.create']);
    // A bounded query from the same cursor does not: it bounds `published`. Hence a reader's overlap.
    assert.deepEqual((await logs(sim, `?since=${cursor}&until=${q(iso(sim.now()))}`)).types, []);

    // The lag can change mid-run; events logged before keep theirs.
    sim.setLogLag(0, 'emea');
    await consoleChange(sim, 'emea', { createGroup: 'Prompt' });
    assert.equal((await logs(sim, `?since=${cursor}`)).types.length, 4);
  });
});

test('the clock: advancing it past a provisioning delay ends the push, which is logged then', async () => {
  await withSim({ provisioningDelayMs: 600_000 }, async (sim) => {
    await consoleChange(sim, 'apac', { assignUser: 'sora@acme.com' });
    const app = sim.org('apac').apps.values()[0]!;
    const sora = sim.org('apac').findUser('sora@acme.com')!.id;
    assert.equal(app.users.get(sora)!.syncState, 'SYNCING');
    const pushes = () => sim.org('apac').systemLog.filter((e) => e.eventType === 'application.provision.user.push').length;
    assert.equal(pushes(), 0, 'in flight: nothing came of it yet');
    sim.advance(300_000);
    assert.equal(app.users.get(sora)!.syncState, 'SYNCING');
    sim.advance(300_000);
    assert.equal(app.users.get(sora)!.syncState, 'SYNCHRONIZED');
    assert.equal(pushes(), 1);
    const push = sim.org('apac').systemLog.find((e) => e.eventType === 'application.provision.user.push')!;
    assert.equal((push.actor as { alternateId: string }).alternateId, 'admin@apac.acme.com', 'logged as whoever started it');
    assert.ok(sim.org('hub').findUser('sora@acme.com'), 'the Hub user exists');
  });
});

test('held provisioning: pushes wait, in flight, until released; what they do is logged then', async () => {
  await withSim({ holdProvisioning: true }, async (sim) => {
    await consoleChange(sim, 'apac', { assignUser: 'sora@acme.com' });
    await consoleChange(sim, 'apac', { assignUser: 'kenji@acme.com' });
    const app = sim.org('apac').apps.values()[0]!;
    const sora = sim.org('apac').findUser('sora@acme.com')!.id;
    assert.equal(app.users.get(sora)!.syncState, 'SYNCING');
    assert.equal(sim.org('hub').findUser('sora@acme.com'), undefined);
    const hubEvents = sim.org('hub').systemLog.length;
    assert.equal(sim.releaseProvisioning(), 1, 'kenji was provisioned already: only sora waited');
    assert.equal(app.users.get(sora)!.syncState, 'SYNCHRONIZED');
    const logged = sim.org('hub').systemLog.slice(hubEvents);
    assert.deepEqual(
      logged.map((e) => [e.eventType, (e.actor as { alternateId: string }).alternateId]),
      [['user.lifecycle.create', 'provisioner@hub.acme.com']],
    );
    assert.equal(sim.org('apac').systemLog.at(-1)!.eventType, 'application.provision.user.push');
    assert.equal(sim.releaseProvisioning(), 0);
    sim.holdProvisioning(false);
    await consoleChange(sim, 'apac', { createUser: 'yuki@acme.com' });
    await consoleChange(sim, 'apac', { assignUser: 'yuki@acme.com' });
    assert.equal(app.users.get(sim.org('apac').findUser('yuki@acme.com')!.id)!.syncState, 'SYNCHRONIZED', 'no longer held');
  });
});
