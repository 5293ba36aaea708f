import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCapacity } from '../../src/cli/args.js';
import { buildClients } from '../../src/cli/clients.js';
import { selectSpokes } from '../../src/cli/config-selection.js';
import { gitCommit } from '../../src/cli/git.js';
import { appendStepSummary } from '../../src/cli/github-actions.js';
import { useColor } from '../../src/cli/io.js';
import { Secret } from '../../src/credentials.js';
import { UsageError } from '../../src/errors.js';
import type { OktaClientOptions } from '../../src/okta/types.js';
import { desiredSpoke, desiredState } from '../builders/desired.js';

test('parseCapacity: shares and percentages; out of range is a usage error', () => {
  assert.equal(parseCapacity('0.25'), 0.25);
  assert.equal(parseCapacity('50%'), 0.5);
  assert.equal(parseCapacity('80'), 0.8);
  assert.equal(parseCapacity('1'), 1);
  for (const bad of ['0', '150%', 'lots', '-1']) assert.throws(() => parseCapacity(bad), UsageError);
});

test('selectSpokes keeps the named Spokes, in config order', () => {
  const desired = desiredState('https://hub.example.com', [
    desiredSpoke('emea', 'https://e'),
    desiredSpoke('apac', 'https://a'),
    desiredSpoke('us', 'https://u'),
  ]);
  assert.deepEqual(
    selectSpokes(desired, ['us', 'emea']).spokes.map((s) => s.name),
    ['emea', 'us'],
  );
  assert.equal(selectSpokes(desired, []), desired);
  assert.throws(() => selectSpokes(desired, ['eu', 'emea']), /no spoke named "eu" in org2org\.config\.yaml \(spokes: emea, apac, us\)/);
});

test('buildClients: one per Spoke, the Hub only with credentials, a provisioning client per set TOKEN connection', () => {
  const made: OktaClientOptions[] = [];
  const createClient = (o: OktaClientOptions): never => {
    made.push(o);
    return { org: o.org } as never;
  };
  const withToken = desiredSpoke('emea', 'https://emea.example.com');
  withToken.connection = { authScheme: 'TOKEN', token: new Secret('PROV', 'fake-prov-value'), enabled: true };
  const unset = desiredSpoke('apac', 'https://apac.example.com');
  unset.connection = { authScheme: 'TOKEN', token: new Secret('UNSET_VAR', undefined), enabled: true };
  const desired = desiredState('https://hub.example.com', [withToken, unset]);
  let clients = buildClients(desired, { createClient, maxApiCapacity: 0.3 });
  assert.equal(clients.hub, undefined);
  assert.deepEqual(Object.keys(clients.spokes), ['emea', 'apac']);
  assert.deepEqual(Object.keys(clients.provisioning ?? {}), ['emea']);
  const prov = made.find((o) => o.org === 'emea provisioning token')!;
  assert.equal(prov.baseUrl, 'https://hub.example.com');
  assert.ok(made.every((o) => o.maxApiCapacity === 0.3));
  desired.hub.auth = { kind: 'token', token: new Secret('HUB', 'fake-hub-value') };
  clients = buildClients(desired, { createClient });
  assert.ok(clients.hub);
});

test('appendStepSummary writes only under GitHub Actions; gitCommit finds this checkout; useColor follows flags and env', () => {
  const dir = mkdtempSync(join(tmpdir(), 'org2org-summary-'));
  try {
    const file = join(dir, 'summary.md');
    writeFileSync(file, 'before\n');
    assert.equal(appendStepSummary('# plan', { GITHUB_STEP_SUMMARY: file }), false);
    assert.equal(appendStepSummary('# plan', { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file }), true);
    assert.equal(readFileSync(file, 'utf8'), 'before\n# plan\n');
    assert.equal(gitCommit(dir), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (existsSync('.git')) assert.match(gitCommit()?.commit ?? '', /^[0-9a-f]{40}$/); // not in an unpacked tarball
  assert.equal(useColor(true, { FORCE_COLOR: '1' }, true), false);
  assert.equal(useColor(false, { NO_COLOR: '1', FORCE_COLOR: '1' }, true), false);
  assert.equal(useColor(false, { FORCE_COLOR: '1' }, false), true);
  assert.equal(useColor(false, {}, false), false);
  assert.equal(useColor(false, {}, true), true);
});
