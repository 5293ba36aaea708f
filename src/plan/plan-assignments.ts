/**
 * User and group assignments. Users pair by login key, groups by name (pairByKey), so that
 * 100,000 assignments plan in linear time.
 *
 * Security answers are write-only in Okta, so they are never diffed: an answer is sent when the
 * user is assigned, and again only when the security question changes (a new question needs its
 * answer). The change says so in its notes.
 */
import type { AppUserAttributeNames, DesiredGroupAssignment, DesiredUserAssignment } from '../config/types.js';
import { SENSITIVE } from '../credentials.js';
import type { LiveAppGroup, LiveAppUser } from '../state/types.js';
import { addressOf, formatAddress, type ResourceKey } from './address.js';
import { compareKeys, pairByKey, planUnlisted } from './pair.js';
import {
  countOf,
  deactivatesUsers,
  diagnose,
  didYouMean,
  makeChange,
  orNull,
  sameValue,
  sample,
  sides,
  type SpokeContext,
} from './spoke-context.js';
import type { AttributeChange, Change, PlanOp } from './types.js';

/** Okta's name for the initial status; the other two are what a new app's schema is assumed to use. */
const CONVENTIONAL_NAMES: AppUserAttributeNames = {
  initialStatus: 'initialStatus',
  securityQuestion: 'securityQuestion',
  securityAnswer: 'securityAnswer',
};

const STATUS_NOTE =
  'initialStatus takes effect when the Hub user is created: this user is already provisioned, so its Hub status stays as it is.';

const ANSWER_NOTE = 'The security answer is write-only in Okta: it is sent on assignment and when the question changes, never compared.';

/**
 * App-user attribute names: the config's, else the live schema's. Before the app exists there is
 * no schema to read, so Okta's conventional names are assumed (and said, when an unsure one is used).
 * Undefined entries are names that can't be known: using them is an error.
 */
function attributeNames(ctx: SpokeContext): Partial<AppUserAttributeNames> {
  const configured = ctx.desired.assignments.attributeNames ?? {};
  const schema = ctx.live.appUserSchema;
  const fallback: Partial<AppUserAttributeNames> = schema
    ? { initialStatus: schema.initialStatus, securityQuestion: schema.securityQuestion, securityAnswer: schema.securityAnswer }
    : ctx.live.app === null
      ? CONVENTIONAL_NAMES
      : {};
  return {
    initialStatus: configured.initialStatus ?? fallback.initialStatus,
    securityQuestion: configured.securityQuestion ?? fallback.securityQuestion,
    securityAnswer: configured.securityAnswer ?? fallback.securityAnswer,
  };
}

/** What planning a Spoke's user assignments gathers beside its changes, said once at the end. */
interface UserPlanning {
  ctx: SpokeContext;
  names: Partial<AppUserAttributeNames>;
  /** The app-user schema's attributes; undefined when there is no schema to check against. */
  known: Set<string> | undefined;
  /** Attribute names a listed user needs that can't be known. */
  missingNames: Set<keyof AppUserAttributeNames>;
  /** Some listed user has a security question or answer. */
  usesSecurity: boolean;
  /** Logins of listed users the Spoke org doesn't have (missingUsers: skip). */
  skipped: string[];
}

const USER_KEYS = { desired: (user: DesiredUserAssignment) => user.loginKey, live: (appUser: LiveAppUser) => appUser.loginKey };

export function planUserAssignments(ctx: SpokeContext): void {
  const run: UserPlanning = {
    ctx,
    names: attributeNames(ctx),
    known: ctx.live.appUserSchema ? new Set(ctx.live.appUserSchema.attributes) : undefined,
    missingNames: new Set(),
    usesSecurity: false,
    skipped: [],
  };
  const pairing = pairByKey(ctx.desired.assignments.users, ctx.live.appUsers, USER_KEYS, {
    both: (user, appUser) => planAssignedUser(run, user, appUser),
    desiredOnly: (user) => planUnassignedUser(run, user),
  });
  reportUserPlanning(run);
  const deactivates = deactivatesUsers(ctx);
  planUnlisted(ctx, {
    mode: ctx.desired.assignments.mode,
    // Group-scoped app users are never touched: their group assignment decides.
    unlisted: () =>
      pairing
        .liveOnly()
        .filter((u) => u.scope === 'USER')
        .sort((a, b) => compareKeys(a.loginKey, b.loginKey)),
    noun: ['user', 'users'],
    state: 'assigned directly',
    list: 'assignments.users',
    nameOf: (appUser) => appUser.login,
    removal: (appUser) => userRemoval(ctx, appUser, deactivates),
    removals: ctx.removals,
  });
}

