/**
 * `check` shows each API token's owner and expiry as Okta lists them, or says the token may not
 * read them, and warns (without failing) when a token surely expires within --token-expiry-days.
 * Token values are canaries: none may reach any output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApiToken } from '../../src/check/api-token.js';
import { runCheck } from '../../src/cli/commands/check.js';
import { Secret } from '../../src/credentials.js';
import { loadSeed, startSim, type Sim } from '../../src/sim/index.js';
import { desiredSpoke, desiredState } from '../builders/desired.js';
import { startCheckWorld } from './fixtures/check-world.js';
import { findLeaks, runCli } from '../e2e/cli.js';

const CANARY = {
  hub: 'canary-check-hub-admin-31c4',
  provisioning: 'canary-check-hub-prov-8e0b',
  emea: 'canary-check-emea-6a7d',
  apac: 'canary-check-apac-2f19',
};

/** examples/sim/seed.yaml with canary token values and a provisioning token whose window is 7 days. */
async function demoWorld(): Promise<Sim> {
  const seed = loadSeed('examples/sim/seed.yaml');
  const hub = seed.orgs.hub!.tokens!;
  hub.OKTA_HUB_ADMIN_TOKEN!.value = CANARY.hub;
  hub.OKTA_HUB_PROVISIONING_TOKEN = { ...hub.OKTA_HUB_PROVISIONING_TOKEN!, value: CANARY.provisioning, tokenWindow: 'P7D' };
  seed.orgs.emea!.tokens!.OKTA_EMEA_TOKEN!.value = CANARY.emea;
  seed.orgs.apac!.tokens!.OKTA_APAC_TOKEN!.value = CANARY.apac;
  return startSim(seed);
}

function noLeak(sim: Sim, ...texts: string[]): void {
  for (const text of texts) {
    assert.deepEqual(findLeaks(sim, text), []);
    for (const value of Object.values(CANARY)) assert.ok(!text.includes(value), 'a token value reached the output');
  }
}

