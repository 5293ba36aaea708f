/**
 * Group push mappings, paired by the Spoke source group's name, and the Hub-side warnings about
 * what a push will and won't bring into the Hub.
 */
import type { DesiredPushGroup } from '../config/types.js';
import { pushConfirmedBySpoke, type LivePushMapping } from '../state/types.js';
import { countOf, didYouMean, sample } from './plan-assignments.js';
import { formatAddress, type ResourceKey } from './address.js';
import { diagnose, makeChange, type SpokeContext } from './spoke-context.js';

export function planPushMappings(ctx: SpokeContext): void {
  const { desired, live } = ctx;
  const byName = new Map<string, LivePushMapping>();
  const bySourceId = new Map<string, LivePushMapping>();
  for (const mapping of live.pushMappings) {
    if (mapping.sourceGroupName !== undefined) byName.set(mapping.sourceGroupName, mapping);
    bySourceId.set(mapping.sourceGroupId, mapping);
  }
  const paired = new Set<LivePushMapping>();
  // Built only when some pushed group's members were read: it holds every assigned login.
  let assigned: Set<string> | undefined;
  const assignedKeys = (): Set<string> => (assigned ??= assignedLoginKeys(ctx));
  const dependsOn = [ctx.appCreate, ctx.provisioningChange, ctx.createUsersChange];

  for (const group of desired.pushGroups.groups) {
    const resource: ResourceKey = { spoke: desired.name, kind: 'pushMapping', key: group.name };
    const address = formatAddress(resource);
    const source = live.groups[group.name];
    const mapping = byName.get(group.name) ?? (source ? bySourceId.get(source.id) : undefined);
    if (mapping) paired.add(mapping);
    if (!source && !mapping) {
      diagnose(ctx, 'error', `${group.name}: no such group in the ${desired.name} Spoke org${didYouMean(ctx, group.name)}; create it there or remove it from pushGroups.groups`, {
        address,
        pos: group.pos,
      });
      continue;
    }
    warnUnassignedMembers(ctx, group, assignedKeys, address);

    if (!mapping) {
      warnHubTarget(ctx, group, ctx.hub?.groups[group.targetName] !== undefined, address);
      ctx.forward.push(
        makeChange(ctx, {
          resource,
          kind: 'pushMapping',
          action: 'create',
          name: group.name,
          after: { sourceGroupId: source!.id, targetName: group.targetName, link: group.link, status: group.status },
          attributes: [
            { name: 'targetName', before: null, after: group.targetName },
            { name: 'link', before: null, after: group.link },
            { name: 'status', before: null, after: group.status },
          ],
          ...(group.link ? { instructions: [linkInstruction(desired.app.label)] } : {}),
          dependsOn,
          writes: 1,
          op: { type: 'pushMapping.create', appId: ctx.appId, sourceGroupId: source!.id, targetGroupName: group.targetName, status: group.status },
        }),
      );
      continue;
    }

    if (mapping.status === 'ERROR') {
      diagnose(ctx, 'warning', `${group.name}: the push mapping is in ERROR: ${mapping.errorSummary ?? 'Okta gave no reason'}`, { address, pos: group.pos });
    }
    if (mapping.targetGroupName !== undefined && mapping.targetGroupName !== group.targetName) {
      diagnose(
        ctx,
        'warning',
        `${group.name}: pushed to the Hub group "${mapping.targetGroupName}", but the config says "${group.targetName}"; a mapping's target can't be changed: remove the group from pushGroups, apply, then add it back`,
        { address, pos: group.pos },
      );
    }
    if (mapping.status === group.status) {
      ctx.noops++;
      continue;
    }
    const identity = { sourceGroupId: mapping.sourceGroupId, targetName: mapping.targetGroupName ?? group.targetName };
    ctx.forward.push(
      makeChange(ctx, {
        resource,
        kind: 'pushMapping',
        action: 'update',
        name: group.name,
        // Which groups the mapping joins, shown beside the changed status.
        before: { ...identity, status: mapping.status },
        after: { ...identity, status: group.status },
        attributes: [{ name: 'status', before: mapping.status, after: group.status }],
        dependsOn,
        liveFingerprint: mapping.fingerprint,
        writes: 1,
        op: { type: 'pushMapping.update', appId: ctx.appId ?? '', mappingId: mapping.id, sourceGroupId: identity.sourceGroupId, targetGroupName: identity.targetName, status: group.status },
      }),
    );
  }

  const mode = desired.pushGroups.mode;
  if (mode === 'additive') return;
  const unlisted = live.pushMappings.filter((m) => !paired.has(m));
  if (mode === 'observe') {
    if (unlisted.length > 0) {
      diagnose(ctx, 'warning', `${countOf(unlisted.length, 'group is', 'groups are')} pushed but not listed in pushGroups.groups (observe: left as is): ${sample(unlisted.map(mappingKey))}`);
    }
    return;
  }
  for (const mapping of unlisted) {
    const before: Record<string, unknown> = { sourceGroupId: mapping.sourceGroupId, status: mapping.status };
    if (mapping.targetGroupName !== undefined) before.targetName = mapping.targetGroupName;
    ctx.removals.pushMapping.push(
      makeChange(ctx, {
        resource: { spoke: desired.name, kind: 'pushMapping', key: mappingKey(mapping) },
        kind: 'pushMapping',
        action: 'delete',
        name: mappingKey(mapping),
        before,
        // A mapping the file doesn't list has no onRemove: its Hub group is kept.
        instructions: ['The Hub group is kept (only a listed group can say onRemove: deleteTarget).'],
        liveFingerprint: mapping.fingerprint,
        // Okta deletes only INACTIVE mappings: an active one is deactivated first.
        writes: mapping.status === 'INACTIVE' ? 1 : 2,
        op: {
          type: 'pushMapping.delete',
          appId: ctx.appId ?? '',
          mappingId: mapping.id,
          sourceGroupId: mapping.sourceGroupId,
          ...(mapping.targetGroupName !== undefined ? { targetGroupName: mapping.targetGroupName } : {}),
          deleteTargetGroup: false,
          currentStatus: mapping.status,
        },
      }),
    );
  }
}

