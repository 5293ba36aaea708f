/**
 * One app's app users and push mappings, normalized as readLiveState normalizes them: for
 * callers that follow an app after a write (`apply --wait`) without reading the whole Spoke.
 * Okta's shapes stay here; callers see LiveAppUser, LivePushMapping and names.
 */
import type { OktaClient } from '../okta/types.js';
import { normalizeAppUser, normalizePushMapping } from './normalize.js';
import type { LiveAppUser, LivePushMapping } from './types.js';

type Json = Record<string, unknown>;

/** Every app user of the app (with `expand=user`, so logins are known), 500 a page. */
export async function listAppUsers(client: OktaClient, appId: string): Promise<LiveAppUser[]> {
  const appUsers: LiveAppUser[] = [];
  for await (const page of client.pages<Json>(`/api/v1/apps/${encodeURIComponent(appId)}/users`, { expand: 'user' })) {
    for (const raw of page) appUsers.push(normalizeAppUser(raw, {}));
  }
  return appUsers;
}

/** Every push mapping of the app, 1000 a page. */
export async function listPushMappings(client: OktaClient, appId: string): Promise<LivePushMapping[]> {
  const mappings: LivePushMapping[] = [];
  for await (const page of client.pages<Json>(`/api/v1/apps/${encodeURIComponent(appId)}/group-push/mappings`)) {
    for (const raw of page) mappings.push(normalizePushMapping(raw, {}));
  }
  return mappings;
}

/**
 * The names of the user's groups that are assigned to the app: the group assignments through which
 * Okta may have provisioned her (one page of her groups and the app's group assignments each).
 */
export async function assignedGroupsOfUser(client: OktaClient, appId: string, userId: string): Promise<string[]> {
  const assigned = new Set<string>();
  for await (const page of client.pages<Json>(`/api/v1/apps/${encodeURIComponent(appId)}/groups`)) {
    for (const raw of page) assigned.add(String(raw.id));
  }
  // listUserGroups answers with a plain array (the spec documents no paging for it).
  const groups = (await client.request<Json[]>('GET', `/api/v1/users/${encodeURIComponent(userId)}/groups`)).body;
  const names: string[] = [];
  for (const raw of Array.isArray(groups) ? groups : []) {
    if (!assigned.has(String(raw.id))) continue;
    const profile = raw.profile as Json | undefined;
    names.push(typeof profile?.name === 'string' ? profile.name : String(raw.id));
  }
  return names.sort();
}
