/**
 * The per-object part of an incremental read (src/state/incremental.ts): what one org's new System
 * Log events say changed, and a Spoke or the Hub of a snapshot brought up to date by reading only
 * that — each touched app user, each group whose members moved, the app's group or push-mapping
 * list when one of them moved — so that a plan costs a few calls per changed object, not a page per
 * 500 objects of the org.
 *
 * Equality with a full read is the invariant: every field of the LiveSpoke and LiveHub a full read
 * would produce is either read again here or provably unchanged (no event names it). Where that
 * can't be shown cheaply (an app's settings, a group created, renamed or deleted, a schema), the org
 * is read whole. The property test (test/state/incremental-property.test.ts) holds this to a full
 * read after every step of random console changes and applies.
 *
 * What the read relies on, and what it doesn't:
 * - It relies on every write being logged in the org it was made in, within the overlap.
 * - It does not rely on Okta logging one app-user event per member when a group is assigned, or
 *   when an assigned group's members change: the group's events make it look at those users itself.
 * - It does not rely on a provisioning outcome being logged: an app user the snapshot shows in
 *   flight (SYNCING) is read again until it lands.
 */
import type { DesiredSpoke } from '../config/types.js';
import { OktaApiError } from '../okta/errors.js';
import type { OktaClient } from '../okta/types.js';
import {
  findGroupsById,
  findUsersByLogin,
  fillMembers,
  readAll,
  readMemberIds,
  readUserGroupIds,
  toDirectoryUser,
  type ReadEventSink,
} from './read-directory.js';
import { normalizeAppUser } from './normalize.js';
import {
  cmp,
  groupIdsOf,
  hubMembersNeeded,
  nameAppGroups,
  nameMappings,
  readAppUsers,
  newAssigneesGroups,
  readPushMappings,
  sortRecord,
  UNREADABLE_APP_GROUP,
} from './read-live-state.js';
import {
  pushConfirmedBySpoke,
  type DirectoryGroup,
  type DirectoryUser,
  type LiveAppUser,
  type LiveHub,
  type LiveSpoke,
  type LiveState,
} from './types.js';

type Json = Record<string, unknown>;

/** One System Log event, as much of it as the read needs. */
export interface LogEntry {
  uuid: string;
  published: string;
  eventType: string;
  targets: { id: string; type: string }[];
}

/** What one org's new events say changed. */
export interface OrgChanges {
  /** Why the org must be read whole; undefined when the objects below are all that changed. */
  whole?: string;
  /** Users whose app user may have changed (Spoke: assignment, provisioning, the user itself). */
  appUsers: Set<string>;
  /** Users that changed themselves (status, login, deletion): their group memberships are looked at. */
  users: Set<string>;
  /** Groups whose members changed. */
  memberGroups: Set<string>;
  /** Groups assigned to or unassigned from the app (Spoke). */
  assignedGroups: Set<string>;
  /** The app's push mappings changed (Spoke). */
  mappings: boolean;
  /** An app of the org changed (Hub: the Spokes' service apps are read again). */
  apps: boolean;
}

export function noChanges(): OrgChanges {
  return { appUsers: new Set(), users: new Set(), memberGroups: new Set(), assignedGroups: new Set(), mappings: false, apps: false };
}

/**
 * Event types that change nothing a plan reads: sign-ins, sessions, factors, authorizations and
 * token grants, messages sent, threat and rate-limit notices (org2org's own reads can cause those),
 * identity providers (read only by `rotate-keys`). A busy org logs these by the thousand between
 * two plans; any type not here and not scoped below means a full read.
 */
const NEUTRAL = new RegExp(
  [
    '^user\\.session\\.',
    '^user\\.authentication\\.',
    '^user\\.mfa\\.',
    '^policy\\.evaluate_sign_on$',
    '^app\\.oauth2\\.(as\\.)?(token|authorize)\\.',
    '^system\\.(email|sms|voice|push)\\.',
    '^system\\.(org|operation)\\.rate_limit\\.',
    '^security\\.(threat|request)\\.',
    '^system\\.idp\\.',
  ].join('|'),
);

const ids = (e: LogEntry, type: string): string[] => e.targets.filter((t) => t.type === type).map((t) => t.id);

/**
 * What `events` (new since the snapshot) say changed in one org; `{ unknown }` when an event's type
 * is one this read can't scope (the whole read is then a full one). `appId`: the Spoke's Org2Org
 * app (events of other apps' memberships are not about it); undefined for the Hub.
 */
