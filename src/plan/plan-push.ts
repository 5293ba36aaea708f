/**
 * Group push mappings, paired by the Spoke source group's name, and the Hub-side warnings about
 * what a push will and won't bring into the Hub.
 */
import type { DesiredPushGroup } from '../config/types.js';
import { predates, pushConfirmedBySpoke, pushMappingKey, type LivePushMapping } from '../state/types.js';
import { formatAddress, type ResourceKey } from './address.js';
import { planUnlisted } from './pair.js';
import { countOf, diagnose, didYouMean, makeChange, sample, type SpokeContext } from './spoke-context.js';
import type { Change } from './types.js';

/**
 * Not pairByKey: a mapping has no one key to pair on. It pairs by its source group's name, else by
 * that group's id (the group was renamed in the Spoke), else, for an entry marked remove, by its
 * Hub target (the source group was deleted). The tail is planUnlisted, as for the other lists.
 */
export function planPushMappings(ctx: SpokeContext): void {
  const byName = new Map<string, LivePushMapping>();
  const bySourceId = new Map<string, LivePushMapping>();
  // A mapping whose source group was deleted has no source name: an entry removing it finds it by its Hub group.
  const orphanByTarget = new Map<string, LivePushMapping>();
  for (const mapping of ctx.live.pushMappings) {
    if (mapping.sourceGroupName !== undefined) byName.set(mapping.sourceGroupName, mapping);
    else if (mapping.targetGroupName !== undefined) orphanByTarget.set(mapping.targetGroupName, mapping);
    bySourceId.set(mapping.sourceGroupId, mapping);
  }
  const paired = new Set<LivePushMapping>();
  // Built only when some pushed group's members were read: it holds every assigned login.
  let assigned: Set<string> | undefined;
  const assignedKeys = (): Set<string> => (assigned ??= assignedLoginKeys(ctx));
  for (const group of ctx.desired.pushGroups.groups) {
    const source = ctx.live.groups[group.name];
    const mapping =
      byName.get(group.name) ??
      (source ? bySourceId.get(source.id) : undefined) ??
      (group.remove ? orphanByTarget.get(group.targetName) : undefined);
    if (mapping) paired.add(mapping);
    planListedPush(ctx, group, mapping, assignedKeys);
  }
  if (ctx.live.pushMappingsUnread !== undefined) {
    unreadMappingsNote(ctx);
    return;
  }
  // Live mappings the file doesn't list: an authoritative list removes them, keeping their Hub groups.
  planUnlisted(ctx, {
    mode: ctx.desired.pushGroups.mode,
    unlisted: () => ctx.live.pushMappings.filter((m) => !paired.has(m)),
    noun: ['group', 'groups'],
    state: 'pushed',
    list: 'pushGroups.groups',
    nameOf: pushMappingKey,
    removal: (mapping) => removalChange(ctx, mapping, undefined),
    removals: ctx.removals,
  });
}

/**
 * The mappings could not be read (a DISABLED connection): the listed pushes are planned as creates
 * that apply makes only where absent, once the connection is on, and the plan says so; nothing
 * unlisted can be seen, so nothing is removed.
 */
function unreadMappingsNote(ctx: SpokeContext): void {
  const listed = ctx.desired.pushGroups.groups.filter((g) => !g.remove).length;
  if (listed === 0 && ctx.desired.pushGroups.mode !== 'authoritative') return;
  diagnose(
    ctx,
    'warning',
    `the push mappings of ${ctx.desired.name} could not be read: ${ctx.live.pushMappingsUnread}. ` +
      (listed > 0
        ? `The ${countOf(listed, 'listed push is', 'listed pushes are')} planned as creates: apply turns the connection on first, then reads the mappings again and creates only the missing ones. `
        : '') +
      'Pushes the file does not list (or marks remove) are not seen: run plan again after apply.',
  );
}

