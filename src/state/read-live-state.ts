/**
 * readLiveState(desired, clients): what the Spokes (and the Hub, when readable) hold now, for
 * the planner. Reads list endpoints at their largest pages and resolves users and groups in
 * batches, never one call per assignment; Spokes, the Hub and the collections of each are read
 * concurrently and the client's scheduler does the pacing. Okta's JSON stops here.
 */
import type { DesiredSpoke, DesiredState } from '../config/types.js';
import { Org2OrgError } from '../errors.js';
import { OktaApiError } from '../okta/errors.js';
import { suggestClosest } from '../config/did-you-mean.js';
import { ORG2ORG_APP_NAME } from './app-identity.js';
import type { OktaClient } from '../okta/types.js';
import {
  normalizeApp,
  normalizeAppGroup,
  normalizeAppUser,
  normalizeAppUserSchema,
  normalizeConnection,
  normalizeToOkta,
  normalizePushMapping,
  normalizeToApp,
} from './normalize.js';
import { checkProvisioningToken } from './check-provisioning-token.js';
import { findOrg2OrgApp } from './find-app.js';
import { carriesAttributes, readAttributeMapping, readUserSchema } from './read-attributes.js';
import { readServiceApp } from './read-service-app.js';
import {
  findGroupsById,
  fillMembers,
  findGroupsWithMembers,
  findUsersByLogin,
  memberReader,
  readAll,
  startRead,
  toDirectoryUser,
  type ReadEventSink,
} from './read-directory.js';
import type { AppUserAttributeNames } from '../config/types.js';
import {
  emptyLiveSpoke,
  pushConfirmedBySpoke,
  type DirectoryGroup,
  type DirectoryUser,
  type LiveAppUser,
  type LiveAppUserSchema,
  type LiveFeatures,
  type LiveHub,
  type LivePushMapping,
  type LiveSpoke,
  type LiveState,
  type ReadEvent,
} from './types.js';

type Json = Record<string, unknown>;

export interface LiveClients {
  hub?: OktaClient;
  spokes: Record<string, OktaClient>;
  /**
   * Spoke name → a Hub client authenticated with that Spoke's provisioning token (TOKEN
   * connections whose token is set): the token is tested against the Hub while the orgs are read.
   */
  provisioning?: Record<string, OktaClient>;
}

export interface ReadOptions {
  onEvent?: (e: ReadEvent) => void;
  /** Read only these Spokes (default: every Spoke that has a client). */
  spokes?: string[];
  /**
   * What an incremental read proved unchanged since a snapshot (src/state/incremental.ts): these
   * Spokes are taken as given (with the read notes they had) instead of read; `hub`, when given,
   * is taken as given too (only when no Spoke is read again: the Hub read depends on the Spokes').
   * They are handed over, not copied (a 50,000-user Spoke is costly to copy): they become the
   * returned state's own objects.
   */
  reuse?: {
    spokes: Record<string, { live: LiveSpoke; notes: LiveState['readProblems'] }>;
    hub?: LiveHub;
    /** The Hub's apps changed: the reused Spokes' service apps are read again too. */
    serviceApps?: boolean;
  };
  /** Filled with each read Spoke's own read notes (not its token check's), for a snapshot. */
  spokeNotes?: Map<string, LiveState['readProblems']>;
}

export { ORG2ORG_APP_NAME };

