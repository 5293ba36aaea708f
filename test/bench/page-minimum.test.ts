import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSim } from '../../src/sim/index.js';
import { computePageMinimum } from '../../bench/page-minimum.js';
import { buildPlanWorld, configLogins, pushedGroupNames } from '../../bench/scenarios.js';

test('page minimum and critical path of a small world, from the simulator state', async () => {
  // 2 spokes × 600 users (594 assigned, 6 new), 30 groups each (all assigned), 20 pushed each.
  const world = buildPlanWorld({ name: 'M', spokes: 2, assignments: 1200, groups: 60, pushMappings: 40 });
  const sim = await startSim(world.seed);
  // Read again after the simulator's state changes below: the minimum follows the live orgs.
  const pageMinimum = () =>
    computePageMinimum(sim, world.spokes, {
      hub: 'hub',
      hubRead: true,
      tokenCheck: true,
      configLogins: Object.fromEntries(world.spokes.map((s) => [s.name, configLogins(s)])),
      pushedNames: Object.fromEntries(world.spokes.map((s) => [s.name, pushedGroupNames(s)])),
    });
  try {
    const min = pageMinimum();
    const pagesOf = (org: string, name: string) => min.collections.find((c) => c.org === org && c.name === name)?.pages;
    assert.equal(pagesOf('emea', 'app users'), 2); // 594 / 500
    assert.equal(pagesOf('emea', 'users (config logins not assigned)'), 1);
    // The Spoke confirms the pushes of the 1,188 assigned users: only the 12 new ones need the Hub.
    const hubUsers = min.collections.find((c) => c.org === 'hub' && c.name.startsWith('users'));
    assert.equal(hubUsers?.size, 12);
    assert.equal(hubUsers?.pages, 1);
    // Per spoke: apps, connection, features, schema, app users ×2, app groups, mappings, users, groups = 10,
    // + 20 member lists, + 2 token checks; Hub: 1 user page, 1 group page, and no member lists:
    // every push is ACTIVE already, so none can change a Hub group's members.
    assert.equal(min.calls, 2 * (10 + 20 + 2) + 1 + 1);
    // apps → 2 app-user pages → the new users' lookup (Spoke and Hub).
    assert.equal(min.criticalPathPages, 4);

    // A push that isn't ACTIVE (activating it replaces the Hub group's members): its target's members count.
    const mapping = sim
      .org('emea')
      .apps.values()
      .find((a) => a.name === 'okta_org2org')!
      .pushMappings.values()[0]!;
    mapping.status = 'INACTIVE';
    const after = pageMinimum();
    assert.equal(after.calls, min.calls + 1);
    // Carried attributes: per Spoke its user schema, its mapping list and the mapping; the Hub's user schema once.
    const withAttributes = computePageMinimum(sim, world.spokes, {
      hub: 'hub',
      hubRead: true,
      tokenCheck: true,
      configLogins: Object.fromEntries(world.spokes.map((s) => [s.name, configLogins(s)])),
      pushedNames: Object.fromEntries(world.spokes.map((s) => [s.name, pushedGroupNames(s)])),
      attributes: Object.fromEntries(world.spokes.map((s) => [s.name, true])),
    });
    assert.equal(withAttributes.calls, after.calls + 2 * 3 + 1);
    assert.equal(after.collections.filter((c) => c.org === 'hub' && c.name.startsWith('members of ')).length, 1);
  } finally {
    await sim.close();
  }
});