/** One pushGroups.groups entry against its live mapping (undefined when there is none). */
function planListedPush(
  ctx: SpokeContext,
  group: DesiredPushGroup,
  mapping: LivePushMapping | undefined,
  assignedKeys: () => Set<string>,
): void {
  const resource: ResourceKey = { spoke: ctx.desired.name, kind: 'pushMapping', key: group.name };
  const address = formatAddress(resource);
  if (group.remove) {
    // Gone already (or never made): the entry has done its job and may leave the file.
    if (mapping) ctx.removals.push(removalChange(ctx, mapping, group));
    else if (ctx.live.pushMappingsUnread !== undefined) return;
    else ctx.noops++;
    return;
  }
  const source = ctx.live.groups[group.name];
  if (!source && !mapping) {
    diagnose(
      ctx,
      'error',
      `${group.name}: no such group in the ${ctx.desired.name} Spoke org${didYouMean(ctx, group.name)}; create it there or remove it from pushGroups.groups`,
      {
        address,
        pos: group.pos,
      },
    );
    return;
  }
  warnUnassignedMembers(ctx, group, assignedKeys, address);
  warnAssignedAndPushed(ctx, group, address);
  noteInactiveMembers(ctx, group);
  if (!mapping) {
    // Mappings unread: the Hub group may well be this push's own, so there is nothing to warn of.
    if (ctx.live.pushMappingsUnread === undefined) warnHubTarget(ctx, group, ctx.hub?.groups[group.targetName] !== undefined, address);
    ctx.forward.push(createChange(ctx, group, source!.id, resource, assignedKeys));
    return;
  }
  warnLiveMapping(ctx, group, mapping, address);
  if (mapping.status === group.status) {
    ctx.noops++;
    return;
  }
  const identity = { sourceGroupId: mapping.sourceGroupId, targetName: mapping.targetGroupName ?? group.targetName };
  ctx.forward.push(
    makeChange(ctx, {
      resource,
      action: 'update',
      name: group.name,
      // Which groups the mapping joins, shown beside the changed status.
      before: { ...identity, status: mapping.status },
      after: { ...identity, status: group.status },
      attributes: [{ name: 'status', before: mapping.status, after: group.status }],
      hubEffects: activationEffects(ctx, group, identity.targetName, assignedKeys),
      dependsOn: pushDependsOn(ctx, group.name),
      liveFingerprint: mapping.fingerprint,
      writes: 1,
      op: {
        type: 'pushMapping.update',
        appId: ctx.appId ?? '',
        mappingId: mapping.id,
        sourceGroupId: identity.sourceGroupId,
        targetGroupName: identity.targetName,
        status: group.status,
      },
    }),
  );
}

/** A push waits for the setup it needs and for its own group's new assignment (whose members it pushes). */
function pushDependsOn(ctx: SpokeContext, groupName: string): (string | undefined)[] {
  return [ctx.appCreate, ctx.provisioningChange, ctx.createUsersChange, ctx.newGroupAssignments?.get(groupName)];
}

function createChange(
  ctx: SpokeContext,
  group: DesiredPushGroup,
  sourceGroupId: string,
  resource: ResourceKey,
  assignedKeys: () => Set<string>,
): Change {
  return makeChange(ctx, {
    resource,
    action: 'create',
    name: group.name,
    after: { sourceGroupId, targetName: group.targetName, link: group.link, status: group.status },
    attributes: [
      { name: 'targetName', before: null, after: group.targetName },
      { name: 'link', before: null, after: group.link },
      { name: 'status', before: null, after: group.status },
    ],
    ...(group.link || ctx.live.pushMappingsUnread !== undefined
      ? {
          instructions: [
            ...(group.link ? [linkInstruction(ctx.desired.app.label)] : []),
            ...(ctx.live.pushMappingsUnread !== undefined
              ? ['made only if the group has no push mapping yet: the mappings could not be read when planning']
              : []),
          ],
        }
      : {}),
    hubEffects: linkEffects(ctx, group, assignedKeys),
    dependsOn: pushDependsOn(ctx, group.name),
    writes: 1,
    op: {
      type: 'pushMapping.create',
      appId: ctx.appId,
      sourceGroupId,
      targetGroupName: group.targetName,
      status: group.status,
      ...(ctx.live.pushMappingsUnread !== undefined ? { ifAbsent: true as const } : {}),
    },
  });
}

/**
 * Okta masters a pushed group: linking replaces the Hub group's members with the pushed ones.
 * Said when the file links or the Hub was read and has the group (Okta links then too); the
 * dropped members are counted when both sides' members were read.
 */
