/**
 * `apply --wait`: after the writes, follow Okta's provisioning until the touched app users and
 * push mappings have settled (or the timeout), then look in the Hub for the users and groups
 * and say, per object, whether it arrived as the config asks.
 * Reads use list endpoints and batched searches, never one GET per user, so that many parallel
 * apply jobs stay inside the Hub's buckets.
 */
import { expressionReads, plainReference } from '../config/okta-el.js';
import type { InitialStatus } from '../config/types.js';
import type { Change, Plan } from '../plan/types.js';
import { assignedGroupsOfUser, listAppUsers, listPushMappings } from '../state/read-app.js';
import { findGroupsByName, findUsersByLogin, getUserByLogin, readMemberLoginKeys } from '../state/read-directory.js';
import type { DirectoryUser, LiveAppUser, LivePushMapping } from '../state/types.js';
import type { ApplyClients } from './apply-plan.js';
import type { ApplyEvent, ApplyResult, HubVerification } from './types.js';
import { addressOf } from '../plan/address.js';

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
  onEvent?: (event: ApplyEvent) => void;
  /**
   * The Hub users the plan read (by login key), when it read the Hub: a user found there existed
   * before this apply. Undefined when the Hub was not read, so nothing is known about before.
   */
  hubUsersBefore?: Record<string, DirectoryUser>;
}

/**
 * The Hub user status an app user's `initialStatus` leads to (the simulator maps it the same
 * way): with a password the user is ACTIVE; without one Okta sends an activation email and
 * the user is PROVISIONED (pending activation) until it is used; pending_* leave the user STAGED.
 */
export function hubStatusFor(initialStatus: InitialStatus): string {
  switch (initialStatus) {
    case 'active_with_pass':
      return 'ACTIVE';
    case 'active_without_pass':
      return 'PROVISIONED';
    case 'pending_with_pass':
    case 'pending_without_pass':
      return 'STAGED';
  }
}

interface TouchedUser {
  spoke: string;
  appId: string;
  userId: string;
  login: string;
  initialStatus?: InitialStatus;
  /** Spoke-side outcome once settled. */
  settled?: { ok: boolean; detail: string };
}

interface PushedGroup {
  spoke: string;
  appId: string;
  sourceGroupId: string;
  sourceName: string;
  targetName: string;
  settled?: { ok: boolean; detail: string };
}

export async function waitForProvisioning(
  plan: Plan,
  result: ApplyResult,
  clients: ApplyClients,
  options: WaitOptions,
): Promise<HubVerification[]> {
  const emit = options.onEvent ?? (() => {});
  const { users, groups } = touchedByApply(plan, result);
  const total = users.length + groups.length;
  if (total === 0) return [];
  await pollUntilSettled(users, groups, clients, options, emit);
  const attributes = carriedByApply(plan, result);

  const waited = options.timeoutMs >= 1000 ? `${Math.round(options.timeoutMs / 1000)} s` : `${options.timeoutMs} ms`;
  for (const user of users) {
    user.settled ??= { ok: false, detail: `not provisioned after ${waited} (still pending in ${user.spoke})` };
  }
  for (const group of groups) {
    group.settled ??= { ok: false, detail: `not pushed after ${waited}` };
  }

  if (!clients.hub) {
    return [
      ...users.map((u) =>
        verification('user', u.spoke, u.login, u.settled!.ok, `${u.settled!.detail}; the Hub was not checked (no hub.auth in the config)`),
      ),
      ...groups.map((g) =>
        verification(
          'group',
          g.spoke,
          g.targetName,
          g.settled!.ok,
          `${g.settled!.detail}; the Hub was not checked (no hub.auth in the config)`,
        ),
      ),
    ];
  }
  emit({ type: 'wait-progress', message: 'reading the Hub', done: total, total });
  return [
    ...(await verifyHubUsers(users, clients, options.hubUsersBefore)),
    ...(await verifyHubGroups(groups, clients)),
    ...(await verifyCarriedAttributes(attributes, users, clients)),
  ];
}