/** A listed user the app doesn't have: assigned when the Spoke org has the user. */
function planUnassignedUser(run: UserPlanning, user: DesiredUserAssignment): void {
  const { ctx } = run;
  // Looked up only here: a large Spoke's listed users are nearly all assigned already.
  const directoryUser = ctx.live.users[user.loginKey];
  if (!directoryUser) {
    if (ctx.desired.assignments.missingUsers === 'skip') {
      run.skipped.push(user.login);
      return;
    }
    diagnose(
      ctx,
      'error',
      `${user.login}: no such user in the ${ctx.desired.name} Spoke org; create the user there, remove it from assignments.users, or set assignments.missingUsers: skip`,
      {
        address: formatAddress({ spoke: ctx.desired.name, kind: 'assignment.user', key: user.loginKey }),
        pos: user.pos,
      },
    );
    return;
  }
  if (!fitsSchema(run, user)) return;
  const wanted = wantedProfile(user, run.names, run.missingNames);
  if (wanted === undefined) return;
  const change = directAssignment(run, user, wanted, directoryUser.id, undefined);
  (ctx.newDirectAssignments ??= new Map()).set(user.loginKey, addressOf(change));
  ctx.forward.push(change);
}

/** A listed user the app has: a noop, a direct assignment over a group one, or a profile update. */
function planAssignedUser(run: UserPlanning, user: DesiredUserAssignment, appUser: LiveAppUser): void {
  if (!fitsSchema(run, user)) return;
  // Fast path for the common case on large spokes: nothing to do, nothing allocated.
  if (appUser.scope === 'USER' && matches(user, appUser, run.names)) {
    run.ctx.noops++;
    return;
  }
  const wanted = wantedProfile(user, run.names, run.missingNames);
  if (wanted === undefined) return;
  if (appUser.scope !== 'USER') run.ctx.forward.push(directAssignment(run, user, wanted, appUser.userId, appUser));
  else planProfileUpdate(run, user, appUser, wanted);
}

/** False (and an error said) when the user's profile has attributes the app-user schema lacks. */
function fitsSchema(run: UserPlanning, user: DesiredUserAssignment): boolean {
  if (user.securityQuestion !== undefined || user.securityAnswer !== undefined) run.usesSecurity = true;
  const unknown = run.known ? unknownKeys(user.profile, run.known) : undefined;
  if (unknown === undefined) return true;
  diagnose(
    run.ctx,
    'error',
    `${user.login}: profile attribute${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} not in the app-user schema of ${run.ctx.desired.name}`,
    {
      address: formatAddress({ spoke: run.ctx.desired.name, kind: 'assignment.user', key: user.loginKey }),
      pos: user.pos,
    },
  );
  return false;
}

