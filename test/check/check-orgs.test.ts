import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../../src/cli/commands/check.js';
import { checkOrgs } from '../../src/check/check-orgs.js';
import { desiredSpoke, desiredState } from '../builders/desired.js';
import { CANARIES, startCheckWorld } from './fixtures/check-world.js';

test('checkOrgs: identities, roles, headroom, app base URL and provisioning tokens, per org', async () => {
  const { sim, desired } = await startCheckWorld();
  try {
    const results = await checkOrgs(desired);
    const by = Object.fromEntries(results.map((r) => [r.org, r]));
    assert.deepEqual(Object.keys(by).sort(), ['apac', 'emea', 'hub', 'latam']);

    assert.equal(by.hub!.ok, true);
    assert.equal(by.hub!.credential?.identity, 'reader@hub.example.com');
    assert.deepEqual(by.hub!.credential?.roles, ['READ_ONLY_ADMIN']);

    const emea = by.emea!;
    assert.equal(emea.ok, true, emea.problems.join('; '));
    assert.deepEqual(emea.credential?.roles, ['SUPER_ADMIN']);
    assert.equal(emea.app?.found, true);
    assert.equal(emea.app?.baseUrlMatchesHub, true);
    assert.equal(emea.connection?.tokenOwner, 'provisioner@hub.example.com');
    assert.deepEqual(emea.connection?.tokenRoles, ['SUPER_ADMIN']);
    assert.equal(emea.headroom?.bucket, 'apps');
    assert.equal(emea.headroom?.limit, 100);
    assert.ok(emea.headroom!.remaining < 100 && emea.headroom!.remaining >= 95);

    const apac = by.apac!;
    assert.equal(apac.ok, false);
    assert.ok(
      apac.problems.some((p) => /points at .* not the Hub/.test(p)),
      apac.problems.join('; '),
    );
    assert.ok(
      apac.problems.some((p) =>
        /OKTA_HUB_APP_ADMIN_TOKEN belongs to appadmin@hub.example.com, who is not a Super Administrator in the Hub/.test(p),
      ),
    );

    const latam = by.latam!;
    assert.equal(latam.ok, false);
    assert.equal(latam.problems.length, 1);
    assert.match(latam.problems[0]!, /E0000011/);
    assert.match(latam.problems[0]!, /OKTA_LATAM_TOKEN/);
    assert.match(latam.problems[0]!, /"latam"/);

    const all = JSON.stringify(results);
    for (const c of Object.values(CANARIES)) assert.ok(!all.includes(c));
  } finally {
    await sim.close();
  }
});

test('runCheck: table for people, JSON for machines, exit 1 with one line per failing org', async () => {
  const { sim, desired } = await startCheckWorld();
  try {
    let out = '';
    let err = '';
    const io = {
      loadConfig: async () => ({ desired, warnings: [] }),
      stdout: (t: string) => void (out += t),
      stderr: (t: string) => void (err += t),
      env: {},
    };
    assert.equal(await runCheck([], io), 1);
    // Wider than 100 columns as a table: one block per org (test/cli/check-table.test.ts).
    assert.match(
      out,
      /^emea {2}ok\n {2}credential: +admin@emea\.example\.com\n {2}roles: +SUPER_ADMIN\n {2}apps bucket: +\d+\/100 left\n {2}org2org app: +ok, points at hub\n {2}connection: +TOKEN: provisioner@hub\.example\.com super admin \(TOKEN ENABLED\)$/m,
    );
    assert.ok(out.split('\n').every((l) => l.length <= 100));
    const failing = err.trim().split('\n');
    assert.deepEqual(failing.map((l) => l.split(':')[1]!.trim()).sort(), ['apac', 'latam']);

    out = '';
    err = '';
    assert.equal(await runCheck(['--format', 'json', '--spoke', 'emea'], io), 0);
    const doc = JSON.parse(out) as { ok: boolean; orgs: { org: string }[] };
    assert.equal(doc.ok, true);
    assert.deepEqual(
      doc.orgs.map((o) => o.org),
      ['hub', 'emea'],
    );
    assert.equal(err, '');
    await assert.rejects(runCheck(['--spoke', 'nope'], io), /no spoke named "nope"/);
    await assert.rejects(runCheck(['--format', 'xml'], io), /--format must be/);
    await assert.rejects(runCheck(['--max-api-capacity', '150%'], io), /--max-api-capacity/);
  } finally {
    await sim.close();
  }
});

