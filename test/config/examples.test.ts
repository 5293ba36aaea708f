/** Every example (and the root config) validates; the generated ones are up to date. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { renderMultiSpokeConfig } from '../../scripts/gen-multi-spoke.js';
import { loadText } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const examples = readdirSync(`${root}examples`)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => `examples/${f}`);

test('the examples are there', () => {
  for (const name of ['examples/minimal.yaml', 'examples/full.yaml', 'examples/multi-spoke-1000.yaml'])
    assert.ok(examples.includes(name), name);
});

for (const file of [...examples, 'org2org.config.yaml']) {
  test(`${file} is valid (offline, without secrets)`, async () => {
    const { desired, warnings } = await loadConfig(`${root}${file}`, { env: {}, requireSecrets: false });
    assert.ok(desired.spokes.length > 0);
    // Offline, the only warnings are the unset variables.
    for (const w of warnings) assert.match(w.message, /^environment variable \w+ is not set/);
  });
}

test('full.yaml uses every field the schema defines', async () => {
  const schemaText = readFileSync(`${root}schemas/org2org.schema.json`, 'utf8');
  const keys = new Set([...schemaText.matchAll(/"properties": \{\s*"(\w+)"/g)].map((m) => m[1]));
  const allKeys = new Set<string>();
  const walk = (node: unknown): void => {
    if (node && typeof node === 'object') {
      const props = (node as { properties?: Record<string, unknown> }).properties;
      if (props) for (const k of Object.keys(props)) allKeys.add(k);
      for (const v of Object.values(node)) walk(v);
    }
  };
  walk(JSON.parse(schemaText));
  assert.ok(keys.size > 0);
  const full = readFileSync(`${root}examples/full.yaml`, 'utf8');
  const missing = [...allKeys].filter((k) => !new RegExp(`\\b${k}:`).test(full));
  assert.deepEqual(missing, []);
});

test('multi-spoke-1000.yaml has 1,000 assignments and matches its generator', async () => {
  const text = readFileSync(`${root}examples/multi-spoke-1000.yaml`, 'utf8');
  assert.equal(text, renderMultiSpokeConfig(1000), 'regenerate with: npx tsx scripts/gen-multi-spoke.ts');
  const outcome = await loadText(text);
  assert.ok(outcome.ok);
  assert.equal(
    outcome.result.desired.spokes.reduce((n, s) => n + s.assignments.users.length, 0),
    1000,
  );
});

test('the root config keeps the spokes, users and groups the simulator seed mirrors', async () => {
  const { desired } = await loadConfig(`${root}org2org.config.yaml`, { env: {}, requireSecrets: false });
  assert.deepEqual(
    desired.spokes.map((s) => s.name),
    ['emea', 'apac'],
  );
  assert.deepEqual(
    desired.spokes.map((s) => s.assignments.users.map((u) => u.login)),
    [
      ['alice@acme.com', 'bob@acme.com', 'chloe@acme.com'],
      ['kenji@acme.com', 'mei@acme.com'],
    ],
  );
  assert.deepEqual(
    desired.spokes[0]!.pushGroups.groups.map((g) => [g.name, g.targetName, g.link]),
    [
      ['Engineering', 'Engineering', false],
      ['Legacy Ops', 'Ops', true],
    ],
  );
});