/** The change that assigns a user directly (scope USER): new, or over an assignment through a group. */
function directAssignment(
  run: UserPlanning,
  user: DesiredUserAssignment,
  wanted: WantedProfile,
  userId: string,
  appUser: LiveAppUser | undefined,
): Change {
  const { ctx, names } = run;
  const attributes: AttributeChange[] = Object.entries(wanted.display).map(([name, after]) => ({
    name,
    before: appUser ? orNull(liveAttribute(appUser, name, names)) : null,
    after,
    ...(after === SENSITIVE ? { sensitive: true } : {}),
  }));
  if (appUser) attributes.unshift({ name: 'scope', before: appUser.scope, after: 'USER' });
  return makeChange(ctx, {
    resource: { spoke: ctx.desired.name, kind: 'assignment.user', key: user.loginKey },
    action: appUser ? 'update' : 'create',
    name: user.login,
    ...(appUser ? sides(attributes) : { after: { login: user.login, ...wanted.display } }),
    attributes,
    ...(user.securityAnswer !== undefined ? { instructions: [ANSWER_NOTE] } : {}),
    dependsOn: [ctx.appCreate, ctx.createUsersChange],
    ...(appUser ? { liveFingerprint: appUser.fingerprint } : {}),
    writes: 1,
    op: {
      type: 'assignment.user.assign',
      appId: ctx.appId,
      userId,
      login: user.login,
      profile: wanted.op,
      initialStatus: user.initialStatus,
    },
  });
}

/**
 * A direct assignment whose profile differs: an update, or a noop when nothing differs or only
 * the initial status of a user already in the Hub does (Okta uses it only to create the Hub user).
 */
function planProfileUpdate(run: UserPlanning, user: DesiredUserAssignment, appUser: LiveAppUser, wanted: WantedProfile): void {
  const { ctx, names } = run;
  const attributes: AttributeChange[] = [];
  let questionChanged = false;
  for (const [name, after] of Object.entries(wanted.display)) {
    if (name === names.securityAnswer) continue;
    const before = liveAttribute(appUser, name, names);
    if (!sameValue(before, after)) {
      attributes.push({ name, before: orNull(before), after });
      if (name === names.securityQuestion) questionChanged = true;
    }
  }
  if (attributes.length === 0) {
    ctx.noops++;
    return;
  }
  const inHub = appUser.externalId !== undefined;
  if (inHub && attributes.length === 1 && attributes[0]!.name === names.initialStatus) {
    ctx.noops++;
    ctx.statusOnly.push(user.login);
    return;
  }
  const hasAnswer = user.securityAnswer !== undefined;
  const notes = hasAnswer ? [ANSWER_NOTE] : [];
  if (inHub && attributes.some((a) => a.name === names.initialStatus)) notes.push(STATUS_NOTE);
  const opProfile = { ...wanted.op };
  if (questionChanged && hasAnswer && names.securityAnswer) {
    attributes.push({ name: names.securityAnswer, before: SENSITIVE, after: SENSITIVE, sensitive: true });
  } else if (names.securityAnswer) {
    delete opProfile[names.securityAnswer];
  }
  const op: PlanOp = { type: 'assignment.user.update', appId: ctx.appId, userId: appUser.userId, login: user.login, profile: opProfile };
  ctx.forward.push(
    assignmentUpdate(
      ctx,
      { spoke: ctx.desired.name, kind: 'assignment.user', key: user.loginKey },
      user.login,
      attributes,
      appUser.fingerprint,
      op,
      notes,
    ),
  );
}

/** What planning the users found that is said once, however many users it concerns. */
function reportUserPlanning(run: UserPlanning): void {
  const { ctx } = run;
  const spoke = ctx.desired.name;
  for (const name of run.missingNames) {
    diagnose(
      ctx,
      'error',
      `the app-user schema of ${spoke} has no ${name} attribute: set assignments.attributeNames.${name} to the attribute that holds it`,
      { pos: ctx.desired.pos },
    );
  }
  const configured = ctx.desired.assignments.attributeNames ?? {};
  const assumedNames =
    ctx.live.appUserSchema === null && ctx.live.app === null && (!configured.securityQuestion || !configured.securityAnswer);
  if (assumedNames && run.usesSecurity) {
    diagnose(
      ctx,
      'warning',
      `the app-user schema can't be read before the app exists: the attributes securityQuestion/securityAnswer are assumed; set assignments.attributeNames if your Org2Org app names them otherwise`,
    );
  }
  const skipped = run.skipped;
  if (skipped.length > 0) {
    // One warning however many left: a directory with daily leavers must not bury the plan.
    diagnose(
      ctx,
      'warning',
      `${countOf(skipped.length, 'listed user is', 'listed users are')} not in the ${spoke} Spoke org and ${skipped.length === 1 ? 'is' : 'are'} skipped (assignments.missingUsers: skip): ${sample(skipped)}`,
    );
  }
  if (ctx.statusOnly.length > 0) {
    const n = ctx.statusOnly.length;
    ctx.notes.push(
      `${countOf(n, 'provisioned user differs', 'provisioned users differ')} only in initialStatus (${sample(ctx.statusOnly, 3)}): ` +
        'Okta uses initialStatus only when it creates the Hub user, so nothing is written for them; new assignments get it.',
    );
  }
}