/** Hub users sampled per Spoke for each carried attribute: enough to see a mapping work, few enough to stay cheap. */
export const ATTRIBUTE_SAMPLE = 10;

interface CarriedAttribute {
  spoke: string;
  name: string;
  expression: string;
}

/** The mapping properties this apply set (attribute.set that applied). */
function carriedByApply(plan: Plan, result: ApplyResult): CarriedAttribute[] {
  const applied = new Set(result.results.filter((r) => r.outcome === 'applied').map((r) => r.address));
  const out: CarriedAttribute[] = [];
  for (const change of plan.spokes.flatMap((s) => s.changes)) {
    if (change.op.type === 'attribute.set' && applied.has(addressOf(change))) {
      out.push({ spoke: change.resource.spoke, name: change.op.name, expression: change.op.expression });
    }
  }
  return out;
}

/**
 * Whether the Hub users this apply created carry each attribute whose mapping it set (Okta fills
 * mapped attributes when it creates a Hub user): for a sample of them per Spoke, the Hub user's
 * value against the Spoke user's, where the Spoke user has one. A source that is one attribute
 * (`user.department`) or a literal (`"emea"`) is compared for equality; any other expression
 * (org2org never evaluates Okta EL) for presence, when every attribute it reads has a value.
 * Users that were in the Hub already get a PUSH attribute only at their next profile push: not sampled.
 */
async function verifyCarriedAttributes(
  attributes: CarriedAttribute[],
  users: TouchedUser[],
  clients: ApplyClients,
): Promise<HubVerification[]> {
  if (attributes.length === 0 || !clients.hub) return [];
  const hub = clients.hub;
  const out: HubVerification[] = [];
  for (const spoke of [...new Set(attributes.map((a) => a.spoke))]) {
    const carried = attributes.filter((a) => a.spoke === spoke);
    const client = clients.spokes[spoke];
    const sample = users.filter((u) => u.spoke === spoke && u.initialStatus !== undefined && u.settled?.ok).slice(0, ATTRIBUTE_SAMPLE);
    if (!client || sample.length === 0) continue;
    const profiles = await Promise.all(
      sample.map(async (u) => {
        const [spokeUser, hubUser] = await Promise.all([
          client.get<{ profile?: Record<string, unknown> }>(`/api/v1/users/${encodeURIComponent(u.userId)}`).catch(() => undefined),
          hub.get<{ profile?: Record<string, unknown> }>(`/api/v1/users/${encodeURIComponent(u.login)}`).catch(() => undefined),
        ]);
        return { login: u.login, spoke: spokeUser?.profile, hub: hubUser?.profile };
      }),
    );
    for (const attribute of carried) {
      const wrong: string[] = [];
      let checked = 0;
      for (const p of profiles) {
        if (!p.spoke || !p.hub) continue;
        const expected = expectedValue(attribute.expression, p.spoke);
        if (expected.kind === 'unknown') continue;
        checked++;
        const actual = p.hub[attribute.name];
        const ok =
          expected.kind === 'value' ? sameScalar(actual, expected.value) : actual !== undefined && actual !== null && actual !== '';
        if (!ok)
          wrong.push(
            `${p.login} has ${JSON.stringify(actual ?? null)}${expected.kind === 'value' ? `, the Spoke ${JSON.stringify(expected.value)}` : ''}`,
          );
      }
      if (checked === 0) continue;
      out.push(
        verification(
          'attribute',
          spoke,
          attribute.name,
          wrong.length === 0,
          wrong.length === 0
            ? `${checked} of ${checked} sampled Hub users created by this apply have it as the Spoke does`
            : `${wrong.length} of ${checked} sampled Hub users don't: ${wrong.slice(0, 3).join('; ')}${wrong.length > 3 ? '; …' : ''}`,
        ),
      );
    }
  }
  return out;
}