export function classify(org: string, isHub: boolean, appId: string | undefined, events: LogEntry[]): OrgChanges | { unknown: string } {
  const changes = noChanges();
  const whole = (why: string): void => {
    changes.whole ??= why;
  };
  for (const e of events) {
    const type = e.eventType;
    if (NEUTRAL.test(type)) continue;
    const users = ids(e, 'User');
    if (/^user\.(lifecycle|account)\./.test(type)) {
      if (users.length === 0) whole(`${type} without a user`);
      for (const id of users) {
        changes.users.add(id);
        changes.appUsers.add(id);
      }
      continue;
    }
    if (/^group\.user_membership\./.test(type)) {
      const groups = ids(e, 'UserGroup');
      if (users.length === 0 || groups.length === 0) whole(`${type} without its user and group`);
      for (const id of users) {
        // Membership in an assigned group makes or removes an app user; its status and login are the user's own.
        changes.appUsers.add(id);
      }
      for (const id of groups) changes.memberGroups.add(id);
      continue;
    }
    if (/^group\.(lifecycle|profile)\./.test(type)) {
      whole(`a group was created, renamed or deleted (${type})`);
      continue;
    }
    // A user schema, an app-user schema or a profile mapping: what carried attributes are checked against.
    if (/^directory\.(user_profile|app_user_profile|mapping)\./.test(type)) {
      whole(`a schema or a profile mapping changed (${type})`);
      continue;
    }
    const apps = ids(e, 'AppInstance');
    if (isHub) {
      // The Hub's apps matter only as the Spokes' service apps; assignments to them are not read.
      if (/^(application\.user_membership\.|group\.application_assignment\.)/.test(type)) continue;
      // Only an app's lifecycle, its OAuth client and its roles are part of a service app; any other
      // app event (a schema, a mapping) may be something else a Spoke's read holds, so it is not scoped.
      if (/^(application\.lifecycle\.|app\.oauth2\.|app\.keys\.|iam\.)/.test(type)) {
        changes.apps = true;
        continue;
      }
      return { unknown: `${org}: event type ${JSON.stringify(type)} is not one the incremental read can scope` };
    }
    const ours = appId !== undefined && apps.includes(appId);
    if (/^(application\.user_membership\.|application\.provision\.user\.)/.test(type)) {
      if (apps.length > 0 && !ours) continue; // another app's user
      if (users.length === 0) whole(`${type} without a user`);
      for (const id of users) changes.appUsers.add(id);
      continue;
    }
    if (/^group\.application_assignment\./.test(type)) {
      if (apps.length > 0 && !ours) continue;
      const groups = ids(e, 'UserGroup');
      if (groups.length === 0) whole(`${type} without a group`);
      for (const id of groups) changes.assignedGroups.add(id);
      continue;
    }
    if (/^application\.provision\.group_push\./.test(type)) {
      if (apps.length > 0 && !ours) continue;
      changes.mappings = true;
      continue;
    }
    if (/^(application\.|app\.keys\.)/.test(type)) {
      // An app's settings, features, connection, keys, lifecycle — or another Org2Org app appearing: read whole.
      whole(`an app changed (${type})`);
      continue;
    }
    return { unknown: `${org}: event type ${JSON.stringify(type)} is not one the incremental read can scope` };
  }
  return changes;
}

/** A Spoke that turned out, while being brought up to date, to need a whole read (the caller reads it whole). */
export class WholeReadNeeded extends Error {}

/** Why a Spoke of the snapshot can't be brought up to date object by object; undefined when it can. */
export function spokeNeedsWholeRead(kept: LiveSpoke, changes: OrgChanges): string | undefined {
  if (changes.whole !== undefined) return changes.whole;
  if (kept.app === null || kept.appProblem !== undefined) return 'no Org2Org app to follow';
  if (kept.pushMappingsUnread !== undefined || kept.features?.provisioningEnabled === false) return 'provisioning is off';
  return undefined;
}

/**
 * The Spoke `kept` (from the snapshot, with the read notes it had) brought up to date with
 * `changes`: only the touched objects are read. The result is what a full read would give.
 */
