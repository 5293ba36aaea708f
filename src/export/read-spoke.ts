/**
 * readObservedSpoke: read one Spoke's Org2Org setup completely, with list endpoints at their
 * largest pages (apps, app users with expand=user, app groups, push mappings, the Spoke's
 * groups for names) and, when a Hub client is given, the Hub's groups (names and `created`).
 * Everything is read, not only what a config names: export's job is to describe all of it.
 */
import { Org2OrgError } from '../errors.js';
import type { InboundImport, InitialStatus, ToAppFeatures } from '../config/types.js';
import type { OktaClient } from '../okta/types.js';
import type { ObservedConnection, ObservedGroupAssignment, ObservedPushMapping, ObservedSpoke, ObservedUserAssignment } from './types.js';

type Json = Record<string, any>;

export interface ExportProgress {
  spoke: string;
  /** What is being read: `app users`, `groups`, `push mappings`, `hub groups`, … */
  collection: string;
  /** Items read so far in that collection. */
  count: number;
  done: boolean;
}

export interface ReadSpokeOptions {
  name: string;
  url: string;
  tokenVar: string;
  /** App label; default: the first okta_org2org app (by label order, for stability). */
  label?: string;
  onProgress?: (p: ExportProgress) => void;
}

/** Hub groups by id, read once and shared by every Spoke's export. */
export interface HubGroupIndex {
  byId: Map<string, { name: string; created?: string }>;
}

const INITIAL_STATUSES: readonly string[] = ['active_with_pass', 'active_without_pass', 'pending_with_pass', 'pending_without_pass'];

export async function readHubGroups(hub: OktaClient, onProgress?: (p: ExportProgress) => void): Promise<HubGroupIndex> {
  const byId = new Map<string, { name: string; created?: string }>();
  for await (const page of hub.pages<Json>('/api/v1/groups', { limit: 200 })) {
    for (const g of page) byId.set(g.id, { name: String(g.profile?.name ?? ''), created: g.created });
    onProgress?.({ spoke: 'hub', collection: 'hub groups', count: byId.size, done: false });
  }
  onProgress?.({ spoke: 'hub', collection: 'hub groups', count: byId.size, done: true });
  return { byId };
}

async function collect<T>(client: OktaClient, path: string, query: Record<string, string | number>, spoke: string, collection: string, onProgress?: (p: ExportProgress) => void): Promise<T[]> {
  const all: T[] = [];
  for await (const page of client.pages<T>(path, query)) {
    all.push(...page);
    onProgress?.({ spoke, collection, count: all.length, done: false });
  }
  onProgress?.({ spoke, collection, count: all.length, done: true });
  return all;
}

