/**
 * User and group assignments. Users pair by login key, groups by name, both through Maps so
 * that 100,000 assignments plan in linear time.
 *
 * Security answers are write-only in Okta, so they are never diffed: an answer is sent when the
 * user is assigned, and again only when the security question changes (a new question needs its
 * answer). The change says so in its notes.
 */
import type { AppUserAttributeNames, DesiredUserAssignment } from '../config/types.js';
import { SENSITIVE } from '../credentials.js';
import type { LiveAppGroup, LiveAppUser } from '../state/types.js';
import { formatAddress, type ResourceKey } from './address.js';
import { deactivatesUsers, diagnose, makeChange, orNull, sameValue, sides, type SpokeContext } from './spoke-context.js';
import type { AttributeChange } from './types.js';

/** Okta's name for the initial status; the other two are what a new app's schema is assumed to use. */
const CONVENTIONAL_NAMES: AppUserAttributeNames = {
  initialStatus: 'initialStatus',
  securityQuestion: 'securityQuestion',
  securityAnswer: 'securityAnswer',
};

const STATUS_NOTE = 'initialStatus takes effect when the Hub user is created: this user is already provisioned, so its Hub status stays as it is.';

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

export function planUserAssignments(ctx: SpokeContext): void {
  const { desired, live } = ctx;
  const names = attributeNames(ctx);
  const liveByKey = new Map<string, LiveAppUser>();
  for (const appUser of live.appUsers) liveByKey.set(appUser.loginKey, appUser);
  const knownAttributes = live.appUserSchema ? new Set(live.appUserSchema.attributes) : undefined;
  const missingName = new Set<keyof AppUserAttributeNames>();
  const configured = desired.assignments.attributeNames ?? {};
  const assumedNames = live.appUserSchema === null && live.app === null && (!configured.securityQuestion || !configured.securityAnswer);
  let usesSecurity = false;
  const skipMissing = desired.assignments.missingUsers === 'skip';
  const missing: string[] = [];

  for (const user of desired.assignments.users) {
    const appUser = liveByKey.get(user.loginKey);
    // An assigned user needs no directory lookup (a large Spoke's users are nearly all assigned).
    const directoryUser = appUser ? undefined : live.users[user.loginKey];
    if (!appUser && !directoryUser && skipMissing) {
      missing.push(user.login);
      continue;
    }
    if (!appUser && !directoryUser) {
      diagnose(ctx, 'error', `${user.login}: no such user in the ${desired.name} Spoke org; create the user there, remove it from assignments.users, or set assignments.missingUsers: skip`, {
        address: formatAddress({ spoke: desired.name, kind: 'assignment.user', key: user.loginKey }),
        pos: user.pos,
      });
      continue;
    }
    if (user.securityQuestion !== undefined || user.securityAnswer !== undefined) usesSecurity = true;
    const unknown = knownAttributes ? unknownKeys(user.profile, knownAttributes) : undefined;
    if (unknown !== undefined) {
      diagnose(ctx, 'error', `${user.login}: profile attribute${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} not in the app-user schema of ${desired.name}`, {
        address: formatAddress({ spoke: desired.name, kind: 'assignment.user', key: user.loginKey }),
        pos: user.pos,
      });
      continue;
    }
    // Fast path for the common case on large spokes: nothing to do, nothing allocated.
    if (appUser && appUser.scope === 'USER' && matches(user, appUser, names)) {
      ctx.noops++;
      continue;
    }
    const resource: ResourceKey = { spoke: desired.name, kind: 'assignment.user', key: user.loginKey };
    const address = formatAddress(resource);
    const wanted = wantedProfile(user, names, missingName);
    if (wanted === undefined) continue;
    const userId = appUser?.userId ?? directoryUser!.id;
    const hasAnswer = user.securityAnswer !== undefined;

    if (!appUser || appUser.scope !== 'USER') {
      // New, or assigned only through a group: a direct assignment (scope USER) is made.
      const attributes: AttributeChange[] = Object.entries(wanted.display).map(([name, after]) => ({
        name,
        before: appUser ? orNull(liveAttribute(appUser, name, names)) : null,
        after,
        ...(after === SENSITIVE ? { sensitive: true } : {}),
      }));
      if (appUser) attributes.unshift({ name: 'scope', before: appUser.scope, after: 'USER' });
      ctx.forward.push(
        makeChange(ctx, {
          resource,
          kind: 'assignment.user',
          action: appUser ? 'update' : 'create',
          name: user.login,
          ...(appUser ? sides(attributes) : { after: { login: user.login, ...wanted.display } }),
          attributes,
          ...(hasAnswer ? { instructions: [ANSWER_NOTE] } : {}),
          dependsOn: [ctx.appCreate, ctx.createUsersChange],
          ...(appUser ? { liveFingerprint: appUser.fingerprint } : {}),
          writes: 1,
          op: { type: 'assignment.user.assign', appId: ctx.appId, userId, login: user.login, profile: wanted.op, initialStatus: user.initialStatus },
        }),
      );
      continue;
    }

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
      continue;
    }
    if (appUser.externalId !== undefined && attributes.length === 1 && attributes[0]!.name === names.initialStatus) {
      // No effect in Okta: the status is used only when the Hub user is created, and it exists.
      ctx.noops++;
      ctx.statusOnly.push(user.login);
      continue;
    }
    const notes = hasAnswer ? [ANSWER_NOTE] : [];
    if (appUser.externalId !== undefined && attributes.some((a) => a.name === names.initialStatus)) notes.push(STATUS_NOTE);
    const opProfile = { ...wanted.op };
    if (questionChanged && hasAnswer && names.securityAnswer) {
      attributes.push({ name: names.securityAnswer, before: SENSITIVE, after: SENSITIVE, sensitive: true });
    } else if (names.securityAnswer) {
      delete opProfile[names.securityAnswer];
    }
    ctx.forward.push(
      makeChange(ctx, {
        resource,
        kind: 'assignment.user',
        action: 'update',
        name: user.login,
        ...sides(attributes),
        attributes,
        instructions: notes,
        dependsOn: [ctx.appCreate],
        liveFingerprint: appUser.fingerprint,
        writes: 1,
        op: { type: 'assignment.user.update', appId: ctx.appId, userId, login: user.login, profile: opProfile },
      }),
    );
  }

  for (const name of missingName) {
    diagnose(
      ctx,
      'error',
      `the app-user schema of ${desired.name} has no ${name} attribute: set assignments.attributeNames.${name} to the attribute that holds it`,
      { pos: desired.pos },
    );
  }
  if (assumedNames && usesSecurity) {
    diagnose(
      ctx,
      'warning',
      `the app-user schema can't be read before the app exists: the attributes securityQuestion/securityAnswer are assumed; set assignments.attributeNames if your Org2Org app names them otherwise`,
    );
  }
  if (missing.length > 0) {
    // One warning however many left: a directory with daily leavers must not bury the plan.
    diagnose(
      ctx,
      'warning',
      `${countOf(missing.length, 'listed user is', 'listed users are')} not in the ${desired.name} Spoke org and ${missing.length === 1 ? 'is' : 'are'} skipped (assignments.missingUsers: skip): ${sample(missing)}`,
    );
  }
  if (ctx.statusOnly.length > 0) {
    const n = ctx.statusOnly.length;
    ctx.notes.push(
      `${countOf(n, 'provisioned user differs', 'provisioned users differ')} only in initialStatus (${sample(ctx.statusOnly, 3)}): ` +
        'Okta uses initialStatus only when it creates the Hub user, so nothing is written for them; new assignments get it.',
    );
  }
  planUnlistedUsers(ctx);
}