export async function readLiveState(desired: DesiredState, clients: LiveClients, options: ReadOptions = {}): Promise<LiveState> {
  const chosen = desired.spokes.filter((s) => clients.spokes[s.name] !== undefined && (!options.spokes || options.spokes.includes(s.name)));
  const notes: LiveState['readProblems'] = [];
  const tokenChecks = chosen.map((spoke) => {
    const client = clients.provisioning?.[spoke.name];
    const connection = spoke.connection;
    if (!client || connection?.authScheme !== 'TOKEN') return Promise.resolve([]);
    return checkProvisioningToken(spoke.name, connection.token.envVar, client);
  });
  const unreadable: Record<string, string> = {};
  // The Hub's lookups need each Spoke's app users only, not the rest of its read: they overlap.
  const appUsersRead = new Map(chosen.map((spoke) => [spoke.name, promiseWithResolve<LiveAppUser[]>()]));
  // The Hub's member lists are needed only where a push will replace or delete a Hub group's members.
  const mappingsRead = new Map(chosen.map((spoke) => [spoke.name, promiseWithResolve<LivePushMapping[]>()]));
  // One Spoke that can't be read (down, typo'd URL, revoked token) must not cost the others' plans.
  const serviceAppsAgain = options.reuse?.serviceApps === true;
  const readOrNote = (spoke: DesiredSpoke): Promise<LiveSpoke | undefined> => {
    const appUsers = appUsersRead.get(spoke.name)!;
    const mappings = mappingsRead.get(spoke.name)!;
    const reused = options.reuse?.spokes[spoke.name];
    if (reused) {
      appUsers.resolve(reused.live.appUsers);
      mappings.resolve(reused.live.pushMappings);
      // Service apps read again replace their notes (kept as this Spoke's, for the next snapshot).
      const kept = serviceAppsAgain ? reused.notes.filter((n) => !n.message.startsWith(SERVICE_APP_NOTE)) : reused.notes;
      notes.push(...kept);
      if (serviceAppsAgain) options.spokeNotes?.set(spoke.name, [...kept]);
      return Promise.resolve(reused.live); // handed over: the caller keeps no other use of it
    }
    const sinks: SpokeSinks = { onAppUsers: appUsers.resolve, onMappings: mappings.resolve };
    const spokeNotes: LiveState['readProblems'] = [];
    options.spokeNotes?.set(spoke.name, spokeNotes);
    // The Spoke's own notes join the others once its read ends, so a snapshot can keep them with it.
    return readSpoke(spoke, clients.spokes[spoke.name]!, desired.hub.url, spokeNotes, options.onEvent, sinks).then(
      (live) => {
        notes.push(...spokeNotes);
        return live;
      },
      (err: unknown) => {
        notes.push(...spokeNotes);
        appUsers.resolve([]);
        mappings.resolve([]);
        if (!(err instanceof Org2OrgError)) throw err;
        unreadable[spoke.name] = err.message;
        return undefined;
      },
    );
  };
  const spokesRead = Promise.all(chosen.map(readOrNote)).then((read) => read.filter((s): s is LiveSpoke => s !== undefined));
  let hubUnreadable: string | undefined;
  const hubReused = options.reuse?.hub && chosen.every((s) => options.reuse?.spokes[s.name] !== undefined) ? options.reuse.hub : undefined;
  const hubRead = hubReused
    ? Promise.resolve(hubReused)
    : clients.hub
      ? readHub(clients.hub, chosen, { appUsers: appUsersRead, mappings: mappingsRead }, options.onEvent).catch((err: unknown) => {
          // The Hub's read access is optional: without it the plan still stands, minus the Hub-side
          // checks, and minus any change that depends on which Hub it is (the planner's errors).
          if (!(err instanceof Org2OrgError)) throw err;
          notes.push({ severity: 'warning', message: `the Hub could not be read, so Hub-side checks are skipped: ${err.message}` });
          hubUnreadable = err.message;
          return undefined;
        })
      : Promise.resolve(undefined);
  const [spokes, hub, tokenNotes] = await Promise.all([spokesRead, hubRead, Promise.all(tokenChecks)]);
  notes.push(...tokenNotes.flat());
  const readAgain = chosen.filter((s) => serviceAppsAgain || options.reuse?.spokes[s.name] === undefined);
  if (clients.hub) await readServiceApps(clients.hub, clients, readAgain, spokes, notes, options.onEvent, options.spokeNotes);
  const state: LiveState = { spokes: Object.fromEntries(spokes.map((s) => [s.name, s])), readProblems: notes };
  if (Object.keys(unreadable).length > 0) state.unreadable = unreadable;
  if (hub) state.hub = hub;
  if (hubUnreadable !== undefined) state.hubUnreadable = hubUnreadable;
  return state;
}

