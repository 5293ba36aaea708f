/**
 * Users and groups looked up by login, name or id in batches: one search with OR-ed terms per
 * chunk instead of one call per object, so that a config naming thousands of users costs
 * thousands / BATCH calls — and parallel CI jobs stay inside the Hub's user and group buckets.
 */
import { OktaApiError } from '../okta/errors.js';
import { shared } from './normalize.js';
import type { ListOptions, OktaClient } from '../okta/types.js';
import type { DirectoryGroup, DirectoryUser, ReadEvent } from './types.js';

/** Terms per search: keeps the URL around 3–4 KB even with long logins. */
export const BATCH = 50;

type Json = Record<string, unknown>;
export type ReadEventSink = (e: ReadEvent) => void;

/** One read reported as one collection: 'read-start' now, then progress and one 'read-done' timed from now. */
export interface CollectionRead {
  progress(count: number): void;
  done(count: number): void;
}

export function startRead(org: string, collection: string, onEvent: ReadEventSink | undefined): CollectionRead {
  const started = Date.now();
  onEvent?.({ type: 'read-start', org, collection });
  return {
    progress: (count) => onEvent?.({ type: 'read-progress', org, collection, count }),
    done: (count) => onEvent?.({ type: 'read-done', org, collection, count, ms: Date.now() - started }),
  };
}

/** An Okta expression string literal. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Every page of a list endpoint, with read events for the UI. */
export async function readAll<T>(
  client: OktaClient,
  path: string,
  query: Record<string, string | number | undefined>,
  collection: string,
  onEvent: ReadEventSink | undefined,
): Promise<T[]> {
  const read = startRead(client.org, collection, onEvent);
  const items: T[] = [];
  for await (const page of client.pages<T>(path, query)) {
    items.push(...page);
    read.progress(items.length);
  }
  read.done(items.length);
  return items;
}

/** Many searches of one endpoint run concurrently (the client paces them), reported as one collection. */
async function readBatches(
  client: OktaClient,
  path: string,
  queries: Record<string, string>[],
  collection: string,
  onEvent: ReadEventSink | undefined,
  options: ListOptions = {},
  /** Told each search's results (and its index in `queries`) once all its pages are in. */
  onQuery?: (items: Json[], index: number) => void,
): Promise<Json[]> {
  if (queries.length === 0) return [];
  const read = startRead(client.org, collection, onEvent);
  let count = 0;
  const results = await Promise.all(
    queries.map(async (query, index) => {
      const items: Json[] = [];
      for await (const page of client.pages<Json>(path, query, options)) {
        items.push(...page);
        count += page.length;
        read.progress(count);
      }
      onQuery?.(items, index);
      return items;
    }),
  );
  const all = results.flat();
  read.done(all.length);
  return all;
}

export function toDirectoryUser(user: Json): DirectoryUser {
  const profile = (user.profile ?? {}) as Json;
  return { id: String(user.id), login: String(profile.login ?? ''), status: shared(String(user.status ?? 'UNKNOWN')) };
}

/** Every group of the org by name; of two with one name, an OKTA_GROUP wins over other types. */
export async function readGroupsByName(client: OktaClient, onEvent?: ReadEventSink): Promise<Map<string, DirectoryGroup>> {
  const byName = new Map<string, DirectoryGroup>();
  for (const raw of await readAll<Json>(client, '/api/v1/groups', { limit: 200 }, 'groups', onEvent)) {
    const group = toDirectoryGroup(raw);
    if (byName.has(group.name) && raw.type !== 'OKTA_GROUP') continue;
    byName.set(group.name, group);
  }
  return byName;
}

function toDirectoryGroup(group: Json): DirectoryGroup {
  const profile = (group.profile ?? {}) as Json;
  return {
    id: String(group.id),
    name: String(profile.name ?? ''),
    ...(typeof group.created === 'string' ? { created: group.created } : {}),
  };
}