test('canary secrets never reach stdout or stderr, even with ORG2ORG_DEBUG=1', () => {
  const script = fileURLToPath(new URL('./fixtures/run-check.ts', import.meta.url));
  for (const format of ['table', 'json']) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, format], {
      env: { ...process.env, ORG2ORG_DEBUG: '1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(child.status, 1, child.stderr);
    assert.match(child.stderr, /\[org2org\] emea GET \/api\/v1\/users\/me -> 200 \d+ms user remaining=\d+\/600/, 'debug lines are written');
    assert.match(child.stderr, /latam GET \/api\/v1\/users\/me -> 401/);
    const all = child.stdout + child.stderr;
    for (const c of [...Object.values(CANARIES), 'canary-latam-real-0000x']) assert.ok(!all.includes(c), `${c} leaked`);
    // The auth mode is reported by name ("authMode": "SSWS"); an Authorization value would follow its scheme.
    assert.ok(!/\b(SSWS|Bearer|DPoP)\s+\S/.test(all), 'no Authorization value');
  }
});

test('org2org check on the root config against the example simulator: every org passes', async () => {
  const { startSim } = await import('../../src/sim/index.js');
  const sim = await startSim('examples/sim/seed.yaml');
  try {
    let out = '';
    let err = '';
    const code = await runCheck(['-c', 'org2org.config.yaml', '--format', 'json'], {
      env: { ...sim.env },
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
    });
    const doc = JSON.parse(out) as {
      ok: boolean;
      orgs: { org: string; ok: boolean; problems: string[]; connection?: { tokenRoles?: string[] } }[];
    };
    assert.equal(code, 0, `${err}\n${doc.orgs.map((o) => `${o.org}: ${o.problems.join('; ')}`).join('\n')}`);
    assert.deepEqual(
      doc.orgs.map((o) => o.org),
      ['hub', 'emea', 'apac'],
    );
    assert.ok(doc.orgs.every((o) => o.ok));
    assert.deepEqual(doc.orgs[1]!.connection?.tokenRoles, ['SUPER_ADMIN']);
    const secrets = Object.entries(sim.env).filter(([k]) => /TOKEN|ANSWER/.test(k));
    assert.ok(secrets.length >= 4);
    for (const [name, value] of secrets) assert.ok(!(out + err).includes(value), `${name} leaked`);
  } finally {
    await sim.close();
  }
});

test('checkOrgs: an OAUTH2 connection looks for the Hub service app; a missing one is step 3, no Hub credential is a note', async () => {
  const { sim, desired } = await startCheckWorld();
  try {
    const emea = desired.spokes.find((s) => s.name === 'emea')!;
    emea.connection = { authScheme: 'OAUTH2', clientId: '0oaprovisioner', rotationMode: 'AUTO', enabled: true };
    const [, result] = await checkOrgs({ ...desired, spokes: [emea] });
    assert.equal(result!.org, 'emea');
    assert.equal(result!.ok, false);
    assert.deepEqual(result!.connection?.serviceApp, { found: false, clientId: '0oaprovisioner' });
    assert.deepEqual(result!.problems, ["step 3 (the Hub's service app): there is no OAuth 2.0 client 0oaprovisioner in the Hub"]);
    const noHub = await checkOrgs({ ...desired, hub: { url: desired.hub.url }, spokes: [emea] });
    assert.equal(noHub.length, 1);
    assert.ok(noHub[0]!.notes.some((n) => /Hub has no credentials/.test(n)));
  } finally {
    await sim.close();
  }
});

