/**
 * Org2Org behaviour across orgs: a Spoke's app pushes users and groups into the Hub org the
 * app's `settings.app.baseUrl` points at, authorised by the connection's Hub API token.
 */
import { appAssertion, clientCredentials } from './oauth.js';
import type { SimApp, SimAppUser, SimGroup, SimOrg, SimPushMapping, SimUser } from './org-state.js';
import { isOrg2Org, nowIso } from './org-state.js';
import { carriedToHub, mappedValues } from './profile-schemas.js';
import { simNow, whenAdvanced } from './clock.js';
import {
  type Acting,
  actingAs,
  appTarget,
  clientActor,
  currentActing,
  groupTarget,
  logEvent,
  userActor,
  userTarget,
} from './log-events.js';
import type { AdminRole, InitialStatus } from './types.js';

export class SimWorld {
  readonly orgs = new Map<string, SimOrg>();
  /** Work that runs later: on a real timer, or sooner when the sim clock is advanced past `due`. */
  private readonly timers = new Map<NodeJS.Timeout, { due: number; run: () => void }>();
  private readonly stopWatching: () => void;
  /** Provisioning held (a test's `holdProvisioning`): pushes wait, in order, until `releaseProvisioning`. */
  held = false;
  private readonly pending: (() => void)[] = [];
  closed = false;

  constructor(public provisioningDelayMs: number) {
    this.stopWatching = whenAdvanced(() => this.runDue());
  }

  private runDue(): void {
    const now = simNow();
    const due = [...this.timers].filter(([, t]) => t.due <= now).sort((a, b) => a[1].due - b[1].due);
    for (const [timer, task] of due) {
      clearTimeout(timer);
      this.timers.delete(timer);
      if (!this.closed) task.run();
    }
  }

  org(name: string): SimOrg {
    const org = this.orgs.get(name);
    if (!org) throw new Error(`sim: no org named "${name}" (orgs: ${[...this.orgs.keys()].join(', ')})`);
    return org;
  }

  orgByUrl(url: unknown): SimOrg | undefined {
    if (typeof url !== 'string') return undefined;
    const wanted = url.replace(/\/+$/, '').toLowerCase();
    for (const org of this.orgs.values()) {
      if (org.url.toLowerCase() === wanted || org.aliases.some((a) => a.replace(/\/+$/, '').toLowerCase() === wanted)) return org;
    }
    return undefined;
  }

  /** Runs `fn` later, acting as whoever is acting now (its writes are logged as theirs). */
  schedule(ms: number, fn: () => void): void {
    if (this.closed) return;
    const acting = currentActing();
    const run = (): void => actingAs(acting, fn);
    if (this.held) {
      this.pending.push(run);
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) run();
    }, ms);
    this.timers.set(t, { due: simNow() + ms, run });
  }

  /** Runs every held push now, in the order they were asked for (each as whoever asked); returns how many ran. */
  release(): number {
    let ran = 0;
    while (this.pending.length > 0 && !this.closed) {
      this.pending.shift()!();
      ran++;
    }
    return ran;
  }

  close(): void {
    this.closed = true;
    this.pending.length = 0;
    this.stopWatching();
    for (const t of this.timers.keys()) clearTimeout(t);
    this.timers.clear();
  }
}

/** Okta user status the Hub user gets for each Org2Org `initialStatus` (see docs/simulator.md). */
export const HUB_STATUS_BY_INITIAL_STATUS: Record<InitialStatus, string> = {
  active_with_pass: 'ACTIVE',
  active_without_pass: 'PROVISIONED', // "pending user action": activation email sent
  pending_with_pass: 'STAGED',
  pending_without_pass: 'STAGED',
};

export function hubOf(world: SimWorld, app: SimApp): SimOrg | undefined {
  return world.orgByUrl((app.settings.app as Record<string, unknown> | undefined)?.baseUrl);
}

/**
 * Why the connection token can't be used against the Hub, or null when it can. Okta tests the
 * credentials when the connection is activated.
 */
export function connectionProblem(world: SimWorld, app: SimApp, token: string | null): string | null {
  if (!isOrg2Org(app)) return null;
  const hub = hubOf(world, app);
  if (!hub) return 'Unable to connect to the target org: check the base URL (settings.app.baseUrl).';
  if (!token) return 'API token is required.';
  // Okta uses the token for each push, which renews it like any other use.
  const grant = hub.liveToken(token, true);
  if (!grant) return 'Invalid API token: the target org rejected it.';
  const owner = hub.users.get(grant.userId);
  if (!owner?.roles.includes('SUPER_ADMIN')) {
    return 'The API token must belong to a Super Administrator of the target org.';
  }
  return null;
}