function linkEffects(ctx: SpokeContext, group: DesiredPushGroup, assignedKeys: () => Set<string>): string[] {
  const hubGroup = ctx.hub?.groups[group.targetName];
  // An INACTIVE mapping pushes nothing until it is activated.
  if (group.status === 'INACTIVE' || (!hubGroup && (ctx.hub || !group.link))) return [];
  const replaces = `replaces the members of the Hub group "${group.targetName}" with the pushed ones`;
  const hubOnly = hubOnlyMembers(ctx, group.name, group.targetName, assignedKeys);
  if (!hubOnly) return [`${replaces}: Hub-only members are dropped`];
  if (hubOnly.length === 0) return [`${replaces} (every Hub member is pushed: none is dropped)`];
  return [`${replaces}: ${countOf(hubOnly.length, 'Hub-only member is', 'Hub-only members are')} dropped (${sample(hubOnly)})`];
}

/** Activating a mapping pushes it whole again: members added in the Hub meanwhile are dropped (said when the Hub shows some). */
function activationEffects(ctx: SpokeContext, group: DesiredPushGroup, targetName: string, assignedKeys: () => Set<string>): string[] {
  const hubOnly = group.status === 'ACTIVE' ? hubOnlyMembers(ctx, group.name, targetName, assignedKeys) : undefined;
  if (!hubOnly || hubOnly.length === 0) return [];
  return [
    `replaces the members of the Hub group "${targetName}" with the pushed ones: ${countOf(hubOnly.length, 'Hub-only member is', 'Hub-only members are')} dropped (${sample(hubOnly)})`,
  ];
}

/** Hub group members the push won't bring (not assigned members of the source group); undefined when either side's members weren't read. */
function hubOnlyMembers(ctx: SpokeContext, sourceName: string, targetName: string, assignedKeys: () => Set<string>): string[] | undefined {
  const hubMembers = ctx.hub?.groups[targetName]?.memberLoginKeys;
  const sourceMembers = ctx.live.groups[sourceName]?.memberLoginKeys;
  if (!hubMembers || !sourceMembers) return undefined;
  const assigned = assignedKeys();
  const pushed = new Set(sourceMembers.filter((key) => assigned.has(key)));
  return hubMembers.filter((key) => !pushed.has(key));
}

function warnLiveMapping(ctx: SpokeContext, group: DesiredPushGroup, mapping: LivePushMapping, address: string): void {
  if (mapping.status === 'ERROR') {
    diagnose(ctx, 'warning', `${group.name}: the push mapping is in ERROR: ${mapping.errorSummary ?? 'Okta gave no reason'}`, {
      address,
      pos: group.pos,
    });
  }
  if (mapping.targetGroupName !== undefined && mapping.targetGroupName !== group.targetName) {
    diagnose(
      ctx,
      'warning',
      `${group.name}: pushed to the Hub group "${mapping.targetGroupName}", but the config says "${group.targetName}"; a mapping's target can't be changed: mark the entry remove: true, apply, then list it again without remove`,
      { address, pos: group.pos },
    );
  }
}

/**
 * Removing a mapping: by an entry marked `remove: true` (whose onRemove may delete the Hub group),
 * or because an authoritative list leaves it out (its Hub group is kept: nothing in the file asks
 * for the deletion).
 */
function removalChange(ctx: SpokeContext, mapping: LivePushMapping, entry: DesiredPushGroup | undefined): Change {
  const before: Record<string, unknown> = { sourceGroupId: mapping.sourceGroupId, status: mapping.status };
  if (mapping.targetGroupName !== undefined) before.targetName = mapping.targetGroupName;
  const deleteTargetGroup = entry?.onRemove === 'deleteTarget';
  const targetName = mapping.targetGroupName ?? entry?.targetName;
  const key = entry?.name ?? pushMappingKey(mapping);
  if (deleteTargetGroup) checkDeleteTarget(ctx, mapping, entry, targetName);
  return makeChange(ctx, {
    resource: { spoke: ctx.desired.name, kind: 'pushMapping', key },
    action: 'delete',
    name: key,
    before,
    ...(deleteTargetGroup
      ? { hubEffects: [deleteTargetEffect(ctx, targetName)] }
      : { instructions: [entry ? 'The Hub group is kept (onRemove: keepTarget).' : UNLISTED_KEEPS_TARGET] }),
    liveFingerprint: mapping.fingerprint,
    // Okta deletes only INACTIVE mappings: an active one is deactivated first.
    writes: mapping.status === 'INACTIVE' ? 1 : 2,
    op: {
      type: 'pushMapping.delete',
      appId: ctx.appId ?? '',
      mappingId: mapping.id,
      sourceGroupId: mapping.sourceGroupId,
      ...(mapping.targetGroupName !== undefined ? { targetGroupName: mapping.targetGroupName } : {}),
      deleteTargetGroup,
      currentStatus: mapping.status,
    },
  });
}