test('checkOrgs: OAUTH2 service app visible in the Hub: its granted scopes are checked', async () => {
  const { startServer, json, tokenAuth } = await import('../okta/servers.js');
  let grants = [
    { scopeId: 'okta.users.manage', status: 'ACTIVE' },
    { scopeId: 'okta.groups.read', status: 'ACTIVE' },
  ];
  const hub = await startServer((req, res) => {
    if (req.url === '/api/v1/users/me') return json(res, 200, { id: '00uhub', profile: { login: 'reader@hub' } });
    if (req.url === '/api/v1/users/00uhub/roles') return json(res, 200, [{ type: 'READ_ONLY_ADMIN' }]);
    if (req.url.startsWith('/api/v1/apps?')) return json(res, 200, []);
    if (req.url === '/api/v1/apps/0oasvc') return json(res, 200, { id: '0oasvc', status: 'ACTIVE' });
    if (req.url === '/api/v1/apps/0oasvc/grants') return json(res, 200, grants);
    if (req.url === '/oauth2/v1/clients/0oasvc') {
      return json(res, 200, {
        client_id: '0oasvc',
        client_name: 'provisioner',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: `${spoke.url}/api/v1/apps/0oa1/connections/default/jwks`,
      });
    }
    if (req.url === '/oauth2/v1/clients/0oasvc/roles')
      return json(res, 200, [
        { id: 'ra1', type: 'USER_ADMIN' },
        { id: 'ra2', type: 'GROUP_MEMBERSHIP_ADMIN' },
      ]);
    json(res, 404, { errorCode: 'E0000007', errorSummary: 'Not found' });
  });
  const spoke = await startServer((req, res) => {
    if (req.url === '/api/v1/users/me') return json(res, 200, { id: '00usp', profile: { login: 'admin@spoke' } });
    if (req.url === '/api/v1/users/00usp/roles') return json(res, 200, [{ type: 'SUPER_ADMIN' }]);
    if (req.url.startsWith('/api/v1/apps?'))
      return json(res, 200, [{ id: '0oa1', name: 'okta_org2org', label: 'Acme Hub', settings: { app: { baseUrl: `${hub.url}/` } } }]);
    if (req.url === '/api/v1/apps/0oa1/connections/default')
      return json(res, 200, { status: 'ENABLED', profile: { authScheme: 'OAUTH2' } });
    json(res, 404, { errorCode: 'E0000007', errorSummary: 'Not found' });
  });
  try {
    const emeaSpoke = desiredSpoke('emea', spoke.url, {
      auth: tokenAuth('fake-spoke-token', 'EMEA_T'),
      connection: { authScheme: 'OAUTH2', clientId: '0oasvc', rotationMode: 'AUTO', enabled: true },
    });
    const desired = desiredState(hub.url, [emeaSpoke], { hub: { url: hub.url, auth: tokenAuth('fake-hub-token', 'HUB_T') } });
    const [, emea] = await checkOrgs(desired);
    assert.equal(emea!.app?.baseUrlMatchesHub, true, 'a trailing slash still matches');
    assert.deepEqual(emea!.connection, {
      authScheme: 'OAUTH2',
      liveStatus: 'ENABLED',
      liveAuthScheme: 'OAUTH2',
      serviceApp: {
        found: true,
        clientId: '0oasvc',
        status: 'ACTIVE',
        scopes: ['okta.groups.read', 'okta.users.manage'],
        roles: ['GROUP_MEMBERSHIP_ADMIN', 'USER_ADMIN'],
      },
    });
    assert.equal(emea!.ok, false);
    assert.deepEqual(emea!.problems, [
      "step 4 (scope grants): the Hub's service app provisioner (0oasvc) is not granted okta.groups.manage",
    ]);
    grants = [...grants, { scopeId: 'okta.groups.manage', status: 'ACTIVE' }];
    const [, again] = await checkOrgs(desired);
    assert.equal(again!.ok, true, again!.problems.join('; '));
  } finally {
    await hub.close();
    await spoke.close();
  }
});