/**
 * Okta's console docs: an Org2Org push links to an existing Hub group only once the Hub's groups
 * have been imported into the Spoke, a step no API does.
 */
export function linkInstruction(appLabel: string): string {
  return `Okta links to an existing Hub group only after the Hub's groups have been imported into the Spoke: Admin Console → Applications → ${appLabel} → Import → Import Now.`;
}

/** The natural key of a live mapping: its source group's name, or its id when the source is gone. */
function mappingKey(mapping: LivePushMapping): string {
  return mapping.sourceGroupName ?? mapping.id;
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
    diagnose(ctx, 'warning', `${group.name}: link: true, but the Hub has no group named "${group.targetName}"; Okta will create it`, { address, pos: group.pos });
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
      diagnose(ctx, 'warning', `${appUser.login}: provisioning to the Hub failed: ${appUser.errorSummary ?? 'syncState ERROR, Okta gave no reason'}`, {
        address: formatAddress({ spoke: ctx.desired.name, kind: 'assignment.user', key: appUser.loginKey }),
      });
    }
    // The Hub was searched only for users whose push the Spoke does not confirm (see pushConfirmedBySpoke).
    if (ctx.hub && listed?.has(appUser.loginKey) && !pushConfirmedBySpoke(appUser) && !ctx.hub.users[appUser.loginKey]) missingInHub.push(appUser.login);
  }
  if (missingInHub.length > 0) {
    diagnose(ctx, 'warning', `${countOf(missingInHub.length, 'assigned user is', 'assigned users are')} not in the Hub: ${sample(missingInHub)}`);
  }
}