/** Each read Spoke's service app in the Hub (OAuth connections), into its LiveSpoke; one that can't be read is a note. */
async function readServiceApps(
  hub: OktaClient,
  clients: LiveClients,
  chosen: DesiredSpoke[],
  spokes: LiveSpoke[],
  notes: LiveState['readProblems'],
  onEvent: ReadEventSink | undefined,
  spokeNotes: Map<string, LiveState['readProblems']> | undefined,
): Promise<void> {
  const readByName = new Map(spokes.map((s) => [s.name, s]));
  await Promise.all(
    chosen.map(async (spoke) => {
      const live = readByName.get(spoke.name);
      if (!live) return; // unreadable: its plan is that error
      delete live.serviceApp; // a reused Spoke's, read again
      try {
        const serviceApp = await readServiceApp(hub, clients.spokes[spoke.name]!, spoke, live, onEvent);
        if (serviceApp !== undefined) live.serviceApp = serviceApp;
      } catch (err) {
        // Left unread: the planner then refuses to plan a managed service app it can't see.
        if (!(err instanceof Org2OrgError)) throw err;
        const note = {
          spoke: spoke.name,
          severity: 'warning' as const,
          message: `${SERVICE_APP_NOTE} ${spoke.name} could not be read: ${err.message}`,
        };
        notes.push(note);
        spokeNotes?.get(spoke.name)?.push(note);
      }
    }),
  );
}

/** What the note of a service app that can't be read starts with. */
const SERVICE_APP_NOTE = "the Hub's service app of";

/**
 * What the Hub read waits for, each as soon as the Spoke has it (empty when the Spoke has no app
 * or failed): its app users, and its push mappings named.
 */
interface SpokeSinks {
  onAppUsers: (appUsers: LiveAppUser[]) => void;
  onMappings: (mappings: LivePushMapping[]) => void;
}

async function readSpoke(
  spoke: DesiredSpoke,
  client: OktaClient,
  hubUrl: string,
  notes: LiveState['readProblems'],
  onEvent: ReadEventSink | undefined,
  sinks: SpokeSinks,
): Promise<LiveSpoke> {
  const configGroupNames = [...new Set([...spoke.assignments.groups.map((g) => g.name), ...spoke.pushGroups.groups.map((g) => g.name)])];
  const groupsRead = readConfigGroups(client, spoke, configGroupNames, onEvent);
  // Awaited below; until then a failure must not count as unhandled (the app lookup may fail first).
  groupsRead.catch(() => undefined);

  // The Spoke's user schema, for the attributes the config carries (checked against it), doesn't wait for the app.
  const userSchemaRead = spoke.attributes.carry.length > 0 ? readUserSchema(client, 'user schema', onEvent) : undefined;
  userSchemaRead?.catch(() => undefined); // awaited below
  const { app, problem } = await findOrg2OrgApp(client, spoke, hubUrl, onEvent);
  const live: LiveSpoke = { ...emptyLiveSpoke(spoke.name), app: app ? normalizeApp(app) : null };
  const attributesRead = Promise.all([
    userSchemaRead,
    app && carriesAttributes(spoke) ? readAttributeMapping(client, String(app.id), onEvent) : undefined,
  ]).then(([userSchema, mapping]) => {
    if (userSchema) live.userSchema = userSchema;
    if (mapping !== undefined) live.attributeMapping = mapping;
  });
  attributesRead.catch(() => undefined); // awaited before the Spoke is returned
  if (problem !== undefined) live.appProblem = problem;
  if (!app) {
    sinks.onAppUsers([]);
    sinks.onMappings([]);
    const [users, groups] = await Promise.all([
      findUsersByLogin(
        client,
        spoke.assignments.users.map((u) => u.login),
        onEvent,
      ),
      groupsRead,
    ]);
    live.users = users;
    live.groups = groups;
    await Promise.all([
      suggestGroups(client, configGroupNames, live),
      readNewAssigneesGroups(client, spoke, live, new Set(), onEvent),
      attributesRead,
    ]);
    live.rateLimits = client.rateLimits();
    return live;
  }
  const { users, rawGroups, rawMappings } = await readAppCollections(client, spoke, String(app.id), live, onEvent);
  sinks.onAppUsers(live.appUsers);
  // Assigned users came with their Okta user: only the config's unassigned logins need a search,
  // the last step of the Spoke's longest chain (app list → app users → this): urgent, and not
  // waiting for the groups' member lists.
  const unassigned = spoke.assignments.users.map((u) => u.login).filter((l) => !(l.toLowerCase() in users));
  const usersFound = findUsersByLogin(client, unassigned, onEvent, { urgent: true });
  usersFound.catch(() => undefined); // awaited below, after the groups
  const groups = await groupsRead;
  const knownById = new Map(Object.values(groups).map((g) => [g.id, g]));
  // A mapping's targetGroupId is a group of the Spoke (the APP_GROUP standing for the Hub group,
  // as recorded traffic shows): its name, read here, is the Hub group's name.
  const unknownIds = groupIdsOf(rawGroups, rawMappings).filter((id) => !knownById.has(id));
  const [foundUsers, byId] = await Promise.all([usersFound, findGroupsById(client, unknownIds, onEvent)]);
  Object.assign(users, foundUsers);
  for (const [id, g] of byId) knownById.set(id, g);
  live.users = sortRecord(users);
  live.groups = sortRecord(groups);
  await Promise.all([
    suggestGroups(client, configGroupNames, live),
    readNewAssigneesGroups(client, spoke, live, new Set(rawGroups.map((g) => String(g.id))), onEvent),
  ]);
  nameAppGroupsAndMappings(spoke, live, rawGroups, rawMappings, knownById, notes);
  sinks.onMappings(live.pushMappings);
  await attributesRead;
  live.rateLimits = client.rateLimits();
  return live;
}