export async function readObservedSpoke(client: OktaClient, hubGroups: HubGroupIndex | undefined, options: ReadSpokeOptions): Promise<ObservedSpoke> {
  const { name, onProgress } = options;
  const apps = await collect<Json>(client, '/api/v1/apps', { filter: 'name eq "okta_org2org"', limit: 200 }, name, 'apps', onProgress);
  const app = pickApp(apps, options.label, name);
  const base = `/api/v1/apps/${encodeURIComponent(app.id)}`;
  const notes: string[] = [];

  const [connection, features, schema, appUsers, appGroups, mappings, spokeGroups] = await Promise.all([
    client.get<Json>(`${base}/connections/default`),
    readFeatures(client, base),
    client.get<Json>(`/api/v1/meta/schemas/apps/${encodeURIComponent(app.id)}/default`),
    collect<Json>(client, `${base}/users`, { limit: 500, expand: 'user' }, name, 'app users', onProgress),
    collect<Json>(client, `${base}/groups`, { limit: 200 }, name, 'app groups', onProgress),
    collect<Json>(client, `${base}/group-push/mappings`, { limit: 1000 }, name, 'push mappings', onProgress),
    collect<Json>(client, '/api/v1/groups', { limit: 200 }, name, 'groups', onProgress),
  ]);

  const attributeNames = attributeNamesOf(schema);
  const groupName = new Map<string, string>(spokeGroups.map((g) => [g.id, String(g.profile?.name ?? '')]));

  const users: ObservedUserAssignment[] = [];
  let groupScopeUsers = 0;
  for (const au of appUsers) {
    if (au.scope !== 'USER') {
      groupScopeUsers++;
      continue;
    }
    const login = au._embedded?.user?.profile?.login ?? au.credentials?.userName;
    if (typeof login !== 'string') throw new Org2OrgError(`spoke ${name}: app user ${au.id} has no login (expected _embedded.user with expand=user)`);
    users.push(userAssignmentOf(login, au.profile ?? {}, attributeNames));
  }
  users.sort((a, b) => compareKeys(a.login.toLowerCase(), b.login.toLowerCase()));

  const groups: ObservedGroupAssignment[] = [];
  for (const ag of appGroups) {
    const gName = groupName.get(ag.id);
    if (gName === undefined) {
      notes.push(`group assignment ${ag.id} names a group that no longer exists; left out`);
      continue;
    }
    groups.push({ name: gName, ...(typeof ag.priority === 'number' ? { priority: ag.priority } : {}), profile: { ...(ag.profile ?? {}) } });
  }
  groups.sort((a, b) => compareKeys(a.name, b.name));

  const pushMappings: ObservedPushMapping[] = [];
  for (const m of mappings) {
    const source = groupName.get(m.sourceGroupId);
    if (source === undefined) {
      notes.push(`push mapping ${m.id}: its source group ${m.sourceGroupId} no longer exists; left out`);
      continue;
    }
    const target = hubGroups?.byId.get(m.targetGroupId);
    // ERROR is a push outcome, not a setting: the mapping is still meant to be ACTIVE.
    const status = m.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE';
    const mapping: ObservedPushMapping = { name: source, status };
    if (target) {
      mapping.targetName = target.name;
      const link = predates(target.created, m.created);
      if (link !== undefined) mapping.link = link;
    }
    pushMappings.push(mapping);
  }
  pushMappings.sort((a, b) => compareKeys(a.name, b.name));
  if (!hubGroups && pushMappings.length > 0) {
    notes.push('Hub not read (no OKTA_HUB_READ_TOKEN): push targets are assumed to have their source group\'s name, and link is unknown');
  }

  return {
    name,
    url: options.url,
    tokenVar: options.tokenVar,
    app: { label: String(app.label), signOnMode: app.signOnMode === 'AUTO_LOGIN' ? 'AUTO_LOGIN' : 'SAML_2_0' },
    connection: connectionOf(connection),
    ...(features.toApp ? { toApp: features.toApp } : {}),
    profileSourcing: Array.isArray(app.features) && app.features.includes('PROFILE_MASTERING'),
    ...(features.inbound ? { inbound: features.inbound } : {}),
    users,
    attributeNames,
    groupScopeUsers,
    groups,
    pushMappings,
    notes,
  };
}

function pickApp(apps: Json[], label: string | undefined, spoke: string): Json {
  if (label !== undefined) {
    const found = apps.find((a) => a.label === label);
    if (!found) {
      const labels = apps.map((a) => `"${a.label}"`).join(', ') || 'none';
      throw new Org2OrgError(`spoke ${spoke}: no okta_org2org app labelled "${label}" (found: ${labels})`);
    }
    return found;
  }
  if (apps.length === 0) throw new Org2OrgError(`spoke ${spoke}: no okta_org2org app found; nothing to export`);
  // "First found" made stable: Okta's list order is by creation, which is what the console shows first.
  return apps[0]!;
}

/** Sort by code units, so the order doesn't depend on the machine's locale. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A Hub group made by its mapping's first push is stamped within moments of the mapping (before
 * or after it, depending on whose clock and which request came first); only a group that is
 * clearly older was there before, i.e. was linked.
 */
export const LINK_MARGIN_MS = 5_000;

export function predates(hubGroupCreated: unknown, mappingCreated: unknown): boolean | undefined {
  if (typeof hubGroupCreated !== 'string' || typeof mappingCreated !== 'string') return undefined;
  const g = Date.parse(hubGroupCreated);
  const m = Date.parse(mappingCreated);
  if (Number.isNaN(g) || Number.isNaN(m)) return undefined;
  return g < m - LINK_MARGIN_MS;
}

function attributeNamesOf(schema: Json): ObservedSpoke['attributeNames'] {
  const props: Json = schema?.definitions?.custom?.properties ?? {};
  const names: ObservedSpoke['attributeNames'] = {};
  for (const key of ['initialStatus', 'securityQuestion', 'securityAnswer'] as const) if (key in props) names[key] = key;
  return names;
}

