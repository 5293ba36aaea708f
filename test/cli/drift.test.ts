/**
 * `org2org drift` sorts console drift by policy: `propose` changes are merged into the config
 * (its PR body names who made each change and when, from the simulator's System Log), `revert`
 * changes become a saved plan that apply runs within the guards (refused past --max-removals),
 * `report` changes fail the run (exit 2). And the System Log itself: the console's events with
 * actor, time and targets, found by target id.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleChange, startSim, type Sim } from '../../src/sim/index.js';
import { runDrift } from '../../src/cli/commands/drift.js';
import { runApply } from '../../src/cli/commands/apply.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { loadSpecValidator, specAvailable } from '../sim/openapi.js';

const FIXTURES = new URL('../export/fixtures/drift/', import.meta.url);
const SEED = new URL('seed.yaml', FIXTURES).pathname;

let dir: string;
let original: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'org2org-drift-'));
  original = await readFile(new URL('config.yaml', FIXTURES), 'utf8');
});
after(() => rm(dir, { recursive: true, force: true }));

type Command = (
  argv: string[],
  io: { env: Record<string, string>; stdout: (t: string) => void; stderr: (t: string) => void },
) => Promise<number>;

async function run(command: Command, argv: string[], sim: Sim): Promise<{ code: number; out: string; err: string }> {
  const r = { code: 0, out: '', err: '' };
  r.code = await command(argv, { env: sim.env, stdout: (t) => (r.out += t), stderr: (t) => (r.err += t) });
  return r;
}

/** emea proposes (the whole Spoke) but reverts its push groups; apac keeps the default, report. */
function withPolicies(text: string, assignments?: string): string {
  let out = text
    .replace(
      '  - name: emea                                  # Europe\n',
      '  - name: emea                                  # Europe\n    drift: propose\n',
    )
    .replace(
      '    pushGroups:\n      mode: authoritative\n      groups:\n        - { name: Engineering }',
      '    pushGroups:\n      mode: authoritative\n      drift: revert\n      groups:\n        - { name: Engineering }',
    );
  if (assignments)
    out = out.replace(
      '      mode: authoritative                       # the list is the whole truth\n',
      `      mode: authoritative                       # the list is the whole truth\n      drift: ${assignments}\n`,
    );
  return out;
}

