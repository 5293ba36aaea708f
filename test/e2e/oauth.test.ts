/**
 * Issue 12's proofs, run as users run them: from an empty Hub side, `apply` builds the Hub's
 * service app for an OAuth 2.0 Spoke (trusting the Spoke app's key, scopes granted, roles
 * assigned) and users and groups arrive in the Hub over OAuth; breaking step 3, 4 or 5 of Okta's
 * guide behind org2org's back is caught by `check` and repaired by the next `apply`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Sim, SimApp } from '../../src/sim/index.js';
import { findLeaks, runCli } from './cli.js';
import { type NordicsWorld, nordicsConfig, startNordics } from './nordics.js';

const CONFIG = nordicsConfig(`    connection:
      authScheme: OAUTH2
      hubServiceApp: managed
      rotationMode: MANUAL
    provisioning:
      toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: true, syncPassword: false }
    assignments:
      defaults: { initialStatus: active_with_pass }
      users:
        - login: astrid@acme.com
        - login: bjorn@acme.com
USERS_EXTRA
    pushGroups:
      groups:
        - name: Nordics Sales
`);

describe('e2e: an OAuth 2.0 connection with the Hub side managed by org2org', () => {
  let world: NordicsWorld;
  let sim: Sim;
  let config: string;
  let env: Record<string, string>;
  const run = (...args: string[]) => world.run(...args);
  const writeConfig = (extraUsers: string[] = []) =>
    world.writeConfig(CONFIG.replace('USERS_EXTRA\n', extraUsers.map((l) => `        - login: ${l}\n`).join('')));
  const hubApp = (): SimApp =>
    sim
      .org('hub')
      .apps.values()
      .find((a) => a.oauth?.clientName === 'org2org-nordics')!;
  const spokeApp = (): SimApp => world.spokeApp();
  const allSynchronized = () =>
    spokeApp()
      .users.values()
      .every((au) => au.syncState === 'SYNCHRONIZED' && au.status === 'PROVISIONED');

  before(async () => {
    world = await startNordics('oauth', CONFIG.replace('USERS_EXTRA\n', ''), {
      nordics: {
        users: ['astrid', 'bjorn', 'cecilia', 'dag'].map((n) => ({ login: `${n}@acme.com` })),
        groups: [{ name: 'Nordics Sales', members: ['astrid@acme.com', 'cecilia@acme.com'] }],
      },
    });
    ({ sim, config } = world);
    env = sim.env;
  });
  after(() => world.close());

  it('plans the Hub side as changes of its own, in cross-org order', async () => {
    const plan = await run('plan', '--format', 'json');
    assert.equal(plan.code, 0, plan.stderr);
    const addresses: string[] = JSON.parse(plan.stdout).spokes[0].changes.map((c: { address: string }) => c.address);
    const at = (a: string) => addresses.indexOf(a);
    for (const a of [
      'hub.serviceApp["nordics"]',
      'hub.serviceApp["nordics"].grant["okta.users.manage"]',
      'hub.serviceApp["nordics"].role["GROUP_MEMBERSHIP_ADMIN"]',
    ]) {
      assert.ok(at(a) >= 0, `${a} in ${addresses.join(', ')}`);
    }
    assert.ok(at('spoke.nordics.app') < at('hub.serviceApp["nordics"]'));
    assert.ok(at('hub.serviceApp["nordics"].role["USER_ADMIN"]') < at('spoke.nordics.connection'));
  });

  it('apply builds both sides; users and the pushed group arrive in the Hub over OAuth', async () => {
    const apply = await run('apply', '--auto-approve', '--wait');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    const app = hubApp();
    assert.equal(app.oauth!.tokenEndpointAuthMethod, 'private_key_jwt');
    assert.deepEqual(
      app.oauth!.jwks!.map((k) => k.kid),
      [spokeApp().signingKid],
      'MANUAL: the Hub holds the Spoke key in use',
    );
    assert.deepEqual(
      app.grants
        .values()
        .map((g) => g.scopeId)
        .sort(),
      ['okta.groups.manage', 'okta.users.manage'],
    );
    assert.deepEqual(
      app.roles
        .values()
        .map((r) => r.type)
        .sort(),
      ['GROUP_MEMBERSHIP_ADMIN', 'USER_ADMIN'],
    );
    assert.equal(spokeApp().connection.clientId, app.id);
    const hub = sim.org('hub');
    assert.equal(hub.findUser('astrid@acme.com')?.status, 'ACTIVE');
    assert.equal(hub.findUser('bjorn@acme.com')?.status, 'ACTIVE');
    const sales = hub.findGroupByName('Nordics Sales')!;
    assert.deepEqual([...sales.members], [hub.findUser('astrid@acme.com')!.id], 'only provisioned members are pushed');
    assert.ok(allSynchronized());

    const plan = await run('plan', '--detailed-exitcode');
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    const check = await run('check');
    assert.equal(check.code, 0, check.stdout + check.stderr);
    for (const r of [apply, plan, check]) assert.deepEqual(findLeaks(sim, r.stdout + r.stderr), []);
  });

  const breakages: [string, RegExp, () => void][] = [
    ['step 3: the Hub app deactivated', /step 3 .* is INACTIVE/, () => void (hubApp().status = 'INACTIVE')],
    [
      'step 3: the Hub app trusts another key',
      /step 3 .* does not hold the Spoke app's key in use/,
      () => {
        const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
        hubApp().oauth!.jwks = [{ ...other, kid: 'someone-elses' }];
      },
    ],
    [
      'step 4: a grant revoked',
      /step 4 .* is not granted okta\.groups\.manage/,
      () => {
        const grant = hubApp()
          .grants.values()
          .find((g) => g.scopeId === 'okta.groups.manage')!;
        hubApp().grants.delete(grant.id);
      },
    ],
    [
      'step 5: a role removed',
      /step 5 .* lacks the role USER_ADMIN/,
      () => {
        const role = hubApp()
          .roles.values()
          .find((r) => r.type === 'USER_ADMIN')!;
        hubApp().roles.delete(role.id);
      },
    ],
  ];
  for (const [name, expected, breakIt] of breakages) {
    it(`${name} behind org2org's back: check names the step, the next apply repairs it`, async () => {
      breakIt();
      const check = await run('check');
      assert.equal(check.code, 1, check.stdout + check.stderr);
      assert.match(check.stdout + check.stderr, expected);
      const plan = await run('plan', '--detailed-exitcode');
      assert.equal(plan.code, 2, plan.stdout + plan.stderr);
      assert.match(plan.stdout, /hub\.serviceApp\["nordics"\]/);
      const apply = await run('apply', '--auto-approve');
      assert.equal(apply.code, 0, apply.stdout + apply.stderr);
      const again = await run('check');
      assert.equal(again.code, 0, again.stdout + again.stderr);
    });
  }

  it('a grant or role beyond the config is drift: plan shows it, apply removes it', async () => {
    const hub = sim.org('hub');
    hubApp().grants.add({ id: hub.newId('oag'), seq: 0, scopeId: 'okta.apps.manage', issuer: hub.url, created: new Date().toISOString() });
    hubApp().roles.add({ id: hub.newId('ira'), seq: 0, type: 'SUPER_ADMIN', created: new Date().toISOString() });
    const plan = await run('plan', '--detailed-exitcode');
    assert.equal(plan.code, 2);
    assert.match(plan.stdout, /hub\.serviceApp\["nordics"\]\.grant\["okta\.apps\.manage"\]/);
    assert.match(plan.stdout, /hub\.serviceApp\["nordics"\]\.role\["SUPER_ADMIN"\]/);
    assert.equal((await run('apply', '--auto-approve')).code, 0);
    assert.deepEqual(
      hubApp()
        .roles.values()
        .map((r) => r.type)
        .sort(),
      ['GROUP_MEMBERSHIP_ADMIN', 'USER_ADMIN'],
    );
    assert.deepEqual(
      hubApp()
        .grants.values()
        .map((g) => g.scopeId)
        .sort(),
      ['okta.groups.manage', 'okta.users.manage'],
    );
  });

  it('rotate-keys rotates in overlap order: the Hub trusts the new key before the Spoke signs with it; no push fails', async () => {
    const oldKid = spokeApp().signingKid;
    const rotated = await run('rotate-keys', '--spoke', 'nordics');
    assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
    const order = ['step 1', 'step 2', 'step 3', 'step 4'].map((s) => rotated.stderr.indexOf(`✓ ${s}`));
    assert.ok(
      order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!)),
      rotated.stderr,
    );
    const newKid = spokeApp().signingKid;
    assert.notEqual(newKid, oldKid);
    assert.deepEqual(
      hubApp().oauth!.jwks!.map((k) => k.kid),
      [newKid],
      'the old key is gone from the Hub',
    );
    writeConfig(['cecilia@acme.com']);
    const apply = await run('apply', '--auto-approve', '--wait');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.equal(sim.org('hub').findUser('cecilia@acme.com')?.status, 'ACTIVE', 'pushed over OAuth with the new key');
    assert.ok(allSynchronized());
    assert.equal((await run('check')).code, 0);
  });

  it('rotate-keys resumes a rotation cut off after step 2, and after step 3', async () => {
    const nordics = sim.org('nordics');
    // Cut off after step 2: a new Spoke key, both on the Hub; the Spoke still signs with the old one.
    const keys = await fetch(`${sim.orgs.nordics!.url}/api/v1/apps/${spokeApp().id}/credentials/keys/generate?validityYears=2`, {
      method: 'POST',
      headers: { authorization: `SSWS ${env.NORDICS_TOKEN}`, accept: 'application/json' },
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const oldJwk = hubApp().oauth!.jwks![0]!;
    hubApp().oauth!.jwks = [oldJwk, keys];
    const resumed = await run('rotate-keys', '--spoke', 'nordics');
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /· step 1: the Spoke app already has a new key/);
    assert.match(resumed.stderr, /· step 2/);
    assert.equal(spokeApp().signingKid, keys.kid);
    assert.deepEqual(
      hubApp().oauth!.jwks!.map((k) => k.kid),
      [keys.kid],
    );

    // Cut off after step 3: the Spoke signs with the new key, the Hub still holds the old one too.
    const previous = hubApp().oauth!.jwks![0]!;
    const fresh = nordics.newKey(2);
    spokeApp().keys.push(fresh);
    spokeApp().signingKid = fresh.kid;
    const freshJwk = (await fetch(`${sim.orgs.nordics!.url}/api/v1/apps/${spokeApp().id}/credentials/keys/${fresh.kid}`, {
      headers: { authorization: `SSWS ${env.NORDICS_TOKEN}`, accept: 'application/json' },
    }).then((r) => r.json())) as Record<string, unknown>;
    hubApp().oauth!.jwks = [previous, freshJwk];
    const finished = await run('rotate-keys', '--spoke', 'nordics');
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stderr, /✓ step 4/);
    assert.doesNotMatch(finished.stderr, /✓ step [123]/);
    assert.deepEqual(
      hubApp().oauth!.jwks!.map((k) => k.kid),
      [fresh.kid],
    );
    assert.equal((await run('check')).code, 0);
  });

  it("a missing role on a Hub app org2org doesn't manage: the push fails on the Spoke app user, and apply --wait reports it", async () => {
    const clientId = hubApp().id;
    const role = hubApp()
      .roles.values()
      .find((r) => r.type === 'USER_ADMIN')!;
    hubApp().roles.delete(role.id);
    writeFileSync(
      config,
      CONFIG.replace('USERS_EXTRA\n', '        - login: dag@acme.com\n').replace('hubServiceApp: managed', `clientId: ${clientId}`),
    );
    const apply = await run('apply', '--auto-approve', '--wait');
    assert.equal(apply.code, 1, apply.stdout + apply.stderr);
    assert.match(apply.stdout + apply.stderr, /dag@acme\.com/);
    assert.match(apply.stdout + apply.stderr, /no admin role that may manage users/);
    const dag = spokeApp().users.get(sim.org('nordics').findUser('dag@acme.com')!.id)!;
    assert.equal(dag.syncState, 'ERROR');
    assert.equal(sim.org('hub').findUser('dag@acme.com'), undefined);
    const check = await run('check');
    assert.match(check.stdout + check.stderr, /step 5 .* lacks the role USER_ADMIN/);
    hubApp().roles.add({ ...role, seq: 0 });
    writeConfig();
  });

  it('export reads the OAuth setup and recognizes the org2org-managed Hub service app', async () => {
    const exported = await runCli(['export', '--hub-url', sim.orgs.hub!.url, '--spoke', `nordics=${sim.orgs.nordics!.url}`], {
      OKTA_NORDICS_TOKEN: env.NORDICS_TOKEN!,
      OKTA_HUB_READ_TOKEN: env.HUB_ADMIN_TOKEN!,
    });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /authScheme: OAUTH2\n\s+hubServiceApp: managed\n\s+rotationMode: MANUAL/);
    assert.doesNotMatch(exported.stdout, /scopes:|roles:/, 'the defaults are not written out');
    assert.deepEqual(findLeaks(sim, exported.stdout + exported.stderr), []);
  });

  it('removing a scope or role provisioning needs is refused without --allow-remove-required-access, and the plan says so first', async () => {
    const grants = () => hubApp().grants.size + hubApp().roles.size;
    const before = grants();
    writeFileSync(
      config,
      CONFIG.replace('USERS_EXTRA\n', '').replace(
        'rotationMode: MANUAL\n',
        'rotationMode: MANUAL\n      scopes: [okta.groups.manage]\n      roles: [GROUP_MEMBERSHIP_ADMIN]\n',
      ),
    );
    try {
      const plan = await run('plan', '--detailed-exitcode');
      assert.equal(plan.code, 1, plan.stdout + plan.stderr);
      assert.match(
        plan.stdout,
        /apply will refuse this plan: hub\.serviceApp\["nordics"\]\.grant\["okta\.users\.manage"\]: .*; to allow it, plan with --allow-remove-required-access/,
      );
      assert.match(plan.stdout, /apply will refuse this plan: hub\.serviceApp\["nordics"\]\.role\["USER_ADMIN"\]: /);
      const refused = await run('apply', '--auto-approve');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /okta\.users\.manage.*allow it with --allow-remove-required-access/);
      assert.equal(grants(), before, 'nothing was revoked');
      const allowed = await run('plan', '--detailed-exitcode', '--allow-remove-required-access');
      assert.equal(allowed.code, 2, allowed.stdout + allowed.stderr);
      assert.match(allowed.stdout, /allowed by --allow-remove-required-access given to plan: hub\.serviceApp/);
    } finally {
      writeConfig();
    }
  });

  it('a managed service app the config stops using is a removal that apply refuses without --allow-delete-service-apps', async () => {
    const clientId = hubApp().id;
    writeFileSync(
      config,
      CONFIG.replace('USERS_EXTRA\n', '').replace(/authScheme: OAUTH2\n.*\n.*\n/, 'authScheme: TOKEN\n      token: ${HUB_ADMIN_TOKEN}\n'),
    );
    const plan = await run('plan');
    assert.match(plan.stdout, /- hub\.serviceApp\["nordics"\]/);
    const refused = await run('apply', '--auto-approve');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--allow-delete-service-apps/);
    assert.ok(sim.org('hub').apps.get(clientId), 'nothing was written');
    const allowed = await run('apply', '--auto-approve', '--allow-delete-service-apps');
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.equal(sim.org('hub').apps.get(clientId), undefined);
    assert.equal(spokeApp().connection.authScheme, 'TOKEN');
    assert.equal((await run('plan', '--detailed-exitcode')).code, 0);
  });
});
