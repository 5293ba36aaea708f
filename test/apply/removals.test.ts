/**
 * --max-removals counts people, not changes: unassigning one group that assigned 30 people is
 * 30 removals, as is switching off the connection of an app with 30 users.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runApply } from '../../src/cli/commands/apply.js';
import { SafetyError } from '../../src/errors.js';
import { startSim } from '../../src/sim/index.js';
import { checkSafety } from '../../src/apply/safety.js';
import { cliEnv, countWrites } from '../e2e/cli.js';
import { thirtyTemps } from '../builders/seeds.js';
import { change, plan } from '../builders/plan.js';

test('unassigning one group counts its 30 members against --max-removals: refused, nothing written; allowed when raised', {
  timeout: 120_000,
}, async () => {
  const sim = await startSim(thirtyTemps(), { timeScale: 60 });
  try {
    const app = sim
      .org('apac')
      .apps.values()
      .find((a) => a.label === 'Acme Hub')!;
    assert.equal(app.users.size, 30, 'the seed assigns the group members');
    const sink = { out: '', err: '' };
    const io = { env: cliEnv(sim), stdout: (t: string) => void (sink.out += t), stderr: (t: string) => void (sink.err += t) };
    await assert.rejects(runApply(['--auto-approve', '--spoke', 'apac'], io), (err: unknown) => {
      assert.ok(err instanceof SafetyError, String(err));
      assert.match(err.message, /unprovisions 30 people \(in apac: the members of 1 group unassigned\).*--max-removals 25/);
      return true;
    });
    assert.equal(countWrites(sim), 0);
    assert.equal(app.users.size, 30);
    assert.equal(await runApply(['--auto-approve', '--spoke', 'apac', '--max-removals', '30'], io), 0, sink.err);
    assert.equal(app.groups.size, 0);
  } finally {
    await sim.close();
  }
});

test('a connection switched off counts every app user; people are counted once across changes', () => {
  const live = {
    hub: { users: {}, groups: {}, pushConfirmedBySpoke: false },
    spokes: {
      emea: {
        name: 'emea',
        app: null,
        connection: null,
        features: null,
        appUserSchema: null,
        appGroups: [],
        pushMappings: [],
        users: {},
        rateLimits: [],
        groups: { Eng: { id: '00g1', name: 'Eng', memberLoginKeys: ['u0@acme.com', 'u1@acme.com'] } },
        appUsers: Array.from({ length: 4 }, (_, i) => ({
          userId: `00u${i}`,
          login: `u${i}@acme.com`,
          loginKey: `u${i}@acme.com`,
          scope: i < 3 ? 'GROUP' : 'USER',
          status: 'PROVISIONED',
          fingerprint: 'f',
        })),
      },
    },
  } as never;
  const unassignUser = change('emea', 'assignment.user', 'u3@acme.com', 'delete', {
    type: 'assignment.user.unassign',
    appId: '0oa1',
    userId: '00u3',
    login: 'u3@acme.com',
  });
  const unassignGroup = change('emea', 'assignment.group', 'Eng', 'delete', {
    type: 'assignment.group.unassign',
    appId: '0oa1',
    groupId: '00g1',
  });
  const off = change('emea', 'connection', null, 'update', { type: 'connection.deactivate', appId: '0oa1', disables: true });
  // The group's read members (u0, u1) plus u3: 3 people.
  assert.match(checkSafety(plan([unassignUser, unassignGroup]), { maxRemovals: 2 }, live)[0]!, /unprovisions 3 people/);
  assert.deepEqual(checkSafety(plan([unassignUser, unassignGroup]), { maxRemovals: 3 }, live), []);
  // The connection: all 4 app users, each once however many changes touch them.
  const reasons = checkSafety(plan([unassignUser, unassignGroup, off]), { maxRemovals: 3, allowDisableConnection: true }, live);
  assert.match(reasons[0]!, /unprovisions 4 people .*connection/);
});
