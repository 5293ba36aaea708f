/**
 * Issue 25 item 4, the attack reproduced: drift in the Hub's trust. The managed service app is the
 * client the Spoke's connection uses, and everything about it is compared exactly: an extra key
 * beside the real one is drift (check flags it, apply removes it); a renamed service app is the
 * same app renamed back, never a second one; a deactivated connection plans its push mappings as
 * what they are (unknown, made only if absent) and apply converges in one run without the
 * "Import Now" hint; a re-pointed connection is said to be re-pointed and pointed back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { Sim, SimApp } from '../../src/sim/index.js';
import { findLeaks } from './cli.js';
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
    pushGroups:
      groups:
        - name: Nordics Sales
`);

describe('e2e: the Hub service app’s trust is owned (issue 25 item 4)', () => {
  let world: NordicsWorld;
  let sim: Sim;
  const run = (...args: string[]) => world.run(...args);
  const serviceApps = (): SimApp[] =>
    sim
      .org('hub')
      .apps.values()
      .filter((a) => a.oauth !== undefined);
  const spokeApp = (): SimApp => world.spokeApp();
  const managed = (): SimApp => sim.org('hub').oauthClient(spokeApp().connection.clientId!)!;

  before(async () => {
    world = await startNordics('hub-trust', CONFIG, {
      nordics: { users: [{ login: 'astrid@acme.com' }], groups: [{ name: 'Nordics Sales', members: ['astrid@acme.com'] }] },
    });
    sim = world.sim;
    const apply = await run('apply', '--auto-approve', '--wait');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.equal(serviceApps().length, 1);
  });
  after(() => world.close());

  it('an extra key beside the real one: check flags it, plan shows it, apply removes it', async () => {
    const real = managed().oauth!.jwks![0]!;
    const intruder = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    managed().oauth!.jwks = [real, { ...intruder, kid: 'intruder', use: 'sig' }];
    const check = await run('check');
    assert.equal(check.code, 1, check.stdout + check.stderr);
    assert.match(check.stdout + check.stderr, /also trusts the key intruder beside the Spoke app's key in use/);
    const plan = await run('plan', '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /hub\.serviceApp\["nordics"\]/);
    assert.match(plan.stdout, /intruder/);
    const apply = await run('apply', '--auto-approve');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.deepEqual(
      managed().oauth!.jwks!.map((k) => k.kid),
      [spokeApp().signingKid],
    );
    assert.equal((await run('check')).code, 0);
    assert.equal((await run('plan', '--detailed-exitcode')).code, 0);
  });

  it('a renamed service app is the same app renamed back, not a second one', async () => {
    const id = managed().id;
    managed().oauth!.clientName = 'someone-renamed-me';
    managed().label = 'someone-renamed-me';
    const plan = await run('plan', '--detailed-exitcode', '--format', 'json');
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    const changes = JSON.parse(plan.stdout).spokes[0].changes as { address: string; action: string }[];
    const service = changes.filter((c) => c.address === 'hub.serviceApp["nordics"]');
    assert.deepEqual(
      service.map((c) => c.action),
      ['update'],
      'an update, not a create',
    );
    const apply = await run('apply', '--auto-approve');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.equal(serviceApps().length, 1, 'no second service app');
    assert.equal(managed().id, id);
    assert.equal(managed().oauth!.clientName, 'org2org-nordics');
    assert.equal((await run('plan', '--detailed-exitcode')).code, 0);
  });

  it('a deactivated connection: push mappings planned as unknown, one apply converges, no "Import Now" hint', async () => {
    const mappings = spokeApp().pushMappings.size;
    assert.equal(mappings, 1);
    spokeApp().connection.status = 'DISABLED';
    const plan = await run('plan', '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    assert.match(plan.stdout + plan.stderr, /push mappings of nordics could not be read/);
    assert.match(plan.stdout, /~ connection\n\s+status: "DISABLED" → "ENABLED"/);
    assert.doesNotMatch(plan.stdout, /already exists in the Hub/, 'the Hub group is the mapping’s own, not one to link to');
    const apply = await run('apply', '--auto-approve');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.doesNotMatch(apply.stdout + apply.stderr, /Import Now/);
    assert.equal(spokeApp().connection.status, 'ENABLED');
    assert.equal(spokeApp().pushMappings.size, 1, 'the mapping was there all along: not made twice');
    assert.equal((await run('plan', '--detailed-exitcode')).code, 0, 'converged in one apply');
  });

  it('a re-pointed connection is said to be re-pointed and pointed back; the other client is left alone', async () => {
    const ours = managed().id;
    const other = await fetch(`${sim.orgs.hub!.url}/oauth2/v1/clients`, {
      method: 'POST',
      headers: { authorization: `SSWS ${sim.env.HUB_ADMIN_TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        client_name: 'someone-elses-client',
        application_type: 'service',
        grant_types: ['client_credentials'],
        response_types: ['token'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: 'https://elsewhere.example.com/jwks',
      }),
    }).then((r) => r.json() as Promise<{ client_id: string }>);
    spokeApp().connection.clientId = other.client_id;
    const plan = await run('plan', '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    assert.match(plan.stdout + plan.stderr, /uses the Hub client someone-elses-client .* re-pointed; apply points it back/);
    assert.match(plan.stdout, /~ connection\n\s+clientId: "[^"]+" → "[^"]+"/);
    assert.doesNotMatch(plan.stdout, /\+ hub\.serviceApp/, 'no new service app');
    const apply = await run('apply', '--auto-approve');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.equal(spokeApp().connection.clientId, ours);
    assert.ok(sim.org('hub').oauthClient(other.client_id), 'the other client is not org2org’s to remove');
    assert.equal((await run('plan', '--detailed-exitcode')).code, 0);
    assert.deepEqual(findLeaks(sim, plan.stdout + plan.stderr + apply.stdout + apply.stderr), []);
  });
});
