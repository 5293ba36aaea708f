/**
 * Okta's documented Group Push pitfalls as plan diagnostics (issue 23 item 5; Okta help,
 * "Troubleshooting Group Push"): the same group assigned and pushed is a warning citing the rule;
 * inactive members of a pushed group are a note with their count.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPlan } from '../../src/plan/create-plan.js';
import type { Plan } from '../../src/plan/types.js';
import type { LiveSpoke } from '../../src/state/types.js';
import { desiredFromJson } from '../builders/desired.js';
import { liveApp, liveAppUser, liveSpoke, liveState } from '../builders/live.js';

const HUB = 'https://acme.okta.com';
const LIVE_APP = liveApp(HUB);

function plan(spoke: Record<string, unknown>, live: LiveSpoke): Plan {
  return createPlan(desiredFromJson({ hub: { url: HUB }, spokes: [{ name: 'emea', ...spoke }] }), liveState([live]), {
    maxApiCapacity: 0.5,
    toolVersion: '0.1.0-test',
  });
}

const messages = (p: Plan): string[] => p.spokes[0]!.diagnostics.map((d) => d.message);

describe('plan diagnostics for Okta’s Group Push pitfalls', () => {
  const live = liveSpoke('emea', {
    app: LIVE_APP,
    groups: {
      Sales: {
        id: 'g-sales',
        name: 'Sales',
        memberLoginKeys: ['a@x.com', 'gone@x.com', 'off@x.com'],
        inactiveMemberLoginKeys: ['gone@x.com', 'off@x.com'],
      },
      Eng: { id: 'g-eng', name: 'Eng', memberLoginKeys: ['a@x.com'], inactiveMemberLoginKeys: [] },
    },
    appUsers: [liveAppUser('a@x.com')],
  });

  test('a group the file both assigns and pushes: a warning citing Okta’s rule, at the config line', () => {
    const p = plan({ assignments: { groups: [{ name: 'Eng' }] }, pushGroups: { groups: [{ name: 'Eng' }] } }, live);
    const warning = p.spokes[0]!.diagnostics.find((d) => /both assigned to the app and pushed/.test(d.message));
    assert.ok(warning, messages(p).join('\n'));
    assert.equal(warning.severity, 'warning');
    assert.match(warning.message, /Okta does not support using the same group for assignment and Group Push/);
    assert.match(warning.message, /Troubleshooting Group Push/);
    assert.equal(warning.address, 'spoke.emea.pushMapping["Eng"]');
  });

  test('a pushed group assigned live (additive, so it stays assigned) warns too; a different group does not', () => {
    const assignedLive = { ...live, appGroups: [{ groupId: 'g-eng', name: 'Eng', profile: {}, fingerprint: 'fg-eng' }] };
    assert.ok(messages(plan({ pushGroups: { groups: [{ name: 'Eng' }] } }, assignedLive)).some((m) => /both assigned/.test(m)));
    const separate = plan({ assignments: { groups: [{ name: 'Sales' }] }, pushGroups: { groups: [{ name: 'Eng' }] } }, live);
    assert.equal(
      messages(separate).some((m) => /both assigned/.test(m)),
      false,
    );
  });

  test('inactive members of a pushed group: one note with the count', () => {
    const p = plan({ assignments: { users: [{ login: 'a@x.com' }] }, pushGroups: { groups: [{ name: 'Sales' }] } }, live);
    const notes = p.spokes[0]!.notes ?? [];
    const note = notes.find((n) => /inactive/.test(n));
    assert.ok(note, JSON.stringify(p.spokes[0]));
    assert.match(note, /^Sales: 2 members are inactive in the Spoke .* Group Push skips inactive users/);
    const none = plan({ pushGroups: { groups: [{ name: 'Eng' }] } }, live);
    assert.equal(
      (none.spokes[0]!.notes ?? []).some((n) => /inactive/.test(n)),
      false,
    );
  });
});
