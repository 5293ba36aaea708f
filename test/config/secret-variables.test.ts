/**
 * A variable the file uses as a secret stays a secret wherever else it is written: in a plain
 * field (a client id, a URL's path or query) it is refused at its line, never expanded, so its
 * value can reach no plan, comment, plan file or request. And one org is one Spoke: two entries
 * for the same org are refused before any token is sent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdSecret, scrubSecrets } from '../../src/credentials.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { BASE, errorLines, loadText, withLine } from './helpers.js';
import { runValidate } from './capture.js';

const CANARY = 'CANARY-secret-value-5d1e9';
const ENV = { EMEA_TOKEN: CANARY, HUB_TOKEN: 'hub-provisioning-canary-77', OTHER: 'x' };

const PLAIN_FIELDS: Array<{ name: string; text: string; at: string; field: string }> = [
  {
    name: 'a Spoke URL path',
    text: withLine(6, '    url: https://acme-emea.okta.com/${EMEA_TOKEN}'),
    at: '6:10',
    field: 'spokes[0].url',
  },
  {
    name: 'a Spoke URL query',
    text: withLine(6, '    url: https://acme-emea.okta.com/?t=${HUB_TOKEN}'),
    at: '6:10',
    field: 'spokes[0].url',
  },
  { name: 'the Hub URL', text: withLine(3, '  url: https://${EMEA_TOKEN}.okta.com'), at: '3:8', field: 'hub.url' },
  {
    name: "an OAuth connection's clientId",
    text: BASE.replace(
      '      authScheme: TOKEN\n      token: ${HUB_TOKEN}',
      '      authScheme: OAUTH2\n      clientId: ${EMEA_TOKEN}\n    # ${HUB_TOKEN}',
    ).replace('    auth:\n      token: ${EMEA_TOKEN}', '    auth:\n      token: ${EMEA_TOKEN}'),
    at: '13:17',
    field: 'spokes[0].connection.clientId',
  },
  {
    name: "the Hub's OAuth clientId and keyId",
    text: withLine(
      3,
      '  url: https://acme.okta.com\n  auth: { oauth: { clientId: "${HUB_TOKEN}", privateKey: "${KEY}", scopes: [okta.apps.read] } }',
    ),
    at: '4:30',
    field: 'hub.auth.oauth.clientId',
  },
];

describe('a secret variable in a plain field', () => {
  for (const c of PLAIN_FIELDS) {
    test(`${c.name}: refused at its line, the value never expanded`, async () => {
      for (const requireSecrets of [false, true]) {
        const outcome = await loadText(c.text, { env: { ...ENV, KEY: 'k'.repeat(40) }, requireSecrets });
        const lines = errorLines(outcome);
        const hit = lines.find((l) => l.startsWith(`${c.at} `));
        assert.ok(hit, `no error at ${c.at}:\n${lines.join('\n')}`);
        assert.match(hit, new RegExp(`is used as a secret in .*; ${c.field.replace(/[.[\]]/g, '\\$&')} is not secret`));
        assert.ok(!JSON.stringify(outcome).includes(CANARY), 'the secret value reached the outcome');
        assert.ok(!JSON.stringify(outcome).includes('hub-provisioning-canary'), 'the secret value reached the outcome');
      }
    });
  }

  test('validate refuses it (exit 1) in every format, printing no value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'org2org-secret-vars-'));
    try {
      const file = join(dir, 'c.yaml');
      writeFileSync(file, PLAIN_FIELDS[1]!.text);
      // validate reads the process's environment: the secret is set there, so a leak would show.
      process.env.HUB_TOKEN = ENV.HUB_TOKEN;
      for (const format of ['text', 'json', 'github']) {
        const { code, out } = await runValidate(['-c', file, '--format', format]);
        assert.equal(code, 1, out);
        assert.match(out, /HUB_TOKEN\}? is used as a secret/);
        assert.ok(!out.includes('hub-provisioning-canary'), `secret in ${format} output`);
      }
    } finally {
      delete process.env.HUB_TOKEN;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a variable used only in plain fields is still expanded there', async () => {
    const outcome = await loadText(withLine(6, '    url: https://${OTHER}.okta.com'), { env: ENV });
    assert.deepEqual(errorLines(outcome), []);
    assert.ok(outcome.ok && outcome.result.desired.spokes[0]!.url === 'https://x.okta.com');
  });

  test("a URL's problem quotes the URL as written, not what its variables held", async () => {
    const outcome = await loadText(withLine(6, '    url: https://acme-emea.okta.com/${OTHER}'), {
      env: { ...ENV, OTHER: 'held-value-4c2b' },
    });
    const lines = errorLines(outcome);
    assert.ok(
      lines.some((l) => l.startsWith('6:10 "https://acme-emea.okta.com/${OTHER}" has more than the org\'s address')),
      lines.join('\n'),
    );
    assert.ok(!JSON.stringify(lines).includes('held-value-4c2b'));
  });
});

describe('held secrets are scrubbed in every form text may carry them', () => {
  test('as is, JSON-escaped, percent- and form-encoded', () => {
    const value = 'tok/en+with space&"quote"\nline-2f1a';
    holdSecret(value);
    for (const form of [
      value,
      JSON.stringify(value).slice(1, -1),
      encodeURIComponent(value),
      new URLSearchParams({ q: value }).toString().slice(2),
    ]) {
      const out = scrubSecrets(`before ${form} after`);
      assert.equal(out, 'before (sensitive) after', `not scrubbed: ${form}`);
    }
  });
});

describe('two Spokes for one org', () => {
  const twoOf = (url: string): string =>
    `${BASE}  - name: emea2\n    url: ${url}\n    auth:\n      token: \${EMEA_TOKEN}\n    app:\n      label: Acme Hub\n`;

  for (const [name, url] of [
    ['the same URL', 'https://acme-emea.okta.com'],
    ['another spelling of it', 'HTTPS://Acme-EMEA.okta.com/'],
    ["its Admin Console's -admin name", 'https://acme-emea-admin.okta.com'],
  ] as const) {
    test(`${name} is a validate error at the second entry`, async () => {
      const lines = errorLines(await loadText(twoOf(url)));
      assert.ok(
        lines.some((l) => /^26:10 spoke "emea2" names the same org as spokes\[0\] \("emea"\)/.test(l)),
        lines.join('\n'),
      );
    });
  }

  test('different orgs pass', async () => {
    assert.deepEqual(errorLines(await loadText(twoOf('https://acme-apac.okta.com'))), []);
  });
});

describe('plan with two Spokes for one org', () => {
  let sim: Sim;
  let dir: string;
  before(async () => {
    sim = await startSim('examples/sim/seed.yaml', { timeScale: 60, provisioningDelayMs: 0 });
    dir = mkdtempSync(join(tmpdir(), 'org2org-dup-spoke-'));
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('exits 1 before any request: no token reaches any org', async () => {
    // apac's entry pointed at emea's org, under apac's own token variable.
    const config = readFileSync('org2org.config.yaml', 'utf8').replace('url: ${OKTA_APAC_URL}', 'url: ${OKTA_EMEA_URL}');
    assert.notEqual(config, readFileSync('org2org.config.yaml', 'utf8'));
    const file = join(dir, 'dup.yaml');
    writeFileSync(file, config);
    sim.resetStats();
    let out = '';
    const code = await runPlan(['-c', file, '--no-color'], {
      env: { ...sim.env, ALICE_ANSWER: 'a-answer' },
      stdout: (t) => void (out += t),
      stderr: (t) => void (out += t),
    }).catch((e: Error) => {
      out += e.message + JSON.stringify((e as { problems?: unknown }).problems ?? []);
      return 1;
    });
    assert.equal(code, 1, out);
    assert.match(out, /names the same org as spokes\[0\] \(\\?"emea\\?"\)/);
    for (const org of Object.keys(sim.orgs)) assert.equal(sim.stats(org).total, 0, `${org} got requests`);
  });
});