/** What a Hub user should hold for a source expression, given the Spoke user's profile. */
function expectedValue(
  expression: string,
  profile: Record<string, unknown>,
): { kind: 'value'; value: unknown } | { kind: 'present' } | { kind: 'unknown' } {
  const literal = /^\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*$/.exec(expression);
  if (literal) return { kind: 'value', value: (literal[1] ?? literal[2] ?? '').replace(/\\(.)/g, '$1') };
  const only = plainReference(expression);
  const has = (name: string): boolean => profile[name] !== undefined && profile[name] !== null && profile[name] !== '';
  if (only !== undefined) return has(only) ? { kind: 'value', value: profile[only] } : { kind: 'unknown' };
  const read = expressionReads(expression);
  return 'reads' in read && read.reads.length > 0 && read.reads.every(has) ? { kind: 'present' } : { kind: 'unknown' };
}

function sameScalar(a: unknown, b: unknown): boolean {
  return a === b || (a !== null && b !== null && a !== undefined && b !== undefined && String(a) === String(b));
}

/** The users assigned and the groups pushed (ACTIVE) by changes that applied, with their app's id. */
function touchedByApply(plan: Plan, result: ApplyResult): { users: TouchedUser[]; groups: PushedGroup[] } {
  const applied = new Set(result.results.filter((r) => r.outcome === 'applied').map((r) => r.address));
  const changes = plan.spokes.flatMap((s) => s.changes).filter((c) => applied.has(addressOf(c)));
  const appIdOf = (change: Change, planned: string | null): string | undefined => planned ?? result.appIds?.[change.resource.spoke];
  const users: TouchedUser[] = [];
  const groups: PushedGroup[] = [];
  for (const change of changes) {
    const op = change.op;
    if (op.type === 'assignment.user.assign' || op.type === 'assignment.user.update') {
      const appId = appIdOf(change, op.appId);
      if (appId === undefined) continue;
      const user: TouchedUser = { spoke: change.resource.spoke, appId, userId: op.userId, login: op.login };
      // initialStatus acts only when the Hub user is created: an updated assignment keeps the
      // Hub user's status, so only its presence is checked.
      if (op.type === 'assignment.user.assign') user.initialStatus = op.initialStatus;
      users.push(user);
    } else if ((op.type === 'pushMapping.create' || op.type === 'pushMapping.update') && op.status === 'ACTIVE') {
      const appId = appIdOf(change, op.appId);
      if (appId === undefined) continue;
      groups.push({
        spoke: change.resource.spoke,
        appId,
        sourceGroupId: op.sourceGroupId,
        sourceName: change.name,
        targetName: op.targetGroupName,
      });
    }
  }
  return { users, groups };
}

/** Reads the Spokes every `pollMs` until every user and group has settled or the next round would pass the timeout. */
async function pollUntilSettled(
  users: TouchedUser[],
  groups: PushedGroup[],
  clients: ApplyClients,
  options: WaitOptions,
  emit: (event: ApplyEvent) => void,
): Promise<void> {
  const total = users.length + groups.length;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    await pollSpokes(users, groups, clients);
    const done = users.filter((u) => u.settled).length + groups.filter((g) => g.settled).length;
    emit({ type: 'wait-progress', message: `provisioning: ${done} of ${total} settled`, done, total });
    if (done === total || Date.now() + options.pollMs > deadline) return;
    await sleep(options.pollMs);
  }
}