export async function patchSpoke(
  spoke: DesiredSpoke,
  client: OktaClient,
  kept: { live: LiveSpoke; notes: LiveState['readProblems'] },
  changes: OrgChanges,
  onEvent: ReadEventSink | undefined,
): Promise<{ live: LiveSpoke; notes: LiveState['readProblems'] }> {
  // A shallow copy: the lists below are replaced, never changed in place, so the snapshot's stay as they were
  // (the Hub's patch compares before and after); only the groups, whose member lists are, are copied whole.
  const live: LiveSpoke = { ...kept.live, groups: structuredClone(kept.live.groups) };
  let notes = kept.notes;
  const appId = live.app!.id;
  const appPath = `/api/v1/apps/${encodeURIComponent(appId)}`;
  const wanted = new Set(spoke.assignments.users.map((u) => u.loginKey));

  // Users whose app user is read again: the events', those a group's (un)assignment touches, and those in flight.
  const touched = new Set(changes.appUsers);
  for (const u of live.appUsers) if (u.syncState === 'SYNCING') touched.add(u.userId);
  const assignedRead = [...changes.assignedGroups].map(async (groupId) => {
    const members = await readMemberIds(client, groupId);
    // A deleted group has a lifecycle event of its own (a whole read); without one, its former members
    // are found among the app users it scoped.
    for (const id of members ?? []) touched.add(id);
    if (members === undefined) for (const u of live.appUsers) if (u.scope === 'GROUP') touched.add(u.userId);
  });
  const mappingsMoved = changes.mappings || [...changes.memberGroups].some((id) => live.pushMappings.some((m) => m.sourceGroupId === id));
  const [rawGroups, rawMappings] = await Promise.all([
    changes.assignedGroups.size > 0 ? readAll<Json>(client, `${appPath}/groups`, {}, 'app groups', onEvent) : undefined,
    mappingsMoved ? readPushMappings(client, appPath, onEvent) : undefined,
    Promise.all(assignedRead),
  ]);
  // Okta lists mappings only while provisioning is on; turning it off is an app event, but if it is off anyway, read whole.
  if (mappingsMoved && rawMappings === undefined) throw new WholeReadNeeded('provisioning is off');

  // App users: one by one, or the whole list when that is fewer pages than users.
  const names = { ...(live.appUserSchema ?? {}), ...(spoke.assignments.attributeNames ?? {}) };
  const fresh = new Map<string, DirectoryUser>(); // login key → the Okta user embedded with a re-read app user
  const pages = Math.ceil(live.appUsers.length / 500) + 1;
  if (touched.size > pages) {
    const all = await readAppUsers(client, appPath, Promise.resolve(live.appUserSchema), spoke, wanted, onEvent);
    live.appUsers = all.appUsers.sort((a, b) => cmp(a.loginKey, b.loginKey));
    for (const [key, user] of Object.entries(all.users)) fresh.set(key, user);
    // Every app user was read: those not in the list are gone, and their users are looked up below.
    for (const id of live.appUsers.map((u) => u.userId)) touched.add(id);
    for (const u of kept.live.appUsers) touched.add(u.userId);
  } else if (touched.size > 0) {
    const byId = new Map(live.appUsers.map((u) => [u.userId, u]));
    await Promise.all(
      [...touched].map(async (userId) => {
        const raw = await getAppUser(client, appPath, userId);
        if (raw === undefined) {
          byId.delete(userId);
          return;
        }
        const appUser = normalizeAppUser(raw, names);
        byId.set(userId, appUser);
        const embedded = (raw._embedded as Json | undefined)?.user as Json | undefined;
        if (embedded) {
          const user = toDirectoryUser(embedded);
          if (wanted.has(user.login.toLowerCase())) fresh.set(user.login.toLowerCase(), user);
        }
      }),
    );
    live.appUsers = [...byId.values()].sort((a, b) => cmp(a.loginKey, b.loginKey));
  }

  // The config's users: from the app users' embedded users, else looked up — again only where something changed.
  const keptUsers = kept.live.users;
  const users: Record<string, DirectoryUser> = {};
  for (const u of live.appUsers) {
    if (!wanted.has(u.loginKey)) continue;
    const user = touched.has(u.userId) ? fresh.get(u.loginKey) : keptUsers[u.loginKey];
    if (user) users[u.loginKey] = user;
  }
  const search: string[] = [];
  for (const login of spoke.assignments.users.map((u) => u.login)) {
    const key = login.toLowerCase();
    if (key in users) continue;
    const was = keptUsers[key];
    const stale = was
      ? touched.has(was.id) || changes.users.has(was.id) || kept.live.appUsers.some((u) => u.loginKey === key)
      : changes.users.size > 0; // a login absent before appears only by a user's own event (created, renamed)
    if (stale) search.push(login);
    else if (was) users[key] = was;
  }
  Object.assign(users, await findUsersByLogin(client, search, onEvent));
  live.users = sortRecord(users);

  // App groups and push mappings read again are named the way a full read names them.
  if (rawGroups !== undefined || rawMappings !== undefined) {
    const knownById = new Map(Object.values(live.groups).map((g) => [g.id, g]));
    const unknown = groupIdsOf(rawGroups ?? [], rawMappings ?? []).filter((id) => !knownById.has(id));
    for (const [id, g] of await findGroupsById(client, unknown, onEvent)) knownById.set(id, g);
    if (rawGroups !== undefined) {
      const groupNotes: LiveState['readProblems'] = [];
      nameAppGroups(spoke, live, rawGroups, knownById, groupNotes);
      notes = [...notes.filter((n) => !n.message.startsWith(`${UNREADABLE_APP_GROUP} `)), ...groupNotes];
    }
    if (rawMappings !== undefined) nameMappings(live, rawMappings, knownById);
  }

  // Member lists: read again where members moved (or a member changed), dropped where a full read wouldn't have them.
  const membered = Object.values(live.groups).filter((g) => g.memberLoginKeys !== undefined);
  const dirty = new Set([...changes.memberGroups].filter((id) => membered.some((g) => g.id === id)));
  if (membered.length > 0 && changes.users.size > 0) {
    await Promise.all(
      [...changes.users].map(async (userId) => {
        const groupIds = await readUserGroupIds(client, userId);
        // A deleted user's former groups can't be asked: every member list is read again.
        for (const g of membered) if (groupIds === undefined || groupIds.includes(g.id)) dirty.add(g.id);
      }),
    );
  }
  // Which lists a full read would hold: the pushed groups', and those of groups the plan will newly assign.
  const pushed = new Set(spoke.pushGroups.groups.map((g) => g.name));
  const assignedIds = new Set(live.appGroups.map((g) => g.groupId));
  const assignees = new Set(newAssigneesGroups(spoke, live, assignedIds));
  const refill: DirectoryGroup[] = [];
  for (const group of Object.values(live.groups)) {
    if (dirty.has(group.id) || !(pushed.has(group.name) || assignees.has(group))) {
      delete group.memberLoginKeys;
      delete group.inactiveMemberLoginKeys;
    }
    if ((pushed.has(group.name) || assignees.has(group)) && group.memberLoginKeys === undefined) refill.push(group);
  }
  await fillMembers(client, refill, onEvent);
  return { live, notes };
}