/** True when every managed attribute already has its wanted value (names all known). */
function matches(user: DesiredUserAssignment, appUser: LiveAppUser, names: Partial<AppUserAttributeNames>): boolean {
  if (names.initialStatus === undefined || liveAttribute(appUser, names.initialStatus, names) !== user.initialStatus) return false;
  if (user.securityQuestion !== undefined) {
    if (names.securityQuestion === undefined || liveAttribute(appUser, names.securityQuestion, names) !== user.securityQuestion)
      return false;
  }
  if (user.securityAnswer !== undefined && names.securityAnswer === undefined) return false;
  for (const key in user.profile) if (!sameValue(appUser.profile[key], user.profile[key])) return false;
  return true;
}

/** The profile's attributes the schema doesn't have; undefined (nothing allocated) when there are none. */
function unknownKeys(profile: Record<string, unknown>, known: Set<string>): string[] | undefined {
  let unknown: string[] | undefined;
  for (const key in profile) if (!known.has(key)) (unknown ??= []).push(key);
  return unknown;
}

/**
 * A live attribute value: the reader moves the initial status and the security question out of
 * the profile into their own fields, reading them under the same names as here (the config's,
 * else the schema's); any other attribute stays in the profile.
 */
function liveAttribute(appUser: LiveAppUser, name: string, names: Partial<AppUserAttributeNames>): unknown {
  if (Object.hasOwn(appUser.profile, name)) return appUser.profile[name];
  if (name === names.initialStatus) return appUser.initialStatus;
  if (name === names.securityQuestion) return appUser.securityQuestion;
  return undefined;
}

/** The profile a user should have: `display` for the plan (answers masked), `op` for apply (answers as `{ $env }`). */
interface WantedProfile {
  display: Record<string, unknown>;
  op: Record<string, unknown>;
}

/** The profile a user should have; undefined when an attribute name it needs is unknown. */
function wantedProfile(
  user: DesiredUserAssignment,
  names: Partial<AppUserAttributeNames>,
  missing: Set<keyof AppUserAttributeNames>,
): WantedProfile | undefined {
  const display: Record<string, unknown> = {};
  const op: Record<string, unknown> = {};
  const need = (key: keyof AppUserAttributeNames): string | undefined => {
    const name = names[key];
    if (name === undefined) missing.add(key);
    return name;
  };
  const statusName = need('initialStatus');
  if (statusName === undefined) return undefined;
  display[statusName] = op[statusName] = user.initialStatus;
  if (user.securityQuestion !== undefined) {
    const name = need('securityQuestion');
    if (name === undefined) return undefined;
    display[name] = op[name] = user.securityQuestion;
  }
  if (user.securityAnswer !== undefined) {
    const name = need('securityAnswer');
    if (name === undefined) return undefined;
    display[name] = SENSITIVE;
    op[name] = { $env: user.securityAnswer.envVar };
  }
  for (const [key, value] of Object.entries(user.profile)) {
    display[key] = op[key] = value;
  }
  return { display, op };
}

