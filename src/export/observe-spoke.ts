/**
 * observeSpoke: the planner's view of a Spoke (LiveSpoke, as readLiveState normalizes it) plus
 * the few facts export reads on its own (Hub groups with `created`, each mapping's `created`,
 * an OAuth connection's clientId) → what the config file will say. Pure: the reader and the
 * planner normalize the same way, so what is exported is what the first plan compares against.
 */
import { INITIAL_STATUSES, type ToOktaImport, type InitialStatus, type ToAppFeatures } from '../config/types.js';
import { compareKeys } from '../plan/pair.js';
import { predates, sameOktaOrg, type LiveToOkta, type LiveSpoke } from '../state/types.js';
import type { ObservedConnection, ObservedPushMapping, ObservedSpoke } from './types.js';

export interface ExportFacts {
  name: string;
  url: string;
  tokenVar: string;
  /** Hub groups by name (name, created); undefined when the Hub was not read. */
  hubGroups?: Map<string, { name: string; created?: string }>;
  /** Reader notes about this Spoke. */
  notes: string[];
  /** The Hub URL given to export, to compare with the app's base URL. */
  hubUrl?: string;
}

export function observeSpoke(live: LiveSpoke, facts: ExportFacts): ObservedSpoke {
  const app = live.app;
  if (!app) throw new Error(`spoke ${live.name}: the Org2Org app vanished while it was read`);
  const notes = [...facts.notes];
  if (facts.hubUrl !== undefined && !sameOktaOrg(app.baseUrl, facts.hubUrl)) {
    notes.push(`the app's base URL is ${app.baseUrl || '(empty)'}, not the Hub URL ${facts.hubUrl}: the first plan will show it`);
  }
  const attributes = observedAttributes(live);
  const { users, groupScopeUsers } = observedUsers(live, new Set(attributes.map((a) => a.name)));
  const groups = observedGroups(live, notes);
  const pushMappings = observedPushMappings(live, facts, notes);
  const features = live.features;
  return {
    name: facts.name,
    url: facts.url,
    tokenVar: facts.tokenVar,
    // Only the modes the config can say are written; any other (OPENID_CONNECT on real apps) stays unmanaged.
    app: { label: app.label, ...(app.signOnMode === 'SAML_2_0' || app.signOnMode === 'AUTO_LOGIN' ? { signOnMode: app.signOnMode } : {}) },
    connection: connectionOf(live),
    ...(features?.provisioningEnabled && features.toApp ? { toApp: toAppOf(features.toApp) } : {}),
    profileSourcing: features?.profileSourcing ?? app.features.includes('PROFILE_MASTERING'),
    ...(features?.toOkta ? toOktaOf(features.toOkta) : {}),
    users,
    attributeNames: attributeNamesOf(live.appUserSchema),
    groupScopeUsers,
    groups,
    pushMappings,
    ...(attributes.length > 0 ? { attributes } : {}),
    notes,
  };
}

/** The mapping's properties into the app's custom attributes: what the Spoke carries to the Hub. */
function observedAttributes(live: LiveSpoke): NonNullable<ObservedSpoke['attributes']> {
  const custom = live.appUserSchema?.custom ?? {};
  return Object.entries(live.attributeMapping?.properties ?? {})
    .filter(([name]) => Object.hasOwn(custom, name))
    .map(([name, p]) => ({
      name,
      source: p.expression,
      push: p.pushStatus === 'DONT_PUSH' ? ('DONT_PUSH' as const) : ('PUSH' as const),
      type: custom[name]!.type,
    }))
    .sort((a, b) => compareKeys(a.name, b.name));
}

/**
 * The direct (USER-scope) assignments, by login; the group-scoped ones are only counted. A carried
 * attribute's value comes from the mapping, not from the assignment: it is left out of the profile.
 */
function observedUsers(live: LiveSpoke, carried: Set<string>): { users: ObservedSpoke['users']; groupScopeUsers: number } {
  const users: ObservedSpoke['users'] = [];
  let groupScopeUsers = 0;
  for (const u of live.appUsers) {
    if (u.scope !== 'USER') {
      groupScopeUsers++;
      continue;
    }
    const profile = Object.fromEntries(Object.entries(u.profile).filter(([k, v]) => v !== null && v !== undefined && !carried.has(k)));
    users.push({
      login: u.login,
      ...(u.initialStatus !== undefined && (INITIAL_STATUSES as readonly string[]).includes(u.initialStatus)
        ? { initialStatus: u.initialStatus as InitialStatus }
        : {}),
      ...(u.securityQuestion ? { securityQuestion: u.securityQuestion } : {}),
      profile,
    });
  }
  users.sort((a, b) => compareKeys(a.login.toLowerCase(), b.login.toLowerCase()));
  return { users, groupScopeUsers };
}

/** The group assignments a config can name, by name; the others are said in `notes`. */
function observedGroups(live: LiveSpoke, notes: string[]): ObservedSpoke['groups'] {
  const groups: ObservedSpoke['groups'] = [];
  for (const g of live.appGroups) {
    // The reader names a group it could not read by its id: a config can't refer to that.
    if (g.name === g.groupId) {
      notes.push(`group assignment ${g.groupId} is not a group the API can read; left out`);
      continue;
    }
    groups.push({ name: g.name, ...(g.priority !== undefined ? { priority: g.priority } : {}), profile: { ...g.profile } });
  }
  return groups.sort((a, b) => compareKeys(a.name, b.name));
}

