/**
 * A hand-built adoption scenario for the simulator: a Hub and two Spokes clicked together
 * "over years": 2,000 assignments (USER scope with mixed initial statuses and some security
 * questions, plus GROUP scope through assigned groups), 50 push mappings, five of which link
 * Hub groups that existed long before their mappings.
 */
import type { SeedApp, SeedGroup, SeedUser, SimSeed, Sim } from '../../src/sim/index.js';

const STATUSES = ['active_with_pass', 'active_without_pass', 'pending_with_pass', 'pending_without_pass'] as const;

export interface SpokeShape {
  name: string;
  users: number;
  /** The first `direct` users are assigned directly (scope USER). */
  direct: number;
  /** Groups assigned to the app; each covers 100 users after the direct ones (scope GROUP). */
  assignedGroups: number;
  pushed: number;
  /** Of the pushed groups, the first `linked` target an older Hub group named `Legacy <spoke> N`. */
  linked: number;
}

export const SHAPES: SpokeShape[] = [
  { name: 'emea', users: 1_200, direct: 800, assignedGroups: 3, pushed: 30, linked: 5 },
  { name: 'apac', users: 1_000, direct: 600, assignedGroups: 3, pushed: 20, linked: 0 },
];

export function adoptionSeed(shapes: SpokeShape[] = SHAPES): SimSeed {
  const hubGroups: SeedGroup[] = [];
  const orgs: SimSeed['orgs'] = {
    hub: {
      groups: hubGroups,
      tokens: {
        OKTA_HUB_READ_TOKEN: { user: 'reader@hub.example.com', roles: ['READ_ONLY_ADMIN'] },
        OKTA_HUB_PROVISIONING_TOKEN: { user: 'provisioner@hub.example.com', roles: ['SUPER_ADMIN'] },
      },
    },
  };
  const env: Record<string, string> = {
    OKTA_HUB_URL: '${orgs.hub.url}',
    OKTA_HUB_READ_TOKEN: '${orgs.hub.tokens.OKTA_HUB_READ_TOKEN}',
    OKTA_HUB_PROVISIONING_TOKEN: '${orgs.hub.tokens.OKTA_HUB_PROVISIONING_TOKEN}',
  };
  for (const s of shapes) {
    const U = s.name.toUpperCase();
    const users: SeedUser[] = [];
    for (let i = 1; i <= s.users; i++) users.push({ login: `user${i}@${s.name}.example.com`, firstName: 'User', lastName: String(i) });
    const groups: SeedGroup[] = [];
    for (let g = 0; g < s.assignedGroups; g++) {
      const from = s.direct + g * 100;
      groups.push({ name: `${s.name} staff ${g + 1}`, members: users.slice(from, from + 100).map((u) => u.login) });
    }
    const pushMappings: NonNullable<SeedApp['pushMappings']> = [];
    for (let p = 1; p <= s.pushed; p++) {
      const name = `${s.name} team ${String(p).padStart(2, '0')}`;
      // Members among the direct assignees, so pushes have someone to carry.
      groups.push({ name, members: users.slice(p * 3, p * 3 + 3).map((u) => u.login) });
      const target = p <= s.linked ? `Legacy ${s.name} ${p}` : name;
      if (p <= s.linked) hubGroups.push({ name: target });
      pushMappings.push({ source: name, target, ...(p % 10 === 0 ? { status: 'INACTIVE' as const } : {}) });
    }
    const app: SeedApp = {
      label: 'Acme Hub',
      hub: 'hub',
      connection: { token: 'hub/OKTA_HUB_PROVISIONING_TOKEN' },
      provisioning: { createUsers: true, updateUserAttributes: true, deactivateUsers: true, syncPassword: false },
      users: users.slice(0, s.direct).map((u, i) => ({
        login: u.login,
        initialStatus: STATUSES[i % 4],
        ...(i % 50 === 0 ? { securityQuestion: 'First pet?', securityAnswer: `canary-answer-${i}` } : {}),
      })),
      groups: groups.slice(0, s.assignedGroups).map((g) => g.name),
      pushMappings,
    };
    orgs[s.name] = {
      users,
      groups,
      tokens: { [`OKTA_${U}_TOKEN`]: { user: `admin@${s.name}.example.com`, roles: ['SUPER_ADMIN'] } },
      apps: [app],
    };
    env[`OKTA_${U}_URL`] = `\${orgs.${s.name}.url}`;
    env[`OKTA_${U}_TOKEN`] = `\${orgs.${s.name}.tokens.OKTA_${U}_TOKEN}`;
  }
  return { orgs, env };
}

/** The seed builds everything in one go; date the Hub's legacy groups back so they predate their mappings. */
export function ageLegacyHubGroups(sim: Sim): number {
  let aged = 0;
  for (const g of sim.org('hub').groups.values()) {
    if (g.profile.name.startsWith('Legacy ')) {
      g.created = '2019-03-01T09:00:00.000Z';
      aged++;
    }
  }
  return aged;
}

/** Every secret the sim knows: none of them may appear in export's output. */
export function secretValues(sim: Sim, seed: SimSeed): string[] {
  const values = Object.values(sim.orgs).flatMap((o) => Object.values(o.tokens));
  for (const org of Object.values(seed.orgs))
    for (const app of org.apps ?? []) for (const u of app.users ?? []) if (u.securityAnswer) values.push(u.securityAnswer);
  return values;
}