/** The scopes an OAuth 2.0 Org2Org connection asks the Hub for. */
export const ORG2ORG_SCOPES = ['okta.users.manage', 'okta.groups.manage'];

/**
 * Admin roles that let the Hub's service app do each kind of push. Okta recommends USER_ADMIN and
 * GROUP_MEMBERSHIP_ADMIN without saying what each one is needed for; the simulator makes users
 * need the first and group membership the second, so that a missing role shows (UNKNOWN in Okta).
 */
const PUSH_ROLES: Record<'users' | 'groups', AdminRole[]> = {
  users: ['SUPER_ADMIN', 'ORG_ADMIN', 'USER_ADMIN'],
  groups: ['SUPER_ADMIN', 'ORG_ADMIN', 'GROUP_MEMBERSHIP_ADMIN'],
};

/**
 * Why an OAUTH2 connection can't push into its Hub, or null: the Spoke app authenticates to the
 * Hub with the client-credentials flow, signing with its own key in use, exactly as a token
 * request would be checked (client, key, scopes), then the service app's roles must allow the push.
 */
export function oauthConnectionProblem(world: SimWorld, app: SimApp, need: 'users' | 'groups' | 'all'): string | null {
  const hub = hubOf(world, app);
  if (!hub) return 'Unable to connect to the target org: check the base URL (settings.app.baseUrl).';
  const clientId = app.connection.clientId;
  if (!clientId) return 'clientId is required.';
  const client = hub.oauthClient(clientId);
  if (!client) return `No service app with client ID ${clientId} in the target org.`;
  const assertion = appAssertion(app, clientId, `${hub.url}/oauth2/v1/token`);
  if (!assertion) return 'The app has no signing key.';
  const result = clientCredentials(world, hub, assertion, ORG2ORG_SCOPES);
  if ('error' in result) return `The target org refused the OAuth 2.0 client credentials (${result.error}): ${result.description}`;
  hub.accessTokens.delete(result.accessToken);
  const roles = client.roles.values().map((r) => r.type);
  for (const kind of need === 'all' ? (['users', 'groups'] as const) : [need]) {
    if (!roles.some((r) => PUSH_ROLES[kind].includes(r))) {
      return `The service app ${clientId} has no admin role that may manage ${kind} in the target org (one of ${PUSH_ROLES[kind].join(', ')}).`;
    }
  }
  return null;
}

/** The Hub an app pushes to, why it can't (a revoked token, an unreachable Hub), or nothing (not pushing). */
function pushTarget(world: SimWorld, app: SimApp, need: 'users' | 'groups' = 'users'): { hub: SimOrg } | { error: string } | undefined {
  if (!isOrg2Org(app) || app.connection.status !== 'ENABLED' || app.status !== 'ACTIVE') return undefined;
  // Credentials revoked after activation make pushes fail, as in Okta (the task errors out).
  const problem =
    app.connection.authScheme === 'TOKEN'
      ? connectionProblem(world, app, app.connection.token)
      : app.connection.authScheme === 'OAUTH2'
        ? oauthConnectionProblem(world, app, need)
        : null;
  const hub = hubOf(world, app);
  if (problem || !hub) return { error: `Automatic provisioning of user to app failed: ${problem ?? 'the target org is unreachable'}` };
  return { hub };
}

/**
 * Who a Spoke app acts as in its Hub: the connection token's owner (an API actor), or the Hub
 * service app its OAuth 2.0 connection authenticates as. The Hub's log names them, not the Spoke's admin.
 */
export function connectionActing(app: SimApp, hub: SimOrg): Acting {
  if (app.connection.authScheme === 'OAUTH2' && app.connection.clientId) {
    const clientId = app.connection.clientId;
    return { actor: clientActor(clientId, hub.oauthClient(clientId)?.label), console: false };
  }
  const owner = app.connection.token ? hub.users.get(hub.tokens.get(app.connection.token)?.userId ?? '') : undefined;
  return {
    actor: owner ? userActor(owner) : clientActor('unknown'),
    console: false,
  };
}

