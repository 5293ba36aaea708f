/**
 * Safety rules apply enforces before writing anything. Pure: returns the reasons to refuse
 * (empty = safe); the CLI turns a non-empty list into a SafetyError naming the flag that allows it.
 */
import type { Plan } from '../plan/types.js';
import { changesToApply } from './apply-plan.js';

export interface SafetyOptions {
  /** Most user unassignments one apply may make. */
  maxRemovals: number;
  /** Allow deleting the Hub group along with a push mapping. */
  allowDeleteTargetGroups: boolean;
  /** Allow switching a provisioning connection off. */
  allowDisableConnection: boolean;
}

export const DEFAULT_MAX_REMOVALS = 25;

export function checkSafety(plan: Plan, options: Partial<SafetyOptions> = {}): string[] {
  const maxRemovals = options.maxRemovals ?? DEFAULT_MAX_REMOVALS;
  const reasons: string[] = [];
  const changes = changesToApply(plan);

  const unassignments = changes.filter((c) => c.op.type === 'assignment.user.unassign');
  if (unassignments.length > maxRemovals) {
    const spokes = [...new Set(unassignments.map((c) => c.spoke))].join(', ');
    reasons.push(
      `the plan unassigns ${unassignments.length} users (in ${spokes}), more than --max-removals ${maxRemovals}; ` +
        `check the config, then raise --max-removals if this is intended`,
    );
  }

  if (!options.allowDeleteTargetGroups) {
    for (const change of changes) {
      if (change.op.type === 'pushMapping.delete' && change.op.deleteTargetGroup) {
        reasons.push(`${change.address}: removing this push mapping deletes its Hub group; allow it with --allow-delete-target-groups`);
      }
    }
  }

  if (!options.allowDisableConnection) {
    for (const change of changes) {
      const disables =
        change.op.type === 'connection.deactivate' || (change.op.type === 'connection.set' &&
          change.op.activate === false &&
          (change.before?.status === 'ENABLED' || change.before?.enabled === true));
      if (disables) {
        reasons.push(`${change.address}: the plan deactivates the provisioning connection; allow it with --allow-disable-connection`);
      }
    }
  }
  return reasons;
}