/** One round of reads: every app with pending users or mappings is listed once. */
async function pollSpokes(users: TouchedUser[], groups: PushedGroup[], clients: ApplyClients): Promise<void> {
  const apps = new Map<string, { spoke: string; appId: string }>();
  for (const item of [...users, ...groups]) {
    if (!item.settled) apps.set(`${item.spoke} ${item.appId}`, { spoke: item.spoke, appId: item.appId });
  }
  await Promise.all(
    [...apps.values()].map(async ({ spoke, appId }) => {
      const client = clients.spokes[spoke];
      if (!client) return;
      const pendingUsers = users.filter((u) => !u.settled && u.spoke === spoke && u.appId === appId);
      const pendingGroups = groups.filter((g) => !g.settled && g.spoke === spoke && g.appId === appId);
      if (pendingUsers.length > 0) {
        const appUsers = new Map((await listAppUsers(client, appId)).map((u) => [u.userId, u]));
        for (const user of pendingUsers) settleUser(user, appUsers.get(user.userId));
      }
      if (pendingGroups.length > 0) {
        const mappings = await listPushMappings(client, appId);
        for (const group of pendingGroups)
          settleGroup(
            group,
            mappings.find((m) => m.sourceGroupId === group.sourceGroupId),
          );
      }
    }),
  );
}

function settleUser(user: TouchedUser, appUser: LiveAppUser | undefined): void {
  if (!appUser) {
    user.settled = { ok: false, detail: `not assigned in ${user.spoke} any more` };
  } else if (appUser.syncState === 'ERROR') {
    user.settled = { ok: false, detail: `provisioning failed in ${user.spoke}: ${appUser.errorSummary ?? 'syncState ERROR'}` };
  } else if (appUser.status === 'PROVISIONED' || appUser.syncState === 'SYNCHRONIZED') {
    user.settled = { ok: true, detail: `${appUser.status} in ${user.spoke}` };
  }
}

function settleGroup(group: PushedGroup, mapping: LivePushMapping | undefined): void {
  if (!mapping) {
    group.settled = { ok: false, detail: `no push mapping for ${group.sourceName} in ${group.spoke}` };
  } else if (mapping.status === 'ERROR') {
    group.settled = { ok: false, detail: `push failed in ${group.spoke}: ${mapping.errorSummary ?? 'status ERROR'}` };
  } else if (mapping.status === 'ACTIVE') {
    // Real Okta sends no lastPush for a mapping that had no members to push yet (recorded), so
    // an ACTIVE mapping is settled as it is; the Hub group's members are what gets verified.
    group.settled = { ok: true, detail: mapping.lastPush ? `pushed from ${group.spoke}` : `active in ${group.spoke}` };
  }
}

async function verifyHubUsers(
  users: TouchedUser[],
  clients: ApplyClients,
  before: Record<string, DirectoryUser> | undefined,
): Promise<HubVerification[]> {
  const hub = clients.hub!;
  // Batched, OR-ed login searches (the same reader plan uses): a few calls for many users.
  const found = await findUsersByLogin(
    hub,
    users.map((u) => u.login),
  );
  // A search can trail a write (Okta's spec says so): a miss is looked up by login before it counts.
  const missed = [...new Set(users.map((u) => u.login.toLowerCase()).filter((key) => !found[key]))];
  const rechecked = await Promise.all(missed.map((key) => getUserByLogin(hub, key)));
  rechecked.forEach((user, i) => {
    if (user) found[missed[i]!] = user;
  });
  return Promise.all(
    users.map(async (user) => {
      const hubUser = found[user.login.toLowerCase()];
      if (!hubUser) return verification('user', user.spoke, user.login, false, `not in the Hub (${user.settled!.detail})`);
      if (!user.initialStatus) {
        return verification(
          'user',
          user.spoke,
          user.login,
          user.settled!.ok,
          `${hubUser.status} in the Hub (initialStatus acts only when the Hub user is created)`,
        );
      }
      const expected = hubStatusFor(user.initialStatus);
      if (hubUser.status === expected)
        return verification('user', user.spoke, user.login, true, `${hubUser.status} as asked by ${user.initialStatus}`);
      const cause = await statusCause(user, clients, before);
      return verification(
        'user',
        user.spoke,
        user.login,
        false,
        `${hubUser.status} in the Hub, but ${user.initialStatus} asks for ${expected}: ${cause}`,
      );
    }),
  );
}