/** Writes `fn` makes into the Hub, logged there as the app's connection (only when someone acts: a seed logs nothing). */
export function inHub<T>(app: SimApp, hub: SimOrg, fn: () => T): T {
  return actingAs(currentActing() ? connectionActing(app, hub) : undefined, fn);
}

function pushing(world: SimWorld, app: SimApp, need: 'users' | 'groups' = 'users'): SimOrg | undefined {
  const target = pushTarget(world, app, need);
  return target && 'hub' in target ? target.hub : undefined;
}

function pushedProfile(spokeUser: SimUser, userName: string): Record<string, unknown> {
  const p = spokeUser.profile;
  return { firstName: p.firstName, lastName: p.lastName, email: p.email ?? userName, login: userName };
}

/** What a push shows on its app user. */
function appUserOutcome(au: SimAppUser): string {
  return JSON.stringify([au.status, au.syncState, au.externalId, au.errorSummary]);
}

/**
 * A push that moved what its app user shows is logged in the Spoke as `eventType`
 * (application.provision.user.push, .push_profile, .deactivate): the assignment's own event says
 * it was asked for, this one what came of it (at once, or when a delayed push ends).
 */
function logAppUserPush(org: SimOrg, app: SimApp, au: SimAppUser, eventType: string, message: string): void {
  const user = org.users.get(au.id);
  logEvent(org, {
    eventType,
    displayMessage: message,
    targets: [
      user ? userTarget(user) : { id: au.id, type: 'User', alternateId: au.userName, displayName: au.userName, detailEntry: null },
      appTarget(app),
    ],
    outcome: au.syncState === 'ERROR' ? 'FAILURE' : 'SUCCESS',
  });
}

/** Pushes one assignment to the Hub (create or match), honouring the provisioning delay. */
export function provisionAppUser(world: SimWorld, org: SimOrg, app: SimApp, au: SimAppUser): void {
  const before = appUserOutcome(au);
  provisionAppUserNow(world, org, app, au);
  // A push that ends (at once or on a timer) logs itself; one that can't even start fails here.
  if (appUserOutcome(au) !== before && au.syncState === 'ERROR')
    logAppUserPush(org, app, au, 'application.provision.user.push', 'Push user to app');
}

function provisionAppUserNow(world: SimWorld, org: SimOrg, app: SimApp, au: SimAppUser): void {
  const target = pushTarget(world, app);
  const now = nowIso();
  if (!target || !app.provisioning.create) {
    if (au.status !== 'PROVISIONED') {
      au.status = 'ACTIVE';
      au.syncState = 'DISABLED';
    }
    return;
  }
  if ('error' in target) {
    au.status = 'STAGED';
    au.syncState = 'ERROR';
    au.errorSummary = target.error;
    au.statusChanged = now;
    return;
  }
  const hub = target.hub;
  if (au.externalId && hub.users.get(au.externalId)) return;
  const finish = (): void => {
    const spokeUser = org.users.get(au.id);
    if (!spokeUser || !app.users.has(au.id)) return;
    const initial = (au.profile.initialStatus as InitialStatus | undefined) ?? 'active_without_pass';
    const status = HUB_STATUS_BY_INITIAL_STATUS[initial] ?? 'PROVISIONED';
    const hubUser = inHub(app, hub, () => {
      const found = hub.findUser(au.userName);
      if (!found) return hub.addUser(au.userName, { ...carriedToHub(app, au, hub), ...pushedProfile(spokeUser, au.userName) }, status);
      // A matched Hub user gets the carried attributes when the app updates profiles.
      if (app.provisioning.profile) {
        const carried = carriedToHub(app, au, hub);
        if (Object.keys(carried).length > 0) hub.updateUserProfile(found, carried);
      }
      if (found.status === 'DEPROVISIONED' && app.provisioning.deactivate) {
        // REACTIVATE_USERS: a returning user is reactivated rather than left deactivated.
        hub.setUserStatus(found, status, 'user.lifecycle.activate', 'Activate Okta user');
      }
      return found;
    });
    au.externalId = hubUser.id;
    au.errorSummary = null;
    au.status = 'PROVISIONED';
    au.syncState = 'SYNCHRONIZED';
    au.lastSync = nowIso();
    au.statusChanged = au.lastSync;
    au.lastUpdated = au.lastSync;
    logAppUserPush(org, app, au, 'application.provision.user.push', 'Push user to app');
    syncUserPushMemberships(world, org, app, au.id);
  };
  if (world.provisioningDelayMs > 0 || world.held) {
    au.status = 'STAGED';
    au.syncState = 'SYNCING';
    au.statusChanged = now;
    world.schedule(world.provisioningDelayMs, finish);
  } else {
    finish();
  }
}

