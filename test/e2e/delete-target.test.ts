/**
 * `onRemove: deleteTarget` end to end: an entry marked `remove: true` plans the mapping's removal
 * with the Hub group's deletion as one of its lines; apply refuses it without
 * --allow-delete-target-groups (nothing written) and carries it out with the flag; the Hub group
 * and its memberships are gone, and the next plan has nothing to do.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSim } from '../../src/sim/index.js';
import { cliEnv, countWrites, findLeaks, runCli } from './cli.js';

const ROOT_CONFIG = readFileSync(fileURLToPath(new URL('../../org2org.config.yaml', import.meta.url)), 'utf8');

test('remove: true with onRemove: deleteTarget: planned with its Hub consequence, refused without the flag, applied with it; the next plan is a no-op', async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-e2e-delete-target-'));
  try {
    const env = cliEnv(sim);
    const first = await runCli(['apply', '--auto-approve'], env);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const hub = sim.org('hub');
    const sales = hub.findGroupByName('Engineering');
    assert.ok(sales, 'the first apply pushed Engineering to the Hub');
    const members = sales.members.size;
    assert.ok(members > 0, 'the pushed Hub group has members');

    const config = join(dir, 'config.yaml');
    const marked = ROOT_CONFIG.replace('- { name: Engineering }', '- { name: Engineering, remove: true, onRemove: deleteTarget }');
    assert.notEqual(marked, ROOT_CONFIG);
    writeFileSync(config, marked);

    const plan = await runCli(['plan', '-c', config, '--spoke', 'emea'], env);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(
      plan.stdout,
      new RegExp(
        `- pushMapping\\["Engineering"\\]\\n(?: {6}.*\\n)*? {6}in the Hub: deletes the Hub group "Engineering" and its memberships \\(${members} members? lose it\\)`,
      ),
    );
    assert.match(plan.stdout, /1 change acts on the Hub/);
    const md = await runCli(['plan', '-c', config, '--spoke', 'emea', '--format', 'markdown'], env);
    assert.match(md.stdout, /> \[!WARNING\]\n> This plan \*\*removes 1 object\*\* and \*\*1 change acts on the Hub/);

    const writes = countWrites(sim);
    const refused = await runCli(['apply', '-c', config, '--auto-approve'], env);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(
      refused.stderr,
      /pushMapping\["Engineering"\]: removing this push mapping deletes its Hub group; allow it with --allow-delete-target-groups/,
    );
    assert.equal(countWrites(sim), writes, 'a refused apply wrote something');
    assert.ok(hub.findGroupByName('Engineering'));

    const applied = await runCli(['apply', '-c', config, '--auto-approve', '--allow-delete-target-groups'], env);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(hub.findGroupByName('Engineering'), undefined, 'the Hub group is deleted');
    assert.equal(hub.groups.get(sales.id), undefined);
    const emeaApp = sim
      .org('emea')
      .apps.values()
      .find((a) => a.label === 'Acme Hub')!;
    assert.ok(!emeaApp.pushMappings.values().some((m) => m.hubGroupId === sales.id), 'the mapping is gone');

    const after = await runCli(['plan', '-c', config, '--detailed-exitcode'], env);
    assert.equal(after.code, 0, after.stdout + after.stderr);
    for (const r of [plan, md, refused, applied, after])
      for (const text of [r.stdout, r.stderr]) assert.deepEqual(findLeaks(sim, text), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});