/**
 * Why a Hub user made for a new direct assignment has another status than its initialStatus asks,
 * from what was read (Okta uses initialStatus only when it creates the Hub user): the plan found
 * the Hub user already there; or a group of hers assigned to the app had Okta create it first; or,
 * when neither is known, what was and wasn't seen.
 */
async function statusCause(user: TouchedUser, clients: ApplyClients, before: Record<string, DirectoryUser> | undefined): Promise<string> {
  const existing = before?.[user.login.toLowerCase()];
  if (existing) {
    return `her Hub user existed before this apply (the plan read it, ${existing.status}), and Okta matches an existing Hub user and keeps its status`;
  }
  const spoke = clients.spokes[user.spoke];
  let groups: string[] | undefined;
  try {
    groups = spoke ? await assignedGroupsOfUser(spoke, user.appId, user.userId) : undefined;
  } catch {
    groups = undefined; // the cause stays unknown; the mismatch itself is what matters
  }
  const viaGroups = groups && groups.length > 0 ? groups.map((g) => JSON.stringify(g)).join(', ') : undefined;
  if (before && viaGroups) {
    return `her Hub user was created through the group assignment of ${viaGroups} before her direct assignment landed (the plan found no Hub user), so without her initialStatus; Okta won't apply it now`;
  }
  if (before) {
    return `her Hub user was created during this apply (the plan found none), though no group of hers is assigned to the app: something else created or matched it`;
  }
  if (viaGroups) {
    return `she is also assigned through ${viaGroups}, which may have created her Hub user first (the plan couldn't read the Hub, so whether it existed before is unknown)`;
  }
  return 'the plan could not read the Hub, so a Hub user that existed before (Okta matches it and keeps its status) is the likely cause';
}

/**
 * A pushed Hub group should hold exactly the source group's members that are assigned to the app
 * (Okta pushes only users it provisions).
 */
async function verifyHubGroups(groups: PushedGroup[], clients: ApplyClients): Promise<HubVerification[]> {
  const hub = clients.hub!;
  const assignedBySpokeApp = new Map<string, Set<string>>();
  const out: HubVerification[] = [];
  const hubGroups = await findGroupsByName(
    hub,
    groups.map((g) => g.targetName),
  );
  for (const group of groups) {
    const spokeClient = clients.spokes[group.spoke];
    const hubGroup = hubGroups[group.targetName];
    if (!hubGroup) {
      out.push(verification('group', group.spoke, group.targetName, false, `not in the Hub (${group.settled!.detail})`));
      continue;
    }
    if (!spokeClient || !group.sourceGroupId) {
      out.push(verification('group', group.spoke, group.targetName, group.settled!.ok, 'in the Hub; members not compared'));
      continue;
    }
    const key = `${group.spoke} ${group.appId}`;
    let assigned = assignedBySpokeApp.get(key);
    if (!assigned) {
      assigned = new Set((await listAppUsers(spokeClient, group.appId)).map((u) => u.loginKey));
      assignedBySpokeApp.set(key, assigned);
    }
    const expected = (await readMemberLoginKeys(spokeClient, group.sourceGroupId)).filter((login) => assigned.has(login));
    const actual = new Set(await readMemberLoginKeys(hub, hubGroup.id));
    const missing = expected.filter((login) => !actual.has(login));
    out.push(
      missing.length === 0
        ? verification('group', group.spoke, group.targetName, true, `in the Hub with all ${expected.length} expected members`)
        : verification(
            'group',
            group.spoke,
            group.targetName,
            false,
            `in the Hub, missing ${missing.length} of ${expected.length} members: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
          ),
    );
  }
  return out;
}

function verification(kind: HubVerification['kind'], spoke: string, name: string, ok: boolean, detail: string): HubVerification {
  return { kind, spoke, name, ok, detail };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