/**
 * Users by login (`search=profile.login eq "a" or …`), keyed by login key; missing logins are
 * absent. `options.urgent` when the lookup is the last step of a read (see OktaClient.pages).
 */
export async function findUsersByLogin(
  client: OktaClient,
  logins: string[],
  onEvent?: ReadEventSink,
  options: ListOptions = {},
): Promise<Record<string, DirectoryUser>> {
  const unique = [...new Map(logins.map((l) => [l.toLowerCase(), l])).values()];
  const queries = chunk(unique, BATCH).map((part) => ({ search: part.map((l) => `profile.login eq ${quote(l)}`).join(' or ') }));
  const found = await readBatches(client, '/api/v1/users', queries, 'users', onEvent, options);
  const wanted = new Set(unique.map((l) => l.toLowerCase()));
  const out: Record<string, DirectoryUser> = {};
  for (const raw of found) {
    const user = toDirectoryUser(raw);
    const key = user.login.toLowerCase();
    if (wanted.has(key)) out[key] = user;
  }
  return out;
}

/**
 * One user by login (`GET /api/v1/users/{login}`, which Okta reads from the user store, not the
 * search index); undefined when Okta answers 404. Okta's spec warns that search results can trail
 * writes, so a login a search missed right after a write is looked up this way before it is
 * called missing.
 */