async function getAppUser(client: OktaClient, appPath: string, userId: string): Promise<Json | undefined> {
  try {
    return await client.get<Json>(`${appPath}/users/${encodeURIComponent(userId)}`, { expand: 'user' });
  } catch (err) {
    if (err instanceof OktaApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** The Hub's logins a read looks up: the config's users whose push their Spoke does not confirm. */
function hubLogins(spokes: DesiredSpoke[], appUsersOf: (name: string) => LiveAppUser[]): Map<string, string> {
  const logins = new Map<string, string>();
  for (const s of spokes) {
    const confirmed = new Set(
      appUsersOf(s.name)
        .filter(pushConfirmedBySpoke)
        .map((u) => u.loginKey),
    );
    for (const u of s.assignments.users) if (!confirmed.has(u.loginKey) && !logins.has(u.loginKey)) logins.set(u.loginKey, u.login);
  }
  return logins;
}

/**
 * The Hub of the snapshot brought up to date: the users a full read would look up (from the
 * Spokes as they are now, `now`, and as they were, `before`), and the target groups' members where
 * a full read reads them. Only logins new to the lookup, or whose Hub user changed, are searched.
 */
export async function patchHub(
  client: OktaClient,
  spokes: DesiredSpoke[],
  kept: LiveHub,
  before: Record<string, LiveSpoke>,
  now: Record<string, LiveSpoke>,
  changes: OrgChanges,
  onEvent: ReadEventSink | undefined,
): Promise<LiveHub> {
  const hub: LiveHub = { ...kept, groups: structuredClone(kept.groups) };
  const wasLooked = hubLogins(spokes, (n) => before[n]?.appUsers ?? []);
  const looked = hubLogins(spokes, (n) => now[n]?.appUsers ?? []);
  const users: Record<string, DirectoryUser> = {};
  const search: string[] = [];
  for (const [key, login] of looked) {
    const was = kept.users[key];
    // A login absent from the Hub appears only by a user's own event (created, renamed).
    const stale = !wasLooked.has(key) || (was ? changes.users.has(was.id) : changes.users.size > 0);
    if (stale) search.push(login);
    else if (was) users[key] = was;
  }
  Object.assign(users, await findUsersByLogin(client, search, onEvent, { urgent: true }));
  hub.users = sortRecord(users);

  const needed = hubMembersNeeded(
    spokes,
    spokes.map((s) => now[s.name]?.pushMappings ?? []),
  );
  const anyMembers = Object.values(hub.groups).some((g) => g.memberLoginKeys !== undefined);
  const refill: DirectoryGroup[] = [];
  for (const group of Object.values(hub.groups)) {
    // A member's status or login is part of a member list: a user event reads every list again (few are read at all).
    const dirty = changes.memberGroups.has(group.id) || (anyMembers && changes.users.size > 0);
    if (dirty || !needed.has(group.name)) {
      delete group.memberLoginKeys;
      delete group.inactiveMemberLoginKeys;
    }
    if (needed.has(group.name) && group.memberLoginKeys === undefined) refill.push(group);
  }
  await fillMembers(client, refill, onEvent);
  return hub;
}