test('propose + revert: the proposal edits the config, its body says who and when, the revert plan applies, then nothing drifts', async () => {
  const sim = await startSim(SEED, { timeScale: 60 });
  try {
    const file = join(dir, 'org2org.config.yaml');
    await writeFile(file, withPolicies(original));
    const startedAt = new Date().toISOString();
    await consoleChange(sim, 'emea', { unassignUser: 'chloe@acme.com' }, { actor: 'alice@acme.com' });
    await consoleChange(sim, 'emea', { toApp: 'deactivateUsers', enabled: true });
    await consoleChange(sim, 'emea', { pushStatus: 'Finance', status: 'INACTIVE' });

    const body = join(dir, 'pr.md');
    const revert = join(dir, 'revert.json');
    const drift = await run(runDrift, ['-c', file, '--propose', '--pr-body', body, '--revert-plan', revert], sim);
    assert.equal(drift.code, 0, drift.out + drift.err);
    assert.match(drift.out, /drift: propose spoke\.emea\.assignment\.user\["chloe@acme\.com"\] \(drift\)/);
    assert.match(drift.out, /drift: propose spoke\.emea\.features\.toApp \(drift\)/);
    assert.match(drift.out, /drift: revert {2}spoke\.emea\.pushMapping\["Finance"\] \(pushGroups\.drift\)/);

    const proposed = await readFile(file, 'utf8');
    assert.ok(!proposed.includes('chloe@acme.com'));
    assert.match(proposed, /deactivateUsers: true/);
    assert.match(proposed, /\{ name: Finance, targetName: Finance \}/, 'a reverted change is not proposed');

    const md = await readFile(body, 'utf8');
    assert.match(md, /^<!-- org2org:drift v1 emea -->\n## org2org: accept 2 console changes into/);
    const chloe = md.split('\n').find((l) => l.includes('chloe@acme.com'))!;
    assert.match(chloe, /^\| removed \| `spoke\.emea\.assignment\.user\["chloe@acme\.com"\]` \| `alice@acme\.com` \| (\S+) \|$/);
    assert.ok(chloe.split('|')[4]!.trim() >= startedAt, 'the time is the console change’s');
    assert.match(md.split('\n').find((l) => l.includes('features.toApp'))!, /\| changed \| .* \| `admin@emea\.acme\.com` \| /);

    const saved = JSON.parse(await readFile(revert, 'utf8')) as { spokes: { changes: { address: string }[] }[] };
    assert.deepEqual(
      saved.spokes.flatMap((s) => s.changes.map((c) => c.address)),
      ['spoke.emea.pushMapping["Finance"]'],
    );
    const applied = await run(runApply, [revert], sim);
    assert.equal(applied.code, 0, applied.err);

    const after = await run(runPlan, ['-c', file, '--detailed-exitcode'], sim);
    assert.equal(after.code, 0, after.out);
    const again = await run(runDrift, ['-c', file, '--propose', '--pr-body', body], sim);
    assert.equal(again.code, 0);
    assert.match(await readFile(body, 'utf8'), /No drift to propose/);
  } finally {
    await sim.close();
  }
});

test('revert respects --max-removals (apply refuses the saved plan); drift to report exits 2', async () => {
  const sim = await startSim(SEED, { timeScale: 60 });
  try {
    const file = join(dir, 'revert.yaml');
    await writeFile(file, withPolicies(original, 'revert'));
    await consoleChange(sim, 'emea', { assignUser: 'dieter@acme.com' });
    await consoleChange(sim, 'emea', { assignUser: 'alice@acme.com' }).catch(() => {});
    await consoleChange(sim, 'apac', { unassignUser: 'kenji@acme.com' });
    sim.org('emea').addUser('zoe@acme.com', {}, 'ACTIVE');
    await consoleChange(sim, 'emea', { assignUser: 'zoe@acme.com' });

    const revert = join(dir, 'guarded.json');
    const drift = await run(runDrift, ['-c', file, '--revert-plan', revert, '--max-removals', '1'], sim);
    assert.equal(drift.code, 2, 'apac drifted and its policy is report');
    assert.match(drift.out, /drift: report {2}spoke\.apac\.assignment\.user\["kenji@acme\.com"\] \(default\)/);
    assert.ok(existsSync(revert));
    // main turns the refusal into exit 1; nothing is written before it.
    await assert.rejects(run(runApply, [revert], sim), /unprovisions 2 people \(in emea: 2 users unassigned\), more than --max-removals 1/);
    assert.ok(
      sim
        .org('emea')
        .apps.values()[0]!
        .users.values()
        .some((u) => u.id === sim.org('emea').findUser('zoe@acme.com')!.id),
      'nothing was unassigned',
    );

    const allowed = await run(runDrift, ['-c', file, '--spoke', 'emea', '--revert-plan', revert, '--max-removals', '2'], sim);
    assert.equal(allowed.code, 0, allowed.err);
    const reverted = await run(runApply, [revert], sim);
    assert.equal(reverted.code, 0, reverted.err);
    const plan = await run(runPlan, ['-c', file, '--spoke', 'emea', '--detailed-exitcode'], sim);
    assert.equal(plan.code, 0, plan.out);
  } finally {
    await sim.close();
  }
});

test('the System Log: console changes as LogEvents (actor, published, targets), filtered by target id, newest first', async () => {
  const sim = await startSim(SEED, { timeScale: 60 });
  try {
    await consoleChange(sim, 'emea', { assignUser: 'dieter@acme.com' }, { actor: 'alice@acme.com' });
    await consoleChange(sim, 'emea', { unassignUser: 'dieter@acme.com' });
    const dieter = sim.org('emea').findUser('dieter@acme.com')!.id;
    const token = sim.orgs.emea!.tokens.OKTA_EMEA_TOKEN!;
    const url = `${sim.orgs.emea!.url}/api/v1/logs?filter=${encodeURIComponent(`target.id eq "${dieter}"`)}&sortOrder=DESCENDING&until=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}`;
    const res = await fetch(url, { headers: { authorization: `SSWS ${token}`, accept: 'application/json' } });
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.headers.get('link') ?? '', /rel="next"/, 'a bounded query ends');
    const events = (await res.json()) as {
      eventType: string;
      actor: { alternateId: string; type: string };
      target: { id: string; type: string }[];
      published: string;
      uuid: string;
      outcome: { result: string };
    }[];
    assert.deepEqual(
      events.map((e) => [e.eventType, e.actor.alternateId, e.target.map((t) => t.type).join('+')]),
      [
        ['application.user_membership.remove', 'admin@emea.acme.com', 'User+AppInstance'],
        // What came of the assignment: dieter pushed to the Hub.
        ['application.provision.user.push', 'alice@acme.com', 'User+AppInstance'],
        ['application.user_membership.add', 'alice@acme.com', 'User+AppInstance'],
      ],
    );
    assert.ok(events.every((e) => e.target[0]!.id === dieter && e.outcome.result === 'SUCCESS' && e.actor.type === 'User' && e.uuid));
    if (specAvailable) {
      // Okta's LogEvent schema (nulls left out: the spec types them as plain strings, as the conformance test does).
      const withoutNulls = (v: unknown): unknown =>
        Array.isArray(v)
          ? v.map(withoutNulls)
          : v === null || typeof v !== 'object'
            ? v
            : Object.fromEntries(
                Object.entries(v)
                  .filter(([, x]) => x !== null)
                  .map(([k, x]) => [k, withoutNulls(x)]),
              );
      assert.deepEqual(loadSpecValidator().check('/api/v1/logs', 'GET', 200, withoutNulls(events)), []);
    }
    const polling = await fetch(`${sim.orgs.emea!.url}/api/v1/logs`, { headers: { authorization: `SSWS ${token}` } });
    assert.match(polling.headers.get('link') ?? '', /rel="next"/, 'a polling query (no until) always has a next link, as Okta documents');
  } finally {
    await sim.close();
  }
});

test('a running simulator takes console changes at POST /__sim/console (for demos); a bad one is a 400 that says why', async () => {
  const sim = await startSim(SEED, { timeScale: 60 });
  try {
    const post = (body: unknown) =>
      fetch(`${sim.orgs.emea!.url}/__sim/console`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    const ok = await post({ unassignUser: 'bob@acme.com', actor: 'alice@acme.com' });
    assert.equal(ok.status, 204);
    const bob = sim.org('emea').findUser('bob@acme.com')!.id;
    assert.ok(!sim.org('emea').apps.values()[0]!.users.has(bob));
    assert.deepEqual(
      sim.org('emea').systemLog.map((e) => [e.eventType, (e.actor as { alternateId: string }).alternateId]),
      [
        ['user.session.start', 'alice@acme.com'],
        ['application.user_membership.remove', 'alice@acme.com'],
      ],
    );
    const bad = await post({ unassignUser: 'nobody@acme.com' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /no user nobody@acme\.com/);
    const unknown = await post({ deleteEverything: true });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { error: string }).error, /unknown console change/);
  } finally {
    await sim.close();
  }
});
