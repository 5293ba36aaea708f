/**
 * Guards: the changes apply refuses unless a person allowed them with a flag (mass removals,
 * deleting Hub groups, switching a connection off, removing a Hub service app or the access
 * provisioning needs, pointing a Spoke at another Hub). They are decided when the plan is made,
 * so that the pull request shows what apply will refuse and which flag allows it; the flags given
 * to `plan` are recorded in the plan as its allowances, and apply of that saved plan honours exactly
 * them. Pure: the plan's changes and the live state they were computed from.
 */
import { addressOf } from './address.js';
import type { LiveState } from '../state/types.js';
import type { Allowances, Change, Guard, SpokePlan } from './types.js';

export const DEFAULT_MAX_REMOVALS = 25;

/** Nothing allowed beyond the default removal limit: what `plan` and `apply` assume without flags. */
export const DEFAULT_ALLOWANCES: Allowances = {
  maxRemovals: DEFAULT_MAX_REMOVALS,
  allowDeleteTargetGroups: false,
  allowDisableConnection: false,
  allowDeleteServiceApps: false,
  allowHubChange: false,
  allowRemoveRequiredAccess: false,
  allowRemoveAttributeMappings: false,
};

/**
 * What provisioning through an OAuth 2.0 connection needs of the Hub's service app: pushing users
 * and groups (Okta's guide grants these scopes and roles). Removing one breaks every push.
 */
export const REQUIRED_SCOPES = ['okta.users.manage', 'okta.groups.manage'];
export const REQUIRED_ROLES = ['USER_ADMIN', 'GROUP_MEMBERSHIP_ADMIN'];

/** The command-line spelling of each allowance (as plan and apply take them). */
export function allowanceFlags(allowances: Allowances): string[] {
  const flags: string[] = [];
  if (allowances.maxRemovals !== DEFAULT_MAX_REMOVALS) flags.push(`--max-removals ${allowances.maxRemovals}`);
  if (allowances.allowDeleteTargetGroups) flags.push('--allow-delete-target-groups');
  if (allowances.allowDisableConnection) flags.push('--allow-disable-connection');
  if (allowances.allowDeleteServiceApps) flags.push('--allow-delete-service-apps');
  if (allowances.allowHubChange) flags.push('--allow-hub-change');
  if (allowances.allowRemoveRequiredAccess) flags.push('--allow-remove-required-access');
  if (allowances.allowRemoveAttributeMappings) flags.push('--allow-remove-attribute-mappings');
  return flags;
}

/** Changes of managed Spokes that write (what apply acts on). */
function writing(spokes: SpokePlan[]): Change[] {
  return spokes.flatMap((spoke) => (spoke.mode === 'observe' ? [] : spoke.changes.filter((c) => c.action !== 'noop')));
}

/**
 * Every guard the plan's changes meet, allowed or not. `live` (the state the plan was computed
 * from) lets group unassignments and connections switched off count the people they take away;
 * without it only direct unassignments count.
 */
export function evaluateGuards(spokes: SpokePlan[], allowances: Allowances, live?: LiveState): Guard[] {
  const changes = writing(spokes);
  const guards: Guard[] = [];
  const removed = peopleRemoved(changes, live);
  const limit = allowances.maxRemovals;
  // Said once the default limit is passed, allowed or not, so that a raised limit is seen as such.
  if (removed.people > Math.min(limit, DEFAULT_MAX_REMOVALS)) {
    const allowed = removed.people <= limit;
    const what = `the plan unprovisions ${removed.people} people (in ${[...removed.spokes].join(', ')}: ${removed.how.join(', ')})`;
    guards.push({
      guard: 'max-removals',
      message: allowed
        ? `${what}, more than the default --max-removals ${DEFAULT_MAX_REMOVALS}`
        : `${what}, more than --max-removals ${limit}`,
      allowWith: `--max-removals ${removed.people}`,
      allowed,
    });
  }
  for (const change of changes) {
    const at = (guard: Guard['guard'], message: string, allowWith: string, allowed: boolean): void => {
      guards.push({
        guard,
        spoke: change.resource.spoke,
        address: addressOf(change),
        message: `${addressOf(change)}: ${message}`,
        allowWith,
        allowed,
      });
    };
    const op = change.op;
    if (op.type === 'pushMapping.delete' && op.deleteTargetGroup) {
      at(
        'delete-target-groups',
        'removing this push mapping deletes its Hub group',
        '--allow-delete-target-groups',
        allowances.allowDeleteTargetGroups,
      );
    } else if ((op.type === 'connection.deactivate' || op.type === 'connection.set') && op.disables) {
      at(
        'disable-connection',
        'the plan deactivates the provisioning connection',
        '--allow-disable-connection',
        allowances.allowDisableConnection,
      );
    } else if (op.type === 'serviceApp.delete') {
      at(
        'delete-service-apps',
        `the plan removes the Hub's service app ${change.name} (${op.clientId})`,
        '--allow-delete-service-apps',
        allowances.allowDeleteServiceApps,
      );
    } else if (op.type === 'app.update' && op.baseUrl !== undefined) {
      const before = change.attributes.find((a) => a.name === 'baseUrl')?.before;
      at(
        'hub-change',
        `the plan points the Spoke's app at another Hub (base URL ${JSON.stringify(before ?? null)} → ${JSON.stringify(op.baseUrl)}): provisioning goes there from now on`,
        '--allow-hub-change',
        allowances.allowHubChange,
      );
    } else if (op.type === 'serviceApp.revokeGrant' && REQUIRED_SCOPES.includes(op.scopeId)) {
      at(
        'remove-required-access',
        `the plan revokes ${op.scopeId} from the Hub's service app, which provisioning needs: every push fails without it`,
        '--allow-remove-required-access',
        allowances.allowRemoveRequiredAccess,
      );
    } else if (op.type === 'attribute.remove') {
      at(
        'remove-attribute-mappings',
        `the plan removes the mapping that carries ${op.name} to the Hub: the Hub stops getting it from ${change.resource.spoke}`,
        '--allow-remove-attribute-mappings',
        allowances.allowRemoveAttributeMappings,
      );
    } else if (op.type === 'serviceApp.unassignRole' && REQUIRED_ROLES.includes(op.roleType)) {
      at(
        'remove-required-access',
        `the plan takes the role ${op.roleType} from the Hub's service app, which provisioning needs: pushes fail without it`,
        '--allow-remove-required-access',
        allowances.allowRemoveRequiredAccess,
      );
    }
  }
  return guards;
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