/** The removal of a direct assignment the file doesn't list. */
function userRemoval(ctx: SpokeContext, appUser: LiveAppUser, deactivates: boolean): Change {
  const before: Record<string, unknown> = { login: appUser.login, status: appUser.status };
  if (appUser.initialStatus !== undefined) before.initialStatus = appUser.initialStatus;
  // Okta deactivates the pushed Hub user when the assignment goes and Deactivate Users is on.
  const hubEffects =
    deactivates && appUser.externalId !== undefined ? [`deactivates ${appUser.login}'s Hub user (Deactivate Users is on)`] : [];
  const op: PlanOp = { type: 'assignment.user.unassign', appId: ctx.appId ?? '', userId: appUser.userId, login: appUser.login };
  return assignmentRemoval(
    ctx,
    { spoke: ctx.desired.name, kind: 'assignment.user', key: appUser.loginKey },
    appUser.login,
    before,
    hubEffects,
    appUser.fingerprint,
    op,
  );
}

const GROUP_KEYS = { desired: (group: DesiredGroupAssignment) => group.name, live: (appGroup: LiveAppGroup) => appGroup.name };

export function planGroupAssignments(ctx: SpokeContext): void {
  const pairing = pairByKey(ctx.desired.assignments.groups, ctx.live.appGroups, GROUP_KEYS, {
    both: (group, appGroup) => planGroupUpdate(ctx, group, appGroup),
    desiredOnly: (group) => planNewGroupAssignment(ctx, group),
  });
  let groupProvisioned: boolean | undefined;
  planUnlisted(ctx, {
    mode: ctx.desired.assignments.mode,
    unlisted: () => pairing.liveOnly().sort((a, b) => compareKeys(a.name, b.name)),
    noun: ['group', 'groups'],
    state: 'assigned',
    list: 'assignments.groups',
    nameOf: (appGroup) => appGroup.name,
    removal: (appGroup) => groupRemoval(ctx, appGroup, (groupProvisioned ??= someProvisionedThroughGroups(ctx))),
    removals: ctx.removals,
  });
}

function groupAssignOp(ctx: SpokeContext, group: DesiredGroupAssignment, groupId: string): PlanOp & { type: 'assignment.group.assign' } {
  return {
    type: 'assignment.group.assign',
    appId: ctx.appId,
    groupId,
    profile: group.profile,
    ...(group.priority !== undefined ? { priority: group.priority } : {}),
  };
}

/** A listed group the app isn't assigned to: assigned when the Spoke org has the group. */
function planNewGroupAssignment(ctx: SpokeContext, group: DesiredGroupAssignment): void {
  const resource: ResourceKey = { spoke: ctx.desired.name, kind: 'assignment.group', key: group.name };
  const groupId = ctx.live.groups[group.name]?.id;
  if (groupId === undefined) {
    diagnose(
      ctx,
      'error',
      `${group.name}: no such group in the ${ctx.desired.name} Spoke org${didYouMean(ctx, group.name)}; create it there or remove it from assignments.groups`,
      {
        address: formatAddress(resource),
        pos: group.pos,
      },
    );
    return;
  }
  const after: Record<string, unknown> = { name: group.name };
  if (group.priority !== undefined) after.priority = group.priority;
  if (Object.keys(group.profile).length > 0) after.profile = group.profile;
  const change = makeChange(ctx, {
    resource,
    action: 'create',
    name: group.name,
    after,
    attributes: Object.entries(after)
      .filter(([k]) => k !== 'name')
      .map(([name, value]) => ({ name, before: null, after: value })),
    dependsOn: [ctx.appCreate, ctx.createUsersChange, ...membersAssignedDirectly(ctx, group.name)],
    writes: 1,
    op: groupAssignOp(ctx, group, groupId),
  });
  (ctx.newGroupAssignments ??= new Map()).set(group.name, formatAddress(resource));
  ctx.forward.push(change);
}

/**
 * The new direct assignments of a group's members. Whichever assignment reaches Okta first
 * creates the Hub user, and only the direct one carries her initialStatus and security question
 * (Okta uses them only at creation): a group assignment racing ahead would make her Hub user
 * without them, for good. When the group's members weren't read, every new direct assignment is
 * waited for (right, if coarser).
 */