/** The push mappings whose source group still exists, by name, with link worked out from the Hub; what is unknown goes to `notes`. */
function observedPushMappings(live: LiveSpoke, facts: ExportFacts, notes: string[]): ObservedPushMapping[] {
  const pushMappings: ObservedPushMapping[] = [];
  for (const m of live.pushMappings) {
    if (m.sourceGroupName === undefined) {
      notes.push(`push mapping ${m.id}: its source group ${m.sourceGroupId} no longer exists; left out`);
      continue;
    }
    // ERROR is a push outcome, not a setting: the mapping is still meant to push.
    const mapping: ObservedPushMapping = { name: m.sourceGroupName, status: m.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE' };
    // The target's name is read in the Spoke (targetGroupId is a Spoke group); the Hub is
    // checked by that name, and its group's `created` tells whether the mapping linked to it.
    if (m.targetGroupName !== undefined) mapping.targetName = m.targetGroupName;
    else
      notes.push(
        `push mapping of ${m.sourceGroupName}: its target group ${m.targetGroupId ?? '(none)'} could not be read in the Spoke; targetName assumed to be the source's name`,
      );
    const hubGroup = m.targetGroupName !== undefined ? facts.hubGroups?.get(m.targetGroupName) : undefined;
    if (hubGroup) {
      const link = predates(hubGroup.created, m.created);
      if (link !== undefined) mapping.link = link;
    } else if (facts.hubGroups && m.targetGroupName !== undefined) {
      notes.push(`push mapping of ${m.sourceGroupName}: the Hub has no group named "${m.targetGroupName}" (yet); link is unknown`);
    }
    pushMappings.push(mapping);
  }
  pushMappings.sort((a, b) => compareKeys(a.name, b.name));
  if (!facts.hubGroups && pushMappings.length > 0) {
    notes.push('Hub not read (no OKTA_HUB_READ_TOKEN): whether each push linked an existing Hub group is unknown');
  }
  return pushMappings;
}

function attributeNamesOf(schema: LiveSpoke['appUserSchema']): ObservedSpoke['attributeNames'] {
  return {
    ...(schema?.initialStatus ? { initialStatus: schema.initialStatus } : {}),
    ...(schema?.securityQuestion ? { securityQuestion: schema.securityQuestion } : {}),
    ...(schema?.securityAnswer ? { securityAnswer: schema.securityAnswer } : {}),
  };
}

function connectionOf(live: LiveSpoke): ObservedConnection | null {
  const c = live.connection;
  if (!c) return null;
  const enabled = c.status === 'ENABLED';
  if (c.authScheme === 'TOKEN') return { authScheme: 'TOKEN', enabled };
  if (c.authScheme === 'OAUTH2' && c.clientId) {
    return { authScheme: 'OAUTH2', enabled, clientId: c.clientId, rotationMode: c.rotationMode === 'MANUAL' ? 'MANUAL' : 'AUTO' };
  }
  return null;
}

function toAppOf(t: NonNullable<NonNullable<LiveSpoke['features']>['toApp']>): ToAppFeatures {
  return {
    createUsers: t.createUsers,
    updateUserAttributes: t.updateUserAttributes,
    deactivateUsers: t.deactivateUsers,
    syncPassword:
      t.syncPassword === false
        ? false
        : {
            seed: t.syncPassword.seed === 'OKTA' ? 'OKTA' : 'RANDOM',
            change: t.syncPassword.change === 'CHANGE' ? 'CHANGE' : 'KEEP_EXISTING',
          },
  };
}

/** Only what the config's vocabulary can say; anything else stays unmanaged rather than invalid. */
function toOktaOf(toOkta: LiveToOkta): { toOktaImport?: ToOktaImport } {
  const i = toOkta.import;
  const out: ToOktaImport = {};
  if (i.schedule && (i.schedule.status === 'ENABLED' || i.schedule.status === 'DISABLED')) {
    out.schedule = { status: i.schedule.status };
    if (i.schedule.fullImport) out.schedule.fullImport = { ...i.schedule.fullImport };
    if (i.schedule.incrementalImport) out.schedule.incrementalImport = { ...i.schedule.incrementalImport };
  }
  const u = i.username;
  if (u && (u.userNameFormat === 'EMAIL' || (u.userNameFormat === 'CUSTOM' && u.userNameExpression))) {
    out.username = { userNameFormat: u.userNameFormat, ...(u.userNameExpression ? { userNameExpression: u.userNameExpression } : {}) };
  }
  const m = i.match;
  if (m && (m.exactMatchCriteria === 'EMAIL' || m.exactMatchCriteria === 'USERNAME')) {
    out.match = { exactMatchCriteria: m.exactMatchCriteria };
    for (const k of [
      'allowPartialMatch',
      'autoConfirmExactMatch',
      'autoConfirmNewUsers',
      'autoConfirmPartialMatch',
      'autoActivateNewUsers',
    ] as const) {
      if (typeof m[k] === 'boolean') out.match[k] = m[k];
    }
  }
  return Object.keys(out).length > 0 ? { toOktaImport: out } : {};
}