test('org2org check (the CLI, on the example config): every token’s owner and expiry; a token expiring within 14 days warns, exit 0', async () => {
  const sim = await demoWorld();
  try {
    const table = await runCli(['check'], sim.env);
    assert.equal(table.code, 0, table.stdout + table.stderr);
    // Wider than 100 columns: one block per org, long items wrapped under their label; unwrapped here.
    const blocks = Object.fromEntries(
      table.stdout
        .replace(/\n {3,}/g, ' ')
        .trim()
        .split('\n\n')
        .map((b) => [b.split(' ')[0], b]),
    );
    const line = (which: string, login: string, window: string, days: string) =>
      new RegExp(
        `^ {2}${which}: (OKTA_[A-Z_]+), owned by ${login.replace(/\./g, '\\.')}, token "\\1", expires \\S+Z \\(in ${days} days; window ${window}, renewed by each use\\)$`,
        'm',
      );
    // Each token was just used by the check itself, and each use renews it (Okta's documented rule).
    assert.match(blocks.hub!, line('api token', 'iam-admin@hub.acme.com', 'P30D', '29'));
    assert.match(blocks.emea!, line('api token', 'admin@emea.acme.com', 'P30D', '29'));
    assert.match(blocks.apac!, line('api token', 'admin@apac.acme.com', 'P30D', '29'));
    assert.match(blocks.emea!, line('provisioning token', 'provisioner@hub.acme.com', 'P7D', '6'));
    assert.match(
      blocks.emea!,
      /^ {2}warning: the API token OKTA_HUB_PROVISIONING_TOKEN expires \S+Z \(in 6 days; window P7D, renewed by each use\): make a new token before then/m,
    );
    assert.match(blocks.emea!, /^emea {2}ok \(see warnings\)$/m);
    assert.match(blocks.hub!, /^hub {2}ok$/m);
    assert.match(table.stderr, /^check warning: emea: the API token OKTA_HUB_PROVISIONING_TOKEN expires/m);
    assert.equal(table.stderr.match(/^check warning:/gm)?.length, 1, 'only the 7-day token warns');

    const json = await runCli(['check', '--format', 'json', '--token-expiry-days', '5'], sim.env);
    assert.equal(json.code, 0, json.stderr);
    const orgs = Object.fromEntries((JSON.parse(json.stdout).orgs as any[]).map((o) => [o.org, o]));
    assert.deepEqual(
      orgs.emea.connection.apiToken.candidates.map((t: any) => [t.name, t.tokenWindow]),
      [['OKTA_HUB_PROVISIONING_TOKEN', 'P7D']],
    );
    assert.equal(orgs.hub.credential.apiToken.owner, 'iam-admin@hub.acme.com');
    assert.deepEqual(
      Object.values(orgs).map((o: any) => o.warnings),
      [[], [], []],
      '--token-expiry-days 5: a token with 6 days left is no warning',
    );
    assert.equal(json.stderr.includes('check warning'), false);

    // A scheduled check under GitHub Actions: the warning is an annotation the run's summary shows.
    const actions = await runCli(['check'], { ...sim.env, GITHUB_ACTIONS: 'true' });
    assert.equal(actions.code, 0, actions.stderr);
    assert.match(actions.stderr, /^::warning::emea: the API token OKTA_HUB_PROVISIONING_TOKEN expires \S+Z \(in 6 days; window P7D/m);
    assert.equal(actions.stderr.includes('check warning:'), false);

    const bad = await runCli(['check', '--token-expiry-days', 'soon'], sim.env);
    assert.equal(bad.code, 1, 'a usage error');
    assert.match(bad.stderr, /--token-expiry-days takes a whole number of days/);
    noLeak(sim, table.stdout, table.stderr, json.stdout, json.stderr, actions.stdout, actions.stderr, bad.stderr);
  } finally {
    await sim.close();
  }
});

test('check: a token whose admin may not read tokens says so; an admin with several tokens is said as such', async () => {
  const sim = await startSim({
    orgs: {
      hub: { tokens: { HUB: { value: CANARY.hub, user: 'reader@hub.example.com', roles: ['READ_ONLY_ADMIN'] } } },
      emea: {
        tokens: {
          EMEA: { value: CANARY.emea, user: 'admin@emea.example.com', roles: ['SUPER_ADMIN'] },
          // The same admin's other tokens: a short-lived one, and one unused for 25 of its 30 days.
          OTHER: { user: 'admin@emea.example.com', tokenWindow: 'P3D' },
          OLD: { user: 'admin@emea.example.com', idleDays: 25 },
        },
      },
    },
  });
  try {
    const desired = desiredState(
      sim.orgs.hub!.url,
      [desiredSpoke('emea', sim.orgs.emea!.url, { auth: { kind: 'token', token: new Secret('OKTA_EMEA_TOKEN', CANARY.emea) } })],
      { hub: { url: sim.orgs.hub!.url, auth: { kind: 'token', token: new Secret('OKTA_HUB_TOKEN', CANARY.hub) } } },
    );
    let out = '';
    let err = '';
    const io = {
      loadConfig: async () => ({ desired, warnings: [] }),
      stdout: (t: string) => void (out += t),
      stderr: (t: string) => void (err += t),
      env: {},
    };
    assert.equal(await runCheck([], io), 0, out + err);
    assert.match(
      out,
      /^ {2}hub: api token: OKTA_HUB_TOKEN, owned by reader@hub\.example\.com; expiry not readable with this token \(403 E0000006: You do not have permission to perform the requested action\)$/m,
    );
    assert.match(
      out,
      /^ {2}emea: api token: OKTA_EMEA_TOKEN, owned by admin@emea\.example\.com, one of their 3 active tokens \(Okta doesn't say which\): they expire from \S+Z to \S+Z$/m,
    );
    // Two of the three expire within 14 days, but whether OKTA_EMEA_TOKEN is one of them can't be known: a note, not a warning.
    assert.match(
      out,
      /^ {2}emea: note: 2 of admin@emea\.example\.com's 3 active tokens expire within 14 days \(the first .*in 2 days.*\); whether OKTA_EMEA_TOKEN is one of them is not readable$/m,
    );
    assert.equal(/warning/.test(out + err), false);
    noLeak(sim, out, err);
  } finally {
    await sim.close();
  }
});

test('check under GitHub Actions: each problem of a failing org is an ::error annotation', async () => {
  const { sim, desired } = await startCheckWorld();
  try {
    let err = '';
    const io = {
      loadConfig: async () => ({ desired, warnings: [] }),
      stdout: () => {},
      stderr: (t: string) => void (err += t),
      env: { GITHUB_ACTIONS: 'true' },
    };
    assert.equal(await runCheck([], io), 1);
    const lines = err.trim().split('\n');
    assert.ok(lines.length >= 3, err);
    assert.ok(
      lines.every((l) => /^::error::(apac|latam): /.test(l)),
      err,
    );
    assert.ok(
      lines.some((l) => /^::error::apac: .*points at/.test(l)),
      err,
    );
    assert.equal(err.includes('check failed:'), false);
  } finally {
    await sim.close();
  }
});

test('describeApiToken: a warning only when the token surely expires within the days given', () => {
  const now = Date.parse('2026-12-07T12:00:00.000Z');
  const at = (days: number) => new Date(now + days * 86_400_000).toISOString();
  const report = (...days: number[]) => ({
    envVar: 'T',
    owner: 'a@x',
    candidates: days.map((d, i) => ({ id: `00T${i}`, expiresAt: at(d), tokenWindow: 'P30D' })),
  });
  assert.equal(describeApiToken(report(20), now, 14).warning, undefined);
  assert.match(describeApiToken(report(13.5), now, 14).warning!, /^the API token T expires \S+ \(in 13 days; window P30D/);
  assert.match(describeApiToken(report(0.5), now, 14).warning!, /in less than a day/);
  assert.match(
    describeApiToken(report(3, 10), now, 14).warning!,
    /expires within 14 days: all 2 of a@x's tokens do, the last .*in 10 days/,
  );
  const mixed = describeApiToken(report(3, 20), now, 14);
  assert.equal(mixed.warning, undefined);
  assert.match(mixed.note!, /^1 of a@x's 2 active tokens expire within 14 days/);
  assert.equal(describeApiToken(report(3), now, 0).warning, undefined, '0 days: never warn');
  assert.equal(describeApiToken({ envVar: 'T', owner: 'a@x', unreadable: '403' }, now, 14).warning, undefined);
});