/**
 * The members of the groups the plan will newly assign, when it may also assign someone directly:
 * the plan orders each member's direct assignment before her group's (see plan-assignments). A
 * steady state assigns no new group, so reads nothing here.
 */
export async function readNewAssigneesGroups(
  client: OktaClient,
  spoke: DesiredSpoke,
  live: LiveSpoke,
  assignedGroupIds: Set<string>,
  onEvent: ReadEventSink | undefined,
): Promise<void> {
  const groups = newAssigneesGroups(spoke, live, assignedGroupIds).filter((g) => g.memberLoginKeys === undefined);
  if (groups.length > 0) await fillMembers(client, [...new Set(groups)], onEvent);
}

/** The groups whose members readNewAssigneesGroups reads (none when every config user is assigned directly). */
export function newAssigneesGroups(spoke: DesiredSpoke, live: LiveSpoke, assignedGroupIds: Set<string>): DirectoryGroup[] {
  const direct = new Set(live.appUsers.filter((u) => u.scope === 'USER').map((u) => u.loginKey));
  if (spoke.assignments.users.every((u) => direct.has(u.loginKey))) return [];
  return spoke.assignments.groups
    .map((g) => live.groups[g.name])
    .filter((g): g is DirectoryGroup => g !== undefined && !assignedGroupIds.has(g.id));
}

/** Config-named groups don't depend on the app: read at once, the pushed ones' members after them. */
function readConfigGroups(
  client: OktaClient,
  spoke: DesiredSpoke,
  names: string[],
  onEvent: ReadEventSink | undefined,
): Promise<Record<string, DirectoryGroup>> {
  const pushedNames = new Set(spoke.pushGroups.groups.map((g) => g.name));
  return findGroupsWithMembers(client, names, (g) => pushedNames.has(g.name), onEvent);
}

/**
 * The app's collections, read concurrently: connection, features, schema and app users go into
 * `live`; returned are the assigned users' directory entries (keyed by login key) and the raw
 * app groups and push mappings, which need group names before they can be normalized.
 */
async function readAppCollections(
  client: OktaClient,
  spoke: DesiredSpoke,
  appId: string,
  live: LiveSpoke,
  onEvent: ReadEventSink | undefined,
): Promise<{ users: Record<string, DirectoryUser>; rawGroups: Json[]; rawMappings: Json[] }> {
  const appPath = `/api/v1/apps/${encodeURIComponent(appId)}`;
  const schemaRead = readOne<Json>(
    client,
    `/api/v1/meta/schemas/apps/${encodeURIComponent(appId)}/default`,
    'app-user schema',
    onEvent,
  ).then((schema) => (schema ? normalizeAppUserSchema(schema) : null));
  schemaRead.catch(() => undefined); // awaited by readAppUsers and below
  const wanted = new Set(spoke.assignments.users.map((u) => u.login.toLowerCase()));
  const [connection, features, appUserSchema, assigned, rawGroups, rawMappings] = await Promise.all([
    readOne<Json>(client, `${appPath}/connections/default`, 'connection', onEvent),
    readFeatures(client, appPath, onEvent),
    schemaRead,
    readAppUsers(client, appPath, schemaRead, spoke, wanted, onEvent),
    readAll<Json>(client, `${appPath}/groups`, {}, 'app groups', onEvent),
    readPushMappings(client, appPath, onEvent),
  ]);
  live.connection = connection ? normalizeConnection(connection) : null;
  live.appUserSchema = appUserSchema;
  const toApp = features?.find((f) => f.name === 'USER_PROVISIONING');
  const inbound = features?.find((f) => f.name === 'INBOUND_PROVISIONING');
  const liveFeatures: LiveFeatures = {
    provisioningEnabled: features !== undefined,
    profileSourcing: live.app!.features.includes('PROFILE_MASTERING'),
  };
  if (toApp) liveFeatures.toApp = normalizeToApp(toApp);
  if (inbound) liveFeatures.toOkta = normalizeToOkta(inbound);
  live.features = liveFeatures;
  live.appUsers = assigned.appUsers.sort((a, b) => cmp(a.loginKey, b.loginKey));
  if (rawMappings === undefined)
    live.pushMappingsUnread = `Okta lists them only while provisioning is enabled, and the connection is ${live.connection?.status ?? 'not set'}`;
  return { users: assigned.users, rawGroups, rawMappings: rawMappings ?? [] };
}

