/**
 * What a plan can't read for less, computed from the simulator's own state (not from the
 * reader): the minimum number of calls (Σ ceil(size / largest page) per collection, a single
 * object counting as one page) and the critical path (the longest chain of pages that must be
 * read one after the other: a cursor page needs the previous page's link, and an app's
 * collections need the app's id).
 *
 * Largest pages are Okta's (Okta's documented page limits): apps 200, app users 500, app groups 200,
 * push mappings 1000, users 200, groups 200, group members 1000, profile mappings 200.
 */
import type { Sim } from '../src/sim/index.js';
import type { SpokeShape } from './scenarios.js';

export const LARGEST_PAGE = {
  apps: 200,
  appUsers: 500,
  appGroups: 200,
  pushMappings: 1000,
  users: 200,
  groups: 200,
  members: 1000,
  mappings: 200,
} as const;

export interface Collection {
  org: string;
  name: string;
  size: number;
  pages: number;
}

export interface PageMinimum {
  collections: Collection[];
  /** Σ pages. */
  calls: number;
  /** Pages in the longest chain of sequential reads. */
  criticalPathPages: number;
}

const pages = (size: number, largest: number): number => Math.max(1, Math.ceil(size / largest));

/**
 * `hubRead`: the config gives the Hub a read token (Hub users and pushed groups are checked);
 * `tokenCheck`: each Spoke's TOKEN connection is tested against the Hub (`/users/me`, its roles).
 */
