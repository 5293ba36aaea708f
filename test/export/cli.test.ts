/**
 * `org2org export` as users run it: a child process against the simulator, stdout piped (not a
 * terminal): the YAML on stdout, plain progress and the env vars it read on stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { startSim } from '../../src/sim/index.js';
import { runCli } from '../run-cli.js';
import { adoptionSeed } from './setup.js';

test('export in a child process: YAML to stdout, progress and env var names to stderr, no secrets', async () => {
  const seed = adoptionSeed([{ name: 'emea', users: 60, direct: 20, assignedGroups: 1, pushed: 3, linked: 1 }]);
  const sim = await startSim(seed, { timeScale: 60 });
  try {
    const { code, stdout, stderr } = await runCli(
      ['export', '--hub-url', sim.orgs.hub!.url, '--spoke', `emea=${sim.orgs.emea!.url}`],
      sim.env,
    );
    assert.equal(code, 0, stderr);
    assert.match(stderr, /read OKTA_EMEA_TOKEN for spoke emea/);
    assert.match(stderr, /read emea app users: 60 \(/);
    const config = parse(stdout) as { spokes: { assignments: { users: unknown[] } }[] };
    assert.equal(config.spokes[0]!.assignments.users.length, 20);
    for (const secret of Object.values(sim.orgs).flatMap((o) => Object.values(o.tokens))) {
      assert.ok(!stdout.includes(secret) && !stderr.includes(secret));
    }
    const usage = await runCli(['export', '--spoke', 'emea=https://x.example.com'], sim.env);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /--hub-url is required/);
  } finally {
    await sim.close();
  }
});

test('export of several Spokes writes every one it can: a Spoke with no Org2Org app is a commented stub and a warning', async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  try {
    const { code, stdout, stderr } = await runCli(
      ['export', '--hub-url', sim.orgs.hub!.url, '--spoke', `emea=${sim.orgs.emea!.url}`, '--spoke', `apac=${sim.orgs.apac!.url}`],
      sim.env,
    );
    assert.equal(code, 0, stderr);
    const config = parse(stdout) as { spokes: { name: string }[] };
    assert.deepEqual(
      config.spokes.map((s) => s.name),
      ['emea'],
    );
    assert.match(stdout, /# Spoke apac \(http:\/\/127\.0\.0\.1:\d+\) has no Org2Org app yet/);
    assert.match(stdout, /# {3}- name: apac\n# {5}url: /);
    assert.match(stderr, /warning: spoke apac \(.*\) has no Org2Org app yet: it is a commented stub/);
    // Only apac: nothing to export is an error.
    const none = await runCli(['export', '--hub-url', sim.orgs.hub!.url, '--spoke', `apac=${sim.orgs.apac!.url}`], sim.env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no okta_org2org app found in apac/);
  } finally {
    await sim.close();
  }
});