/** App groups and push mappings normalized with their groups' names (a group the API can't read is shown by id, with a warning). */
function nameAppGroupsAndMappings(
  spoke: DesiredSpoke,
  live: LiveSpoke,
  rawGroups: Json[],
  rawMappings: Json[],
  knownById: Map<string, DirectoryGroup>,
  notes: LiveState['readProblems'],
): void {
  nameAppGroups(spoke, live, rawGroups, knownById, notes);
  nameMappings(live, rawMappings, knownById);
}

/** The app's groups, normalized with their names into `live.appGroups`; one the API can't read is a warning in `notes`. */
export function nameAppGroups(
  spoke: DesiredSpoke,
  live: LiveSpoke,
  rawGroups: Json[],
  knownById: Map<string, DirectoryGroup>,
  notes: LiveState['readProblems'],
): void {
  const answerName = spoke.assignments.attributeNames?.securityAnswer ?? live.appUserSchema?.securityAnswer;
  live.appGroups = rawGroups
    .map((g) => normalizeAppGroup(g, knownById.get(String(g.id))?.name ?? String(g.id), answerName))
    .sort((a, b) => cmp(a.name, b.name));
  for (const g of rawGroups) {
    if (!knownById.has(String(g.id)))
      notes.push({
        spoke: spoke.name,
        severity: 'warning',
        message: `${UNREADABLE_APP_GROUP} ${String(g.id)} of ${spoke.name} is not a group the API can read; it is shown by id`,
      });
  }
}

/** What the warning of an app group the API can't read starts with (an incremental read replaces those notes when it reads the app's groups again). */
export const UNREADABLE_APP_GROUP = 'app group';

/** The app's push mappings, normalized with their groups' names into `live.pushMappings`. */
export function nameMappings(live: LiveSpoke, rawMappings: Json[], knownById: Map<string, DirectoryGroup>): void {
  live.pushMappings = rawMappings
    .map((m) => {
      const source = knownById.get(String(m.sourceGroupId))?.name;
      const target = typeof m.targetGroupId === 'string' ? knownById.get(m.targetGroupId)?.name : undefined;
      return normalizePushMapping(m, { ...(source !== undefined ? { source } : {}), ...(target !== undefined ? { target } : {}) });
    })
    .sort((a, b) => cmp(a.sourceGroupName ?? a.id, b.sourceGroupName ?? b.id));
}

/** The group ids an app group list and a push mapping list name, for the names a read must find. */
export function groupIdsOf(rawGroups: Json[], rawMappings: Json[]): string[] {
  const targetIds = rawMappings.map((m) => m.targetGroupId).filter((id): id is string => typeof id === 'string' && id !== '');
  return [...new Set([...rawGroups.map((g) => String(g.id)), ...rawMappings.map((m) => String(m.sourceGroupId)), ...targetIds])];
}

/**
 * App users at 500 a page with their Okta user embedded, normalized page by page (memory stays
 * proportional to the normalized state, not to Okta's JSON). The embedded users also answer
 * "does this config login exist" for every assigned user, for free.
 */