/**
 * A Spoke user's profile changed: the app user's PUSH-mapped attributes follow, and with Update
 * User Attributes the change goes to the Hub user.
 */
export function onSpokeUserUpdated(world: SimWorld, org: SimOrg, app: SimApp, au: SimAppUser): void {
  const user = org.users.get(au.id);
  if (user && isOrg2Org(app)) Object.assign(au.profile, mappedValues(org, app, user, 'update'));
  pushProfile(world, org, app, au);
}

/** Update User Attributes: the Spoke user's profile (and the app user's carried attributes) go to the Hub user. */
export function pushProfile(world: SimWorld, org: SimOrg, app: SimApp, au: SimAppUser): void {
  const hub = pushing(world, app);
  if (!hub || !app.provisioning.profile || !au.externalId) return;
  const hubUser = hub.users.get(au.externalId);
  const spokeUser = org.users.get(au.id);
  if (!hubUser || !spokeUser) return;
  const { login: _login, ...rest } = pushedProfile(spokeUser, au.userName);
  inHub(app, hub, () => hub.updateUserProfile(hubUser, { ...carriedToHub(app, au, hub), ...rest }));
  au.lastSync = hubUser.lastUpdated;
  logAppUserPush(org, app, au, 'application.provision.user.push_profile', "Push user's profile to app");
}

/** After an unassignment: deactivate in the Hub (Deactivate Users) and leave pushed groups. */
export function deprovisionAppUser(world: SimWorld, org: SimOrg, app: SimApp, au: SimAppUser): void {
  const hub = pushing(world, app);
  if (!hub || !au.externalId) return;
  const hubUser = hub.users.get(au.externalId);
  if (!hubUser) return;
  const deactivate = app.provisioning.deactivate && hubUser.status !== 'DEPROVISIONED';
  inHub(app, hub, () => {
    for (const m of app.pushMappings.values()) {
      if (m.status !== 'ACTIVE') continue;
      const target = hub.groups.get(m.hubGroupId);
      if (target) hub.removeMember(target, hubUser);
    }
    if (deactivate) hub.setUserStatus(hubUser, 'DEPROVISIONED', 'user.lifecycle.deactivate', 'Deactivate Okta user');
  });
  if (deactivate) logAppUserPush(org, app, au, 'application.provision.user.deactivate', 'Deactivate user in app');
}

/** Hub user id of a Spoke user when that user is a provisioned member of the app. */
function provisionedHubUserId(app: SimApp, userId: string): string | undefined {
  const au = app.users.get(userId);
  return au && au.status === 'PROVISIONED' && au.externalId ? au.externalId : undefined;
}

/** Full push of one mapping: the Hub group's members become the source group's provisioned members. */
export function pushMapping(world: SimWorld, org: SimOrg, app: SimApp, m: SimPushMapping): void {
  const before = pushOutcome(m);
  pushMappingNow(world, org, app, m);
  logPushOutcome(org, app, m, before);
}

/** What a Group Push run shows on its mapping (`lastPush`, `status`, `errorSummary`). */
function pushOutcome(m: SimPushMapping): string {
  return JSON.stringify([m.status, m.lastPush, m.errorSummary]);
}

/** A push run that moved what its mapping shows is logged in the Spoke (application.provision.group_push.push_memberships). */
function logPushOutcome(org: SimOrg, app: SimApp, m: SimPushMapping, before: string): void {
  if (pushOutcome(m) === before) return;
  const source = org.groups.get(m.sourceGroupId);
  logEvent(org, {
    eventType: 'application.provision.group_push.push_memberships',
    displayMessage: 'Push group memberships to the app',
    targets: [...(source ? [groupTarget(source)] : []), appTarget(app)],
    outcome: m.status === 'ERROR' || m.errorSummary !== null ? 'FAILURE' : 'SUCCESS',
  });
}