export function computePageMinimum(
  sim: Sim,
  spokes: SpokeShape[],
  config: {
    hub: string;
    hubRead: boolean;
    tokenCheck: boolean;
    pushedNames: Record<string, string[]>;
    configLogins: Record<string, string[]>;
    /** Spokes whose config carries attributes to the Hub (none when absent). */
    attributes?: Record<string, boolean>;
  },
): PageMinimum {
  const collections: Collection[] = [];
  const add = (org: string, name: string, size: number, largest: number): void => {
    collections.push({ org, name, size, pages: pages(size, largest) });
  };
  let criticalPathPages = 0;
  const hubLogins: string[] = [];
  const hubTargets: string[] = [];
  /** Push targets whose Hub members a plan can speak of: those of a push that isn't ACTIVE already. */
  const hubMemberTargets: string[] = [];
  let hubMembersAfter = 0;
  for (const shape of spokes) {
    const org = sim.org(shape.name);
    const apps = org.apps.values().filter((a) => a.name === 'okta_org2org');
    const app = apps[0];
    add(shape.name, 'apps', apps.length, LARGEST_PAGE.apps);
    if (!app) throw new Error(`bench: ${shape.name} has no Org2Org app`);
    add(shape.name, 'connection', 1, 1);
    add(shape.name, 'features', 1, 1);
    add(shape.name, 'app-user schema', 1, 1);
    add(shape.name, 'app users', app.users.size, LARGEST_PAGE.appUsers);
    add(shape.name, 'app groups', app.groups.size, LARGEST_PAGE.appGroups);
    add(shape.name, 'push mappings', app.pushMappings.size, LARGEST_PAGE.pushMappings);
    const assignedIds = new Set(app.users.values().map((u) => u.id));
    // The Spoke vouches for a push it reports PROVISIONED + SYNCHRONIZED with the Hub user's id:
    // only the other listed users need a Hub lookup (src/state/types.ts, pushConfirmedBySpoke).
    const confirmedIds = new Set(
      app.users
        .values()
        .filter((u) => u.status === 'PROVISIONED' && u.syncState === 'SYNCHRONIZED' && u.externalId !== null)
        .map((u) => u.id),
    );
    const logins = config.configLogins[shape.name] ?? [];
    const unassigned = logins.filter((l) => !assignedIds.has(org.findUser(l)?.id ?? ''));
    if (unassigned.length > 0) add(shape.name, 'users (config logins not assigned)', unassigned.length, LARGEST_PAGE.users);
    const pushed = config.pushedNames[shape.name] ?? [];
    const groupNames = new Set([...pushed, ...app.groups.values().map((g) => org.groups.get(g.id)!.profile.name)]);
    if (groupNames.size > 0) add(shape.name, 'groups (config names)', groupNames.size, LARGEST_PAGE.groups);
    let memberChain = 0;
    for (const name of pushed) {
      const group = org.groups.values().find((g) => g.profile.name === name);
      const size = group?.members.size ?? 0;
      add(shape.name, `members of ${name}`, size, LARGEST_PAGE.members);
      memberChain = Math.max(memberChain, pages(size, LARGEST_PAGE.members));
    }
    // Chains: apps → app users pages → one lookup of the config's unassigned logins (and, in the
    // Hub, of the listed users the Spoke doesn't confirm: known only once its app users are read);
    // config group names → their members' pages.
    const unconfirmed = logins.filter((l) => !confirmedIds.has(org.findUser(l)?.id ?? ''));
    const lookupAfter = unassigned.length > 0 || (config.hubRead && unconfirmed.length > 0);
    const appChain =
      1 +
      Math.max(
        pages(app.users.size, LARGEST_PAGE.appUsers),
        pages(app.groups.size, LARGEST_PAGE.appGroups),
        pages(app.pushMappings.size, LARGEST_PAGE.pushMappings),
      ) +
      (lookupAfter ? 1 : 0);
    const groupChain = groupNames.size > 0 ? pages(groupNames.size, LARGEST_PAGE.groups) + memberChain : 0;
    criticalPathPages = Math.max(criticalPathPages, appChain, groupChain);
    hubLogins.push(...unconfirmed);
    hubTargets.push(...pushed);
    const activeSources = new Set(
      app.pushMappings
        .values()
        .filter((m) => m.status === 'ACTIVE')
        .map((m) => org.groups.get(m.sourceGroupId)?.profile.name),
    );
    hubMemberTargets.push(...pushed.filter((name) => !activeSources.has(name)));
    // Which targets need members is known once the Spoke's mappings are read: apps → mappings.
    hubMembersAfter = Math.max(hubMembersAfter, 1 + pages(app.pushMappings.size, LARGEST_PAGE.pushMappings));
    if (config.attributes?.[shape.name]) {
      // Carried attributes: the Spoke's user schema, its "Okta User → app" mapping (a list narrowed
      // to the app, then the mapping itself: the list has no properties).
      const toApp = org.mappings.values().filter((m) => m.target.id === app.id);
      add(shape.name, 'user schema', 1, 1);
      add(shape.name, 'profile mappings', toApp.length, LARGEST_PAGE.mappings);
      add(shape.name, 'profile mapping', 1, 1);
      criticalPathPages = Math.max(criticalPathPages, 1 + pages(toApp.length, LARGEST_PAGE.mappings) + 1);
    }
    if (config.tokenCheck) {
      add(`${shape.name} provisioning token`, 'users/me', 1, 1);
      add(`${shape.name} provisioning token`, 'roles', 1, 1);
      criticalPathPages = Math.max(criticalPathPages, 2);
    }
  }
  if (config.hubRead) {
    const hub = sim.org(config.hub);
    if (spokes.some((shape) => config.attributes?.[shape.name])) add(config.hub, 'user schema', 1, 1);
    if (hubLogins.length > 0) add(config.hub, 'users (listed logins the Spoke does not confirm)', hubLogins.length, LARGEST_PAGE.users);
    if (hubTargets.length > 0) {
      add(config.hub, 'groups (push targets)', hubTargets.length, LARGEST_PAGE.groups);
      let memberChain = 0;
      const byName = new Map(hub.groups.values().map((g) => [g.profile.name, g]));
      for (const name of hubMemberTargets) {
        const size = byName.get(name)?.members.size ?? 0;
        add(config.hub, `members of ${name}`, size, LARGEST_PAGE.members);
        memberChain = Math.max(memberChain, pages(size, LARGEST_PAGE.members));
      }
      const membersStart =
        memberChain > 0
          ? Math.max(pages(hubTargets.length, LARGEST_PAGE.groups), hubMembersAfter)
          : pages(hubTargets.length, LARGEST_PAGE.groups);
      criticalPathPages = Math.max(criticalPathPages, membersStart + memberChain);
    }
  }
  return { collections, calls: collections.reduce((n, c) => n + c.pages, 0), criticalPathPages };
}

/** Collections grouped for the report: per name pattern (members of N groups → one line). */
export function summarizeCollections(collections: Collection[]): { name: string; count: number; size: number; pages: number }[] {
  const out = new Map<string, { name: string; count: number; size: number; pages: number }>();
  for (const c of collections) {
    const org = c.org.endsWith(' provisioning token') ? 'provisioning tokens' : c.org === 'hub' ? 'hub' : 'spokes';
    const name = `${org}: ${c.name.startsWith('members of ') ? 'group members' : c.name}`;
    const row = out.get(name) ?? { name, count: 0, size: 0, pages: 0 };
    row.count++;
    row.size += c.size;
    row.pages += c.pages;
    out.set(name, row);
  }
  return [...out.values()];
}