export async function readAppUsers(
  client: OktaClient,
  appPath: string,
  schemaRead: Promise<LiveAppUserSchema | null>,
  spoke: DesiredSpoke,
  wanted: Set<string>,
  onEvent: ReadEventSink | undefined,
): Promise<{ appUsers: LiveAppUser[]; users: Record<string, DirectoryUser> }> {
  const read = startRead(client.org, 'app users', onEvent);
  const appUsers: LiveAppUser[] = [];
  const users: Record<string, DirectoryUser> = {};
  let names: Partial<AppUserAttributeNames> | undefined;
  for await (const page of client.pages<Json>(`${appPath}/users`, { expand: 'user' })) {
    // The attribute names come from the schema (read concurrently) unless the config gives them.
    names ??= { ...((await schemaRead) ?? {}), ...(spoke.assignments.attributeNames ?? {}) };
    for (const raw of page) {
      const appUser = normalizeAppUser(raw, names);
      appUsers.push(appUser);
      const embedded = (raw._embedded as Json | undefined)?.user as Json | undefined;
      if (!embedded) continue;
      const user = toDirectoryUser(embedded);
      const key = user.login.toLowerCase();
      if (!wanted.has(key)) continue;
      // The app user already holds the same id and login: keep those strings, not copies.
      if (user.id === appUser.userId) user.id = appUser.userId;
      if (user.login === appUser.login) user.login = appUser.login;
      users[key] = user;
    }
    read.progress(appUsers.length);
  }
  read.done(appUsers.length);
  return { appUsers, users };
}

/**
 * A group name the Spoke doesn't have is most often a typo: Okta's name-prefix search (`q`) on its
 * first letters finds the candidates, and the closest is suggested. Only missing names cost a
 * call, and only one page each.
 */
async function suggestGroups(client: OktaClient, names: string[], live: LiveSpoke): Promise<void> {
  const missing = names.filter((n) => !(n in live.groups));
  if (missing.length === 0) return;
  const suggestions: Record<string, string> = {};
  await Promise.all(
    missing.map(async (name) => {
      const prefix = name.slice(0, Math.min(3, name.length));
      const found = await client.get<Json[]>('/api/v1/groups', { q: prefix, limit: 50 }).catch(() => []);
      const candidates = found.map((g) => (g.profile as Json | undefined)?.name).filter((n): n is string => typeof n === 'string');
      const near = suggestClosest(name, candidates);
      if (near !== undefined && near !== name) suggestions[name] = near;
    }),
  );
  if (Object.keys(suggestions).length > 0) live.groupSuggestions = suggestions;
}

/** One object; undefined when Okta says it doesn't exist (404). */
async function readOne<T>(
  client: OktaClient,
  path: string,
  collection: string,
  onEvent: ReadEventSink | undefined,
): Promise<T | undefined> {
  const read = startRead(client.org, collection, onEvent);
  try {
    const body = await client.get<T>(path);
    read.done(1);
    return body;
  } catch (err) {
    if (err instanceof OktaApiError && err.status === 404) {
      read.done(0);
      return undefined;
    }
    throw err;
  }
}

/** Okta's answer when an app's provisioning is off: 400 E0000001 on features and push mappings. */
function provisioningOff(err: unknown): boolean {
  return err instanceof OktaApiError && err.status === 400 && err.errorCode === 'E0000001';
}

/** undefined: provisioning is not enabled on the app. */
async function readFeatures(client: OktaClient, appPath: string, onEvent: ReadEventSink | undefined): Promise<Json[] | undefined> {
  try {
    return await readAll<Json>(client, `${appPath}/features`, {}, 'features', onEvent);
  } catch (err) {
    if (provisioningOff(err)) {
      onEvent?.({ type: 'read-done', org: client.org, collection: 'features', count: 0, ms: 0 });
      return undefined;
    }
    throw err;
  }
}

/** undefined: provisioning is off, so Okta won't list them (mappings made while it was on are still there). */
export async function readPushMappings(
  client: OktaClient,
  appPath: string,
  onEvent: ReadEventSink | undefined,
): Promise<Json[] | undefined> {
  try {
    return await readAll<Json>(client, `${appPath}/group-push/mappings`, {}, 'push mappings', onEvent);
  } catch (err) {
    // 404 from orgs older than the mappings API (2025.08): no mappings.
    const off = provisioningOff(err);
    if (off || (err instanceof OktaApiError && err.status === 404)) {
      onEvent?.({ type: 'read-done', org: client.org, collection: 'push mappings', count: 0, ms: 0 });
      return off ? undefined : [];
    }
    throw err;
  }
}