function pushMappingNow(world: SimWorld, org: SimOrg, app: SimApp, m: SimPushMapping): void {
  if (m.status !== 'ACTIVE') return;
  const pushTo = pushTarget(world, app, 'groups');
  if (pushTo && 'error' in pushTo) m.errorSummary = pushTo.error.replace('of user to app', 'of group to app');
  if (!pushTo || 'error' in pushTo) return;
  const hub = pushTo.hub;
  const source = org.groups.get(m.sourceGroupId);
  const target = hub.groups.get(m.hubGroupId);
  if (!source || !target) {
    m.status = 'ERROR';
    m.errorSummary = !source ? 'Source group no longer exists.' : 'Target group no longer exists in the target org.';
    return;
  }
  const wanted = new Set<string>();
  for (const userId of source.members) {
    const hubId = provisionedHubUserId(app, userId);
    if (hubId) wanted.add(hubId);
  }
  let pushed = false;
  inHub(app, hub, () => {
    for (const hubId of [...target.members]) {
      if (!wanted.has(hubId)) pushed = hub.removeMember(target, hub.users.get(hubId)!) || pushed;
    }
    for (const hubId of wanted) {
      const u = hub.users.get(hubId);
      if (u) pushed = hub.addMember(target, u) || pushed;
    }
  });
  target.profile.description ??= `Pushed from ${org.url}`;
  // Recorded: a new mapping of an empty group has no lastPush; it is set once members are pushed.
  if (pushed || m.lastPush !== null) m.lastPush = nowIso();
  m.errorSummary = null;
}

/** Incremental push for one Spoke user across the app's ACTIVE mappings. */
export function syncUserPushMemberships(world: SimWorld, org: SimOrg, app: SimApp, userId: string): void {
  if (app.pushMappings.size === 0) return;
  const hub = pushing(world, app, 'groups');
  if (!hub || app.pushMappings.size === 0) return;
  const spokeUser = org.users.get(userId);
  const au = app.users.get(userId);
  const hubUser = au?.externalId ? hub.users.get(au.externalId) : undefined;
  if (!hubUser) return;
  const provisioned = provisionedHubUserId(app, userId) !== undefined;
  for (const m of app.pushMappings.values()) {
    if (m.status !== 'ACTIVE') continue;
    const target = hub.groups.get(m.hubGroupId);
    if (!target) continue;
    const inSource = spokeUser?.groupIds.has(m.sourceGroupId) ?? false;
    const changed = inHub(app, hub, () => (inSource && provisioned ? hub.addMember(target, hubUser) : hub.removeMember(target, hubUser)));
    if (changed) {
      const before = pushOutcome(m);
      m.lastPush = nowIso();
      logPushOutcome(org, app, m, before);
    }
  }
}

/**
 * The APP_GROUP that stands in the Spoke for a Hub group, made if missing. Okta names it after
 * the Hub group and answers its id as a push mapping's `targetGroupId` (recorded).
 */
export function mirrorHubGroup(org: SimOrg, app: SimApp, hubGroup: SimGroup): SimGroup {
  const existing = org.findMirror(app.id, hubGroup.id);
  if (existing) return existing;
  const mirror = org.addGroup(hubGroup.profile.name, hubGroup.profile.description, 'APP_GROUP');
  mirror.mirrorOf = { appId: app.id, hubGroupId: hubGroup.id };
  return mirror;
}

/**
 * The console's group import (To Okta → Import): every Hub group gets its APP_GROUP in the Spoke.
 * Okta's docs say a push can link to an existing Hub group only after this; no API does it, so
 * tests and seeds call it (`importHubGroups: true` on a seed app).
 */
export function importHubGroups(world: SimWorld, org: SimOrg, app: SimApp): number {
  const hub = hubOf(world, app);
  if (!hub) return 0;
  let made = 0;
  for (const group of hub.groups.values()) {
    if (group.type !== 'OKTA_GROUP' || org.findMirror(app.id, group.id)) continue;
    mirrorHubGroup(org, app, group);
    made++;
  }
  return made;
}

