/**
 * Safety rules apply enforces before writing anything. Pure: returns the reasons to refuse
 * (empty = safe); the CLI turns a non-empty list into a SafetyError naming the flag that allows it.
 */
import type { Change, Plan } from '../plan/types.js';
import type { LiveState } from '../state/types.js';
import { changesToApply } from './apply-plan.js';
import { addressOf } from '../plan/address.js';

export interface SafetyOptions {
  /** Most people one apply may unprovision (users unassigned, group members, users of a connection switched off). */
  maxRemovals: number;
  /** Allow deleting the Hub group along with a push mapping. */
  allowDeleteTargetGroups: boolean;
  /** Allow switching a provisioning connection off. */
  allowDisableConnection: boolean;
  /** Allow removing a Hub service app org2org made for a Spoke (its OAuth connection stops working). */
  allowDeleteServiceApps: boolean;
}

export const DEFAULT_MAX_REMOVALS = 25;

/**
 * `live` (the state the plan was computed from) lets group unassignments and connections
 * switched off count the people they take away; without it only direct unassignments count.
 */
export function checkSafety(plan: Plan, options: Partial<SafetyOptions> = {}, live?: LiveState): string[] {
  const maxRemovals = options.maxRemovals ?? DEFAULT_MAX_REMOVALS;
  const reasons: string[] = [];
  const changes = changesToApply(plan);

  const removed = peopleRemoved(changes, live);
  if (removed.people > maxRemovals) {
    const spokes = [...removed.spokes].join(', ');
    reasons.push(
      `the plan unprovisions ${removed.people} people (in ${spokes}: ${removed.how.join(', ')}), more than --max-removals ${maxRemovals}; ` +
        `check the config, then raise --max-removals if this is intended`,
    );
  }

  if (!options.allowDeleteTargetGroups) {
    for (const change of changes) {
      if (change.op.type === 'pushMapping.delete' && change.op.deleteTargetGroup) {
        reasons.push(`${addressOf(change)}: removing this push mapping deletes its Hub group; allow it with --allow-delete-target-groups`);
      }
    }
  }

  if (!options.allowDisableConnection) {
    for (const change of changes) {
      if (disablesConnection(change)) {
        reasons.push(`${addressOf(change)}: the plan deactivates the provisioning connection; allow it with --allow-disable-connection`);
      }
    }
  }
  if (!options.allowDeleteServiceApps) {
    for (const change of changes) {
      if (change.op.type === 'serviceApp.delete') {
        reasons.push(
          `${addressOf(change)}: the plan removes the Hub's service app ${change.name} (${change.op.clientId}); allow it with --allow-delete-service-apps`,
        );
      }
    }
  }
  return reasons;
}

/** Whether a change switches a provisioning connection off. */
function disablesConnection(change: Change): boolean {
  const op = change.op;
  return (op.type === 'connection.deactivate' || op.type === 'connection.set') && op.disables;
}

/**
 * The distinct people the changes take away from the Hub. Unassigning a group removes the app
 * users assigned through it: its members among the group-scoped app users when its members were
 * read, else every group-scoped app user (an upper bound: Okta does not say which group assigned
 * whom). Switching the connection off stops provisioning for every app user of the Spoke.
 */
function peopleRemoved(changes: Change[], live: LiveState | undefined): { people: number; spokes: Set<string>; how: string[] } {
  const people = new Set<string>();
  const spokes = new Set<string>();
  let users = 0;
  let groups = 0;
  let connections = 0;
  for (const change of changes) {
    const spoke = live?.spokes[change.resource.spoke];
    const before = people.size;
    if (change.op.type === 'assignment.user.unassign') {
      users++;
      people.add(`${change.resource.spoke}\u0000${change.op.login.toLowerCase()}`);
    } else if (change.op.type === 'assignment.group.unassign' && spoke) {
      groups++;
      const members = spoke.groups[change.name]?.memberLoginKeys;
      const inGroup = members ? new Set(members) : undefined;
      for (const u of spoke.appUsers)
        if (u.scope === 'GROUP' && (!inGroup || inGroup.has(u.loginKey))) people.add(`${change.resource.spoke}\u0000${u.loginKey}`);
    } else if (disablesConnection(change) && spoke) {
      connections++;
      for (const u of spoke.appUsers) people.add(`${change.resource.spoke}\u0000${u.loginKey}`);
    }
    if (people.size > before) spokes.add(change.resource.spoke);
  }
  const how: string[] = [];
  if (users > 0) how.push(`${users} user${users === 1 ? '' : 's'} unassigned`);
  if (groups > 0) how.push(`the members of ${groups} group${groups === 1 ? '' : 's'} unassigned`);
  if (connections > 0) how.push(`the app users of ${connections} connection${connections === 1 ? '' : 's'} switched off`);
  return { people: people.size, spokes, how };
}
