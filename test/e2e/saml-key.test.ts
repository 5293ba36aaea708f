/**
 * Issue 23 item 4: on a SAML_2_0 Org2Org app the signing key rotate-keys changes is also the SAML
 * certificate a Hub identity provider may trust for SSO from the Spoke. rotate-keys finds such an
 * IdP (`/api/v1/idps`, its trusted IdP key credential), refuses before writing anything without
 * --allow-saml-key-change, and with it rotates and names the follow-up step.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { Sim, SimApp } from '../../src/sim/index.js';
import { countWrites } from './cli.js';
import { type NordicsWorld, nordicsConfig, startNordics } from './nordics.js';

const CONFIG = nordicsConfig(
  `    connection:
      authScheme: OAUTH2
      hubServiceApp: managed
      rotationMode: MANUAL
`,
  ['signOnMode: SAML_2_0'],
);

describe('e2e: rotate-keys and a Hub identity provider trusting the Spoke’s SAML signing key', () => {
  let world: NordicsWorld;
  let sim: Sim;
  const run = (...args: string[]) => world.run(...args);
  const spokeApp = (): SimApp => world.spokeApp();
  const signingCertificate = async (): Promise<string[]> => {
    const app = spokeApp();
    const key = await fetch(`${sim.orgs.nordics!.url}/api/v1/apps/${app.id}/credentials/keys/${app.signingKid}`, {
      headers: { authorization: `SSWS ${sim.env.NORDICS_TOKEN}`, accept: 'application/json' },
    }).then((r) => r.json() as Promise<{ x5c: string[] }>);
    return key.x5c;
  };

  before(async () => {
    world = await startNordics('saml-key', CONFIG);
    sim = world.sim;
    const apply = await run('apply', '--auto-approve');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
  });
  after(() => world.close());

  it('an IdP trusting another certificate does not stop a rotation', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { selfSignedCertificate } = await import('../../src/sim/x509.js');
    const other = selfSignedCertificate(publicKey, privateKey, 'elsewhere', new Date(), new Date(Date.now() + 86_400_000));
    sim.org('hub').addSamlIdp('Elsewhere IdP', 'https://elsewhere.example.com', [other.toString('base64')]);
    const before = spokeApp().signingKid;
    const rotated = await run('rotate-keys', '--spoke', 'nordics');
    assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
    assert.notEqual(spokeApp().signingKid, before);
    assert.doesNotMatch(rotated.stderr, /follow-up/);
  });

  it('an IdP trusting the signing key: refused with the reason and the follow-up step, nothing written', async () => {
    const idp = sim.org('hub').addSamlIdp('Nordics SSO', sim.orgs.nordics!.url, await signingCertificate());
    const kid = spokeApp().signingKid;
    const keys = spokeApp().keys.length;
    const writes = countWrites(sim);
    const refused = await run('rotate-keys', '--spoke', 'nordics');
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`Hub identity provider Nordics SSO \\(${idp.id}, ACTIVE\\) trusts that certificate`));
    assert.match(refused.stderr, /--allow-saml-key-change/);
    assert.match(refused.stderr, /POST \/api\/v1\/idps\/credentials\/keys/, 'names the follow-up step');
    assert.equal(spokeApp().signingKid, kid);
    assert.equal(spokeApp().keys.length, keys, 'no key generated');
    assert.equal(countWrites(sim), writes, 'nothing written');

    const allowed = await run('rotate-keys', '--spoke', 'nordics', '--allow-saml-key-change');
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.notEqual(spokeApp().signingKid, kid);
    assert.match(allowed.stderr, /follow-up: the Hub identity provider Nordics SSO .* still trusts the old certificate/);
  });

  it('the follow-up done (the IdP trusts the new certificate), the next rotation is refused again: the IdP is found by the key in use', async () => {
    const hub = sim.org('hub');
    const idp = hub.idps.values().find((i) => i.name === 'Nordics SSO')!;
    idp.trustKid = hub.addIdpKey(await signingCertificate()).kid;
    const refused = await run('rotate-keys', '--spoke', 'nordics');
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /Nordics SSO/);
  });

  it('an AUTO_LOGIN app signs no SAML: no IdP lookup stops it', async () => {
    spokeApp().signOnMode = 'AUTO_LOGIN';
    world.writeConfig(CONFIG.replace('signOnMode: SAML_2_0', 'signOnMode: AUTO_LOGIN'));
    const rotated = await run('rotate-keys', '--spoke', 'nordics');
    assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
  });
});