/** Creates (or returns) the app user for a Spoke user and pushes it. */
export function assignUser(
  world: SimWorld,
  org: SimOrg,
  app: SimApp,
  user: SimUser,
  fields: { scope: 'USER' | 'GROUP'; userName?: string; profile?: Record<string, unknown> },
): { appUser: SimAppUser; created: boolean } {
  const existing = app.users.get(user.id);
  const now = nowIso();
  if (existing) {
    if (fields.scope === 'USER') existing.scope = 'USER';
    if (fields.profile) Object.assign(existing.profile, fields.profile);
    if (fields.userName) existing.userName = fields.userName;
    existing.lastUpdated = now;
    logAppUser(org, app, user, 'update');
    // Assigning again retries a push that failed.
    if (existing.syncState === 'ERROR') provisionAppUser(world, org, app, existing);
    else pushProfile(world, org, app, existing);
    return { appUser: existing, created: false };
  }
  // The "Okta User → app" mapping fills the app user's mapped attributes on create (PUSH and DONT_PUSH alike).
  const profile: Record<string, unknown> = isOrg2Org(app)
    ? { initialStatus: 'active_without_pass', ...mappedValues(org, app, user, 'create') }
    : {};
  const appUser: SimAppUser = {
    id: user.id,
    seq: 0,
    scope: fields.scope,
    status: 'ACTIVE',
    syncState: 'DISABLED',
    externalId: null,
    userName: fields.userName ?? user.profile.login,
    profile: { ...profile, ...(fields.profile ?? {}) },
    created: now,
    lastUpdated: now,
    statusChanged: now,
    lastSync: null,
    passwordChanged: null,
    errorSummary: null,
  };
  app.users.add(appUser);
  logAppUser(org, app, user, 'add');
  provisionAppUser(world, org, app, appUser);
  return { appUser, created: true };
}

const APP_USER_MESSAGES = {
  add: 'Add user to application membership',
  update: 'Update user application membership',
  remove: 'Remove user from application membership',
};

/** application.user_membership.*: an app user added, changed or removed, directly or through a group. */
function logAppUser(org: SimOrg, app: SimApp, user: SimUser | undefined, change: 'add' | 'update' | 'remove', userId?: string): void {
  const target = user
    ? userTarget(user)
    : { id: userId ?? 'unknown', type: 'User', alternateId: 'unknown', displayName: 'unknown', detailEntry: null };
  logEvent(org, {
    eventType: `application.user_membership.${change}`,
    displayMessage: APP_USER_MESSAGES[change],
    targets: [target, appTarget(app)],
  });
}

export function unassignUser(world: SimWorld, org: SimOrg, app: SimApp, userId: string): boolean {
  const au = app.users.get(userId);
  if (!au) return false;
  logAppUser(org, app, org.users.get(userId), 'remove', userId);
  app.users.delete(userId);
  deprovisionAppUser(world, org, app, au);
  return true;
}

/** Keeps GROUP-scoped assignments and pushed groups in step after a Spoke membership change. */
export function onMembershipChanged(world: SimWorld, org: SimOrg, group: SimGroup, user: SimUser): void {
  for (const app of org.apps.values()) {
    if (app.groups.has(group.id)) {
      // A deactivated user keeps its groups but gets no app through them until it is activated again.
      if (user.groupIds.has(group.id)) {
        if (user.status !== 'DEPROVISIONED') assignUser(world, org, app, user, { scope: 'GROUP' });
      } else {
        const au = app.users.get(user.id);
        const stillCovered = [...user.groupIds].some((gid) => app.groups.has(gid));
        if (au && au.scope === 'GROUP' && !stillCovered) unassignUser(world, org, app, user.id);
      }
    }
    if (app.users.has(user.id)) syncUserPushMemberships(world, org, app, user.id);
  }
}

/** A deactivated user activated again: the apps its groups are assigned come back (GROUP scope). */
export function onUserReactivated(world: SimWorld, org: SimOrg, user: SimUser): void {
  for (const gid of user.groupIds) {
    const group = org.groups.get(gid);
    if (group) onMembershipChanged(world, org, group, user);
  }
}

/**
 * Before a group is deleted (its members already removed): its app assignments go (logged as
 * unassignments), and so do the push mappings it is the source of (the Hub group stays).
 */
export function onGroupDeleted(org: SimOrg, group: SimGroup): void {
  for (const app of org.apps.values()) {
    if (app.groups.delete(group.id)) {
      logEvent(org, {
        eventType: 'group.application_assignment.remove',
        displayMessage: 'Remove assigned application from group',
        targets: [groupTarget(group), appTarget(app)],
      });
    }
    for (const m of app.pushMappings.values().filter((m) => m.sourceGroupId === group.id)) {
      app.pushMappings.delete(m.id);
      logEvent(org, {
        eventType: 'application.provision.group_push.mapping.deleted',
        displayMessage: 'Group push mapping deleted',
        targets: [groupTarget(group), appTarget(app)],
      });
    }
  }
}