function membersAssignedDirectly(ctx: SpokeContext, groupName: string): string[] {
  const direct = ctx.newDirectAssignments;
  if (!direct || direct.size === 0) return [];
  const members = ctx.live.groups[groupName]?.memberLoginKeys;
  if (!members) return [...direct.values()];
  const out: string[] = [];
  for (const key of members) {
    const address = direct.get(key);
    if (address !== undefined) out.push(address);
  }
  return out;
}

/** A listed group the app is assigned to: an update when its priority or given profile keys differ. */
function planGroupUpdate(ctx: SpokeContext, group: DesiredGroupAssignment, appGroup: LiveAppGroup): void {
  const attributes: AttributeChange[] = [];
  if (group.priority !== undefined && appGroup.priority !== group.priority) {
    attributes.push({ name: 'priority', before: orNull(appGroup.priority), after: group.priority });
  }
  // Only the profile keys the file gives are managed: apply lays them over the profile it reads
  // just before the PUT, so the others (secret-looking ones too, which never reach the plan) are kept.
  const merged = { ...appGroup.profile, ...group.profile };
  if (!sameValue(appGroup.profile, merged)) attributes.push({ name: 'profile', before: appGroup.profile, after: merged });
  if (attributes.length === 0) {
    ctx.noops++;
    return;
  }
  const keptPriority = group.priority === undefined && appGroup.priority !== undefined ? { priority: appGroup.priority } : {};
  const op: PlanOp = { ...groupAssignOp(ctx, group, appGroup.groupId), mergeLive: true, ...keptPriority };
  ctx.forward.push(
    assignmentUpdate(
      ctx,
      { spoke: ctx.desired.name, kind: 'assignment.group', key: group.name },
      group.name,
      attributes,
      appGroup.fingerprint,
      op,
      [],
    ),
  );
}

/** The update of a live assignment: before/after are its changed attributes; it waits for nothing but a new app. */
function assignmentUpdate(
  ctx: SpokeContext,
  resource: ResourceKey & { kind: 'assignment.user' | 'assignment.group' },
  name: string,
  attributes: AttributeChange[],
  liveFingerprint: string,
  op: PlanOp,
  instructions: string[],
): Change {
  const { before, after } = sides(attributes);
  return makeChange(ctx, {
    resource,
    action: 'update',
    name,
    before,
    after,
    attributes,
    instructions,
    dependsOn: [ctx.appCreate],
    liveFingerprint,
    writes: 1,
    op,
  });
}

/** Whether some app user is in the Hub through a group assignment alone (unassigning a group reaches such users). */
function someProvisionedThroughGroups(ctx: SpokeContext): boolean {
  return ctx.live.appUsers.some((u) => u.scope === 'GROUP' && u.externalId !== undefined);
}

/** The removal of a group assignment the file doesn't list. */
function groupRemoval(ctx: SpokeContext, appGroup: LiveAppGroup, groupProvisioned: boolean): Change {
  const before: Record<string, unknown> = { name: appGroup.name };
  if (appGroup.priority !== undefined) before.priority = appGroup.priority;
  const hubEffects =
    deactivatesUsers(ctx) && groupProvisioned
      ? [`members assigned only through ${appGroup.name} lose the app; Deactivate Users is on, so their Hub users are deactivated`]
      : [];
  const op: PlanOp = { type: 'assignment.group.unassign', appId: ctx.appId ?? '', groupId: appGroup.groupId };
  return assignmentRemoval(
    ctx,
    { spoke: ctx.desired.name, kind: 'assignment.group', key: appGroup.name },
    appGroup.name,
    before,
    hubEffects,
    appGroup.fingerprint,
    op,
  );
}

/** The removal of a live assignment (one write); `before` is what goes, `hubEffects` what it does in the Hub. */
function assignmentRemoval(
  ctx: SpokeContext,
  resource: ResourceKey & { kind: 'assignment.user' | 'assignment.group' },
  name: string,
  before: Record<string, unknown>,
  hubEffects: string[],
  liveFingerprint: string,
  op: PlanOp,
): Change {
  return makeChange(ctx, { resource, action: 'delete', name, before, hubEffects, liveFingerprint, writes: 1, op });
}
