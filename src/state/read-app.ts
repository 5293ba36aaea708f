/**
 * One app's app users and push mappings, normalized as readLiveState normalizes them: for
 * callers that follow an app after a write (`apply --wait`) without reading the whole Spoke.
 * Okta's shapes stay here; callers see LiveAppUser and LivePushMapping.
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