const UNLISTED_KEEPS_TARGET = 'The Hub group is kept (to delete it too, list the group with remove: true and onRemove: deleteTarget).';

/**
 * A Hub group older than its mapping was linked, not made by the push (`link: true` is refused
 * by the config rules, but Okta also links when the file didn't say so): org2org won't delete it.
 */
function checkDeleteTarget(ctx: SpokeContext, mapping: LivePushMapping, entry: DesiredPushGroup, targetName: string | undefined): void {
  const where = { address: formatAddress({ spoke: ctx.desired.name, kind: 'pushMapping', key: entry.name }), pos: entry.pos };
  if (!ctx.hub) {
    diagnose(
      ctx,
      'warning',
      `${entry.name}: onRemove: deleteTarget, but the Hub is not read (no hub.auth): the plan can't tell whether the Hub group predates the push, nor count its members`,
      where,
    );
    return;
  }
  const hubGroup = targetName === undefined ? undefined : ctx.hub.groups[targetName];
  if (predates(hubGroup?.created, mapping.created)) {
    diagnose(
      ctx,
      'error',
      `${entry.name}: the Hub group "${targetName}" existed before this push mapping (made ${hubGroup!.created}, the mapping ${mapping.created}): Okta linked to it, and org2org won't delete a Hub group the push didn't create — use onRemove: keepTarget`,
      where,
    );
  }
}

function deleteTargetEffect(ctx: SpokeContext, targetName: string | undefined): string {
  const name = targetName === undefined ? 'the Hub group this mapping pushes to' : `the Hub group "${targetName}"`;
  const members = targetName === undefined ? undefined : ctx.hub?.groups[targetName]?.memberLoginKeys;
  if (!members) return `deletes ${name} and its memberships`;
  return `deletes ${name} and its memberships (${countOf(members.length, 'member', 'members')} lose it)`;
}

/**
 * Okta's console docs: an Org2Org push links to an existing Hub group only once the Hub's groups
 * have been imported into the Spoke, a step no API does.
 */
export function linkInstruction(appLabel: string): string {
  return `Okta links to an existing Hub group only after the Hub's groups have been imported into the Spoke: Admin Console → Applications → ${appLabel} → Import → Import Now.`;
}

function warnHubTarget(ctx: SpokeContext, group: DesiredPushGroup, exists: boolean, address: string): void {
  if (!ctx.hub) return;
  if (exists && !group.link) {
    diagnose(
      ctx,
      'warning',
      `${group.name}: a group named "${group.targetName}" already exists in the Hub; Okta will link to it rather than create a new one. Say link: true if that is intended, or choose another targetName`,
      { address, pos: group.pos },
    );
  } else if (!exists && group.link) {
    diagnose(ctx, 'warning', `${group.name}: link: true, but the Hub has no group named "${group.targetName}"; Okta will create it`, {
      address,
      pos: group.pos,
    });
  }
}

/**
 * Who will be assigned after apply: listed users, plus live app users that stay (all of them
 * unless authoritative mode removes the unlisted direct ones), plus members of assigned groups
 * whose members were read.
 */
