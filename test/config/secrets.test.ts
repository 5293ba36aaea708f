/** Sensitive fields: literals are refused without ever echoing them; set values never print. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { errorLines, loadText, withLine, writeTemp } from './helpers.js';
import { runValidate } from './capture.js';

const CANARY = 'CANARY-not-a-real-token-7f3a';

const LITERALS: Array<{ name: string; text: string; error: string }> = [
  { name: 'spoke API token', text: withLine(8, `      token: ${CANARY}`), error: '8:14' },
  { name: 'connection token', text: withLine(13, `      token: "${CANARY}"`), error: '13:14' },
  { name: 'hub token', text: withLine(3, `  url: https://acme.okta.com\n  auth: { token: ${CANARY} }`), error: '4:18' },
  {
    name: 'OAuth private key',
    text: withLine(8, `      oauth: { clientId: a, privateKey: "-----BEGIN ${CANARY}", scopes: [okta.users.read] }`),
    error: '8:41',
  },
  {
    name: 'security answer',
    text: withLine(18, `        - login: alice@acme.com\n          securityQuestion: Pet?\n          securityAnswer: ${CANARY}`),
    error: '20:27',
  },
  { name: 'a reference inside a literal', text: withLine(8, `      token: ${CANARY}\${X}`), error: '8:14' },
];

for (const c of LITERALS) {
  test(`a literal ${c.name} is an error that does not show the value`, async () => {
    const outcome = await loadText(c.text);
    const lines = errorLines(outcome);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0]!,
      new RegExp(`^${c.error} \\w+ is a sensitive field and must be a \\$\\{NAME\\} environment variable reference, not a literal value`),
    );
    assert.ok(!JSON.stringify(outcome).includes('CANARY'), 'the canary leaked into the outcome');
  });
}

test('validate prints nothing of a literal secret, in any format', async () => {
  const file = writeTemp(withLine(8, `      token: ${CANARY}`));
  for (const format of ['text', 'json', 'github']) {
    const { code, out } = await runValidate(['-c', file, '--format', format]);
    assert.equal(code, 1);
    assert.match(out, /sensitive field/);
    assert.ok(!out.includes('CANARY'), `canary in ${format} output`);
  }
});

test('a literal secret is reported in the same run as schema errors', async () => {
  const outcome = await loadText(withLine(8, `      token: ${CANARY}\n      tokn: x`));
  const lines = errorLines(outcome);
  assert.ok(
    lines.some((l) => /^8:14 token is a sensitive field/.test(l)),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => /unknown key "tokn"/.test(l)),
    lines.join('\n'),
  );
  assert.ok(!JSON.stringify(outcome).includes('CANARY'));
});

test('a wrong-typed secret field is reported without its value', async () => {
  const outcome = await loadText(withLine(8, '      token: 123456789'));
  assert.deepEqual(errorLines(outcome), ['8:14 spokes[0].auth.token must be text, not an integer — fix its value']);
});

test('secrets from the environment print as (sensitive) everywhere', async () => {
  const outcome = await loadText(withLine(3, '  url: https://acme.okta.com'), {
    env: { EMEA_TOKEN: CANARY, HUB_TOKEN: CANARY },
    requireSecrets: true,
  });
  assert.ok(outcome.ok);
  const { desired } = outcome.result;
  assert.ok(!JSON.stringify(desired).includes('CANARY'));
  assert.ok(!inspect(desired, { depth: 10 }).includes('CANARY'));
  const spoke = desired.spokes[0]!;
  assert.equal(spoke.auth.kind === 'token' && spoke.auth.token.reveal(), CANARY);
  assert.equal(spoke.auth.kind === 'token' && spoke.auth.token.envVar, 'EMEA_TOKEN');
});