export async function getUserByLogin(client: OktaClient, login: string): Promise<DirectoryUser | undefined> {
  try {
    const user = await client.get<Json>(`/api/v1/users/${encodeURIComponent(login)}`);
    const found = toDirectoryUser(user);
    return found.login.toLowerCase() === login.toLowerCase() ? found : undefined;
  } catch (err) {
    if (err instanceof OktaApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** Groups by exact name (`search=profile.name eq "…" or …`), keyed by name. */
export async function findGroupsByName(
  client: OktaClient,
  names: string[],
  onEvent?: ReadEventSink,
): Promise<Record<string, DirectoryGroup>> {
  return findGroupsWithMembers(client, names, () => false, onEvent);
}

/**
 * Groups by exact name, keyed by name, with the members of those `withMembers` picks: each
 * search's groups have their members asked for as soon as that search answers, not after the last.
 */
export async function findGroupsWithMembers(
  client: OktaClient,
  names: string[],
  withMembers: (group: DirectoryGroup) => boolean,
  onEvent?: ReadEventSink,
): Promise<Record<string, DirectoryGroup>> {
  const unique = [...new Set(names)];
  const queries = chunk(unique, BATCH).map((part) => ({ search: part.map((n) => `profile.name eq ${quote(n)}`).join(' or ') }));
  const wanted = new Set(unique);
  const byQuery: Record<string, DirectoryGroup>[] = [];
  const members = memberReader(client, onEvent);
  // A name is searched by one query only, so each query's answer settles its names.
  const settle = (found: Json[], index: number): void => {
    const mine: Record<string, DirectoryGroup> = {};
    for (const raw of found) {
      const group = toDirectoryGroup(raw);
      // An OKTA_GROUP wins over an APP_GROUP of the same name (that is what config names mean).
      if (wanted.has(group.name) && (!(group.name in mine) || raw.type === 'OKTA_GROUP')) mine[group.name] = group;
    }
    byQuery[index] = mine;
    members.add(Object.values(mine).filter(withMembers));
  };
  await readBatches(client, '/api/v1/groups', queries, 'groups', onEvent, {}, settle);
  await members.done();
  // In the order of the searches, whichever answered first.
  return Object.assign({}, ...byQuery) as Record<string, DirectoryGroup>;
}

/** Groups by id (`filter=id eq "…" or …`), keyed by id. */
export async function findGroupsById(client: OktaClient, ids: string[], onEvent?: ReadEventSink): Promise<Map<string, DirectoryGroup>> {
  const unique = [...new Set(ids)];
  const queries = chunk(unique, BATCH).map((part) => ({ filter: part.map((id) => `id eq ${quote(id)}`).join(' or ') }));
  const found = await readBatches(client, '/api/v1/groups', queries, 'groups by id', onEvent);
  return new Map(found.map((raw) => [String(raw.id), toDirectoryGroup(raw)]));
}

/** Login keys of a group's members (`/groups/{id}/users`, 1000 a page). */
export async function readMemberLoginKeys(client: OktaClient, groupId: string): Promise<string[]> {
  return (await readMembers(client, groupId)).keys;
}

/** User statuses Okta's Group Push skips ("inactive users are skipped", Okta help "Troubleshooting Group Push"). */
export const INACTIVE_USER_STATUSES: ReadonlySet<string> = new Set(['DEPROVISIONED', 'SUSPENDED']);

/** A group's members: all login keys, and those of inactive users. */
async function readMembers(client: OktaClient, groupId: string): Promise<{ keys: string[]; inactive: string[] }> {
  const keys: string[] = [];
  const inactive: string[] = [];
  for await (const page of client.pages<Json>(`/api/v1/groups/${encodeURIComponent(groupId)}/users`)) {
    for (const raw of page) {
      const user = toDirectoryUser(raw);
      keys.push(user.login.toLowerCase());
      if (INACTIVE_USER_STATUSES.has(user.status)) inactive.push(user.login.toLowerCase());
    }
  }
  return { keys: keys.sort(), inactive: inactive.sort() };
}

/** Members of several groups, concurrently, reported as one collection. */
export async function fillMembers(client: OktaClient, groups: DirectoryGroup[], onEvent?: ReadEventSink): Promise<void> {
  const members = memberReader(client, onEvent);
  members.add(groups);
  await members.done();
}

/** Fills `memberLoginKeys` of the groups it is given, as they come, reported as one collection 'group members'. */
export function memberReader(
  client: OktaClient,
  onEvent: ReadEventSink | undefined,
): { add: (groups: DirectoryGroup[]) => void; done: () => Promise<void> } {
  // Reported from the first group given: a config that reads no members shows no such collection.
  let read: CollectionRead | undefined;
  let count = 0;
  const reads: Promise<void>[] = [];
  const add = (groups: DirectoryGroup[]): void => {
    if (groups.length === 0) return;
    const members = (read ??= startRead(client.org, 'group members', onEvent));
    for (const group of groups) {
      const reading = readMembers(client, group.id).then(({ keys, inactive }) => {
        group.memberLoginKeys = keys;
        group.inactiveMemberLoginKeys = inactive;
        count += keys.length;
        members.progress(count);
      });
      reading.catch(() => undefined); // awaited by done()
      reads.push(reading);
    }
  };
  const done = async (): Promise<void> => {
    await Promise.all(reads);
    read?.done(count);
  };
  return { add, done };
}

/** Ids of a group's members (`/groups/{id}/users`, 1000 a page); undefined when the group is gone (404). */
export function readMemberIds(client: OktaClient, groupId: string): Promise<string[] | undefined> {
  return readIds(client, `/api/v1/groups/${encodeURIComponent(groupId)}/users`);
}

/** Ids of the groups a user is a member of (`/users/{id}/groups`); undefined when the user is gone (404). */
export function readUserGroupIds(client: OktaClient, userId: string): Promise<string[] | undefined> {
  return readIds(client, `/api/v1/users/${encodeURIComponent(userId)}/groups`);
}

/** The ids of every item a list endpoint pages through; undefined when what it lists is gone (404). */
async function readIds(client: OktaClient, path: string): Promise<string[] | undefined> {
  try {
    const ids: string[] = [];
    for await (const page of client.pages<Json>(path)) for (const raw of page) ids.push(String(raw.id));
    return ids;
  } catch (err) {
    if (err instanceof OktaApiError && err.status === 404) return undefined;
    throw err;
  }
}