function assignedLoginKeys(ctx: SpokeContext): Set<string> {
  const keys = new Set<string>();
  for (const user of ctx.desired.assignments.users) keys.add(user.loginKey);
  const removesUnlisted = ctx.desired.mode === 'managed' && ctx.desired.assignments.mode === 'authoritative';
  for (const appUser of ctx.live.appUsers) {
    if (!removesUnlisted || appUser.scope !== 'USER') keys.add(appUser.loginKey);
  }
  for (const group of ctx.desired.assignments.groups) {
    for (const key of ctx.live.groups[group.name]?.memberLoginKeys ?? []) keys.add(key);
  }
  return keys;
}

/**
 * Okta's rule (help, "Troubleshooting Group Push"): the same group must not be used for assignment
 * and for Group Push: memberships removed in the Spoke can stay in the Hub group.
 */
function warnAssignedAndPushed(ctx: SpokeContext, group: DesiredPushGroup, address: string): void {
  const wanted = ctx.desired.assignments.groups.find((g) => g.name === group.name);
  const live = ctx.live.appGroups.some((g) => g.name === group.name);
  if (!wanted && !(live && ctx.desired.assignments.mode !== 'authoritative')) return;
  diagnose(
    ctx,
    'warning',
    `${group.name} is both assigned to the app and pushed: Okta does not support using the same group for assignment and Group Push (members removed from it in the Spoke can stay in the Hub group "${group.targetName}"; Okta help, "Troubleshooting Group Push"). Assign users through another group, or push a separate one`,
    { address, ...((wanted?.pos ?? group.pos) ? { pos: (wanted?.pos ?? group.pos)! } : {}) },
  );
}

/** Group Push skips inactive users (Okta help, "Troubleshooting Group Push"): said once per group, with the count. */
function noteInactiveMembers(ctx: SpokeContext, group: DesiredPushGroup): void {
  const inactive = ctx.live.groups[group.name]?.inactiveMemberLoginKeys;
  if (!inactive || inactive.length === 0 || group.status !== 'ACTIVE') return;
  ctx.notes.push(
    `${group.name}: ${countOf(inactive.length, 'member is', 'members are')} inactive in the Spoke (deactivated or suspended) and Group Push skips inactive users, so the Hub group "${group.targetName}" won't have ${inactive.length === 1 ? 'it' : 'them'}: ${sample(inactive)}`,
  );
}

function warnUnassignedMembers(ctx: SpokeContext, group: DesiredPushGroup, assignedKeys: () => Set<string>, address: string): void {
  const members = ctx.live.groups[group.name]?.memberLoginKeys;
  if (!members || members.length === 0) return;
  const assigned = assignedKeys();
  const missing = members.filter((key) => !assigned.has(key));
  if (missing.length === 0) return;
  diagnose(
    ctx,
    'warning',
    `${group.name}: ${countOf(missing.length, 'member is', 'members are')} not assigned to the app, so won't appear in the Hub group "${group.targetName}": ${sample(missing)}`,
    { address, pos: group.pos },
  );
}

/**
 * App users whose provisioning failed, and listed, assigned users the Hub doesn't have (when it
 * was read: the Hub is searched for the listed logins the Spoke doesn't confirm, so unlisted or
 * confirmed ones aren't judged).
 */
export function warnAppUsers(ctx: SpokeContext): void {
  const listed = ctx.hub ? new Set(ctx.desired.assignments.users.map((u) => u.loginKey)) : undefined;
  const missingInHub: string[] = [];
  for (const appUser of ctx.live.appUsers) {
    if (appUser.syncState === 'ERROR') {
      diagnose(
        ctx,
        'warning',
        `${appUser.login}: provisioning to the Hub failed: ${appUser.errorSummary ?? 'syncState ERROR, Okta gave no reason'}`,
        {
          address: formatAddress({ spoke: ctx.desired.name, kind: 'assignment.user', key: appUser.loginKey }),
        },
      );
    }
    // The Hub was searched only for users whose push the Spoke does not confirm (see pushConfirmedBySpoke).
    if (ctx.hub && listed?.has(appUser.loginKey) && !pushConfirmedBySpoke(appUser) && !ctx.hub.users[appUser.loginKey])
      missingInHub.push(appUser.login);
  }
  if (missingInHub.length > 0) {
    diagnose(
      ctx,
      'warning',
      `${countOf(missingInHub.length, 'assigned user is', 'assigned users are')} not in the Hub: ${sample(missingInHub)}`,
    );
  }
}