/** Each Spoke's reads the Hub read waits for, by Spoke name. */
interface SpokeReads {
  appUsers: Map<string, { promise: Promise<LiveAppUser[]> }>;
  mappings: Map<string, { promise: Promise<LivePushMapping[]> }>;
}

/**
 * Hub groups for every pushed target, at once, and the members of those a push will act on
 * (hubMembersNeeded); Hub users for the listed logins whose push the Spoke does not confirm,
 * once the Spokes' app users are read (pushConfirmedBySpoke).
 */
async function readHub(
  client: OktaClient,
  spokes: DesiredSpoke[],
  reads: SpokeReads,
  onEvent: ReadEventSink | undefined,
): Promise<LiveHub> {
  const targets = spokes.flatMap((s) => s.pushGroups.groups.map((g) => g.targetName));
  // The Hub's user schema: where carried attributes land (read once for every Spoke).
  const userSchemaRead = spokes.some(carriesAttributes) ? readUserSchema(client, 'user schema', onEvent) : undefined;
  userSchemaRead?.catch(() => undefined); // awaited below
  const [users, groups] = await Promise.all([
    Promise.all(spokes.map((s) => reads.appUsers.get(s.name)!.promise)).then((appUsersOf) => {
      const logins = spokes.flatMap((s, i) => {
        const confirmed = new Set(appUsersOf[i]!.filter(pushConfirmedBySpoke).map((u) => u.loginKey));
        return s.assignments.users.filter((u) => !confirmed.has(u.loginKey)).map((u) => u.login);
      });
      // After the Spokes' app users: the last step of the Hub's longest chain, ahead of member lists.
      return findUsersByLogin(client, logins, onEvent, { urgent: true });
    }),
    readHubGroups(client, spokes, targets, reads, onEvent),
  ]);
  const hub: LiveHub = { users: sortRecord(users), groups: sortRecord(groups) };
  const userSchema = await userSchemaRead;
  if (userSchema) hub.userSchema = userSchema;
  return hub;
}

/** The target groups by name; then, once the Spokes' mappings are in, the members of those that need them. */
async function readHubGroups(
  client: OktaClient,
  spokes: DesiredSpoke[],
  targets: string[],
  reads: SpokeReads,
  onEvent: ReadEventSink | undefined,
): Promise<Record<string, DirectoryGroup>> {
  const [groups, mappingsOf] = await Promise.all([
    findGroupsWithMembers(client, targets, () => false, onEvent),
    Promise.all(spokes.map((s) => reads.mappings.get(s.name)!.promise)),
  ]);
  const needed = hubMembersNeeded(spokes, mappingsOf);
  const members = memberReader(client, onEvent);
  members.add(Object.values(groups).filter((g) => needed.has(g.name)));
  await members.done();
  return groups;
}

/**
 * The Hub groups whose members the plan can speak of: every target except those of an ACTIVE
 * mapping that stays as it is. A new or linked push replaces the Hub group's members, activating
 * one pushes it whole again, and a removal with deleteTarget deletes them; an ACTIVE mapping that
 * stays changes nothing in the Hub, so its members (usually most of a steady state's requests)
 * are not read.
 */
export function hubMembersNeeded(spokes: DesiredSpoke[], mappingsOf: LivePushMapping[][]): Set<string> {
  const needed = new Set<string>();
  spokes.forEach((spoke, i) => {
    // Source and target both: a mapping whose Hub group the file now names differently is not "as it is".
    const pair = (source: string, target: string): string => `${source}\u0000${target}`;
    const active = new Set(
      mappingsOf[i]!.filter((m) => m.status === 'ACTIVE').map((m) => pair(m.sourceGroupName ?? '', m.targetGroupName ?? '')),
    );
    for (const g of spoke.pushGroups.groups) {
      if (g.remove || g.status !== 'ACTIVE' || !active.has(pair(g.name, g.targetName))) needed.add(g.targetName);
    }
  });
  return needed;
}

/** A promise and its resolve function (Promise.withResolvers is Node 22). */
function promiseWithResolve<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => cmp(a, b)));
}