function userAssignmentOf(login: string, profile: Json, names: ObservedSpoke['attributeNames']): ObservedUserAssignment {
  const rest: Record<string, unknown> = {};
  const mapped = new Set(Object.values(names));
  for (const [k, v] of Object.entries(profile)) if (!mapped.has(k) && v !== null && v !== undefined) rest[k] = v;
  const out: ObservedUserAssignment = { login, profile: rest };
  const status = names.initialStatus ? profile[names.initialStatus] : undefined;
  if (typeof status === 'string' && INITIAL_STATUSES.includes(status)) out.initialStatus = status as InitialStatus;
  const question = names.securityQuestion ? profile[names.securityQuestion] : undefined;
  if (typeof question === 'string' && question !== '') out.securityQuestion = question;
  return out;
}

function connectionOf(c: Json): ObservedConnection | null {
  const scheme = c?.profile?.authScheme ?? c?.authScheme;
  const enabled = c?.status === 'ENABLED';
  if (scheme === 'TOKEN') return { authScheme: 'TOKEN', enabled };
  if (scheme === 'OAUTH2') {
    const rotation = c.profile?.signing?.rotationMode;
    return {
      authScheme: 'OAUTH2',
      enabled,
      clientId: String(c.profile?.clientId ?? ''),
      rotationMode: rotation === 'MANUAL' ? 'MANUAL' : 'AUTO',
    };
  }
  return null;
}

async function readFeatures(client: OktaClient, base: string): Promise<{ toApp?: ToAppFeatures; inbound?: InboundImport }> {
  let list: Json[];
  try {
    list = await client.get<Json[]>(`${base}/features`);
  } catch (err) {
    // 400 "Provisioning is not enabled for the app instance": no features to export.
    if ((err as { status?: number }).status === 400) return {};
    throw err;
  }
  const out: { toApp?: ToAppFeatures; inbound?: InboundImport } = {};
  const user = list.find((f) => f.name === 'USER_PROVISIONING');
  if (user) {
    const c = user.capabilities ?? {};
    const on = (x: Json | undefined): boolean => x?.status === 'ENABLED';
    const pw = c.update?.password;
    out.toApp = {
      createUsers: on(c.create?.lifecycleCreate),
      updateUserAttributes: on(c.update?.profile),
      deactivateUsers: on(c.update?.lifecycleDeactivate),
      syncPassword: on(pw) ? { seed: pw.seed === 'OKTA' ? 'OKTA' : 'RANDOM', change: pw.change === 'CHANGE' ? 'CHANGE' : 'KEEP_EXISTING' } : false,
    };
  }
  const inbound = list.find((f) => f.name === 'INBOUND_PROVISIONING');
  if (inbound && inbound.status === 'ENABLED') out.inbound = inboundOf(inbound.capabilities ?? {});
  return out;
}

function inboundOf(c: Json): InboundImport {
  const out: InboundImport = {};
  const s = c.importSettings?.schedule;
  if (s && (s.status === 'ENABLED' || s.status === 'DISABLED')) {
    out.schedule = { status: s.status };
    for (const k of ['fullImport', 'incrementalImport'] as const) {
      if (s[k]?.expression) out.schedule[k] = { expression: String(s[k].expression), ...(s[k].timezone ? { timezone: String(s[k].timezone) } : {}) };
    }
  }
  const u = c.importSettings?.username;
  if (u && (u.usernameFormat === 'EMAIL' || u.usernameFormat === 'CUSTOM')) {
    out.username = { usernameFormat: u.usernameFormat, ...(u.userNameExpression ? { userNameExpression: String(u.userNameExpression) } : {}) };
  }
  const m = c.importRules?.userCreateAndMatch;
  if (m && (m.exactMatchCriteria === 'EMAIL' || m.exactMatchCriteria === 'USERNAME')) {
    out.match = { exactMatchCriteria: m.exactMatchCriteria };
    for (const k of ['allowPartialMatch', 'autoConfirmExactMatch', 'autoConfirmNewUsers', 'autoConfirmPartialMatch', 'autoActivateNewUsers'] as const) {
      if (typeof m[k] === 'boolean') out.match[k] = m[k];
    }
  }
  return out;
}