/** True when every managed attribute already has its wanted value (names all known). */
function matches(user: DesiredUserAssignment, appUser: LiveAppUser, names: Partial<AppUserAttributeNames>): boolean {
  if (names.initialStatus === undefined || liveAttribute(appUser, names.initialStatus, names) !== user.initialStatus) return false;
  if (user.securityQuestion !== undefined) {
    if (names.securityQuestion === undefined || liveAttribute(appUser, names.securityQuestion, names) !== user.securityQuestion) return false;
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

/**
 * The profile a user should have: `display` for the plan (answers masked), `op` for apply
 * (answers as `{ $env }`). Undefined when an attribute name it needs is unknown.
 */
function wantedProfile(
  user: DesiredUserAssignment,
  names: Partial<AppUserAttributeNames>,
  missing: Set<keyof AppUserAttributeNames>,
): { display: Record<string, unknown>; op: Record<string, unknown> } | undefined {
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

/** Live direct assignments the file doesn't list. Group-scoped app users are never touched. */
function planUnlistedUsers(ctx: SpokeContext): void {
  const mode = ctx.desired.assignments.mode;
  if (mode === 'additive') return;
  const listed = new Set(ctx.desired.assignments.users.map((u) => u.loginKey));
  const unlisted = ctx.live.appUsers.filter((u) => u.scope === 'USER' && !listed.has(u.loginKey));
  unlisted.sort((a, b) => (a.loginKey < b.loginKey ? -1 : a.loginKey > b.loginKey ? 1 : 0));
  if (mode === 'observe') {
    if (unlisted.length > 0) {
      diagnose(ctx, 'warning', `${countOf(unlisted.length, 'user is', 'users are')} assigned directly but not listed in assignments.users (observe: left as is): ${sample(unlisted.map((u) => u.login))}`);
    }
    return;
  }
  const deactivates = deactivatesUsers(ctx);
  for (const appUser of unlisted) {
    const before: Record<string, unknown> = { login: appUser.login, status: appUser.status };
    if (appUser.initialStatus !== undefined) before.initialStatus = appUser.initialStatus;
    // Okta deactivates the pushed Hub user when the assignment goes and Deactivate Users is on.
    const hubEffects = deactivates && appUser.externalId !== undefined ? [`deactivates ${appUser.login}'s Hub user (Deactivate Users is on)`] : [];
    ctx.removals.user.push(
      makeChange(ctx, {
        resource: { spoke: ctx.desired.name, kind: 'assignment.user', key: appUser.loginKey },
        kind: 'assignment.user',
        action: 'delete',
        name: appUser.login,
        before,
        hubEffects,
        liveFingerprint: appUser.fingerprint,
        writes: 1,
        op: { type: 'assignment.user.unassign', appId: ctx.appId ?? '', userId: appUser.userId, login: appUser.login },
      }),
    );
  }
}

export function planGroupAssignments(ctx: SpokeContext): void {
  const { desired, live } = ctx;
  const liveByName = new Map<string, LiveAppGroup>();
  for (const group of live.appGroups) liveByName.set(group.name, group);

  for (const group of desired.assignments.groups) {
    const resource: ResourceKey = { spoke: desired.name, kind: 'assignment.group', key: group.name };
    const address = formatAddress(resource);
    const appGroup = liveByName.get(group.name);
    const groupId = appGroup?.groupId ?? live.groups[group.name]?.id;
    if (groupId === undefined) {
      diagnose(ctx, 'error', `${group.name}: no such group in the ${desired.name} Spoke org${didYouMean(ctx, group.name)}; create it there or remove it from assignments.groups`, {
        address,
        pos: group.pos,
      });
      continue;
    }
    const op = { type: 'assignment.group.assign' as const, appId: ctx.appId, groupId, profile: group.profile, ...(group.priority !== undefined ? { priority: group.priority } : {}) };
    if (!appGroup) {
      const after: Record<string, unknown> = { name: group.name };
      if (group.priority !== undefined) after.priority = group.priority;
      if (Object.keys(group.profile).length > 0) after.profile = group.profile;
      ctx.forward.push(
        makeChange(ctx, {
          resource,
          kind: 'assignment.group',
          action: 'create',
          name: group.name,
          after,
          attributes: Object.entries(after).filter(([k]) => k !== 'name').map(([name, value]) => ({ name, before: null, after: value })),
          dependsOn: [ctx.appCreate, ctx.createUsersChange],
          writes: 1,
          op,
        }),
      );
      continue;
    }
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
      continue;
    }
    ctx.forward.push(
      makeChange(ctx, {
        resource,
        kind: 'assignment.group',
        action: 'update',
        name: group.name,
        ...sides(attributes),
        attributes,
        dependsOn: [ctx.appCreate],
        liveFingerprint: appGroup.fingerprint,
        writes: 1,
        op: { ...op, mergeLive: true, ...(group.priority === undefined && appGroup.priority !== undefined ? { priority: appGroup.priority } : {}) },
      }),
    );
  }

  const mode = desired.assignments.mode;
  if (mode === 'additive') return;
  const listed = new Set(desired.assignments.groups.map((g) => g.name));
  const unlisted = live.appGroups.filter((g) => !listed.has(g.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (mode === 'observe') {
    if (unlisted.length > 0) {
      diagnose(ctx, 'warning', `${countOf(unlisted.length, 'group is', 'groups are')} assigned but not listed in assignments.groups (observe: left as is): ${sample(unlisted.map((g) => g.name))}`);
    }
    return;
  }
  const deactivatesMembers = deactivatesUsers(ctx);
  for (const appGroup of unlisted) {
    const before: Record<string, unknown> = { name: appGroup.name };
    const onlyThrough = live.appUsers.filter((u) => u.scope === 'GROUP' && u.externalId !== undefined).length;
    const hubEffects =
      deactivatesMembers && onlyThrough > 0
        ? [`members assigned only through ${appGroup.name} lose the app; Deactivate Users is on, so their Hub users are deactivated`]
        : [];
    if (appGroup.priority !== undefined) before.priority = appGroup.priority;
    ctx.removals.group.push(
      makeChange(ctx, {
        resource: { spoke: desired.name, kind: 'assignment.group', key: appGroup.name },
        kind: 'assignment.group',
        action: 'delete',
        name: appGroup.name,
        before,
        hubEffects,
        liveFingerprint: appGroup.fingerprint,
        writes: 1,
        op: { type: 'assignment.group.unassign', appId: ctx.appId ?? '', groupId: appGroup.groupId },
      }),
    );
  }
}

/** `; did you mean "Sales"?` when the Spoke has a group with a close name. */
export function didYouMean(ctx: SpokeContext, name: string): string {
  const near = ctx.live.groupSuggestions?.[name];
  return near !== undefined ? ` (did you mean "${near}"?)` : '';
}

export function countOf(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The first few names of a long list, for a message that stays one line. */
export function sample(names: string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … (${names.length - max} more)` : shown;
}
