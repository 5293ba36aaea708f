/**
 * The safety rules apply enforces before writing anything: the plan's guards (src/plan/guards.ts)
 * that its allowances don't allow. Pure: returns the reasons to refuse (empty = safe), each naming
 * the flag that allows it; the CLI turns a non-empty list into a SafetyError.
 */
import { DEFAULT_ALLOWANCES, DEFAULT_MAX_REMOVALS, evaluateGuards } from '../plan/guards.js';
import type { Allowances, Guard, Plan } from '../plan/types.js';
import type { LiveState } from '../state/types.js';

export type SafetyOptions = Allowances;

export { DEFAULT_MAX_REMOVALS };

/** The guards the allowances leave standing: each is a reason apply refuses the plan. */
export function refusingGuards(plan: Plan, allowances: Allowances, live?: LiveState): Guard[] {
  return evaluateGuards(plan.spokes, allowances, live).filter((g) => !g.allowed);
}

/**
 * `live` (the state the plan was computed from) lets group unassignments and connections
 * switched off count the people they take away; without it only direct unassignments count.
 */
export function checkSafety(plan: Plan, options: Partial<SafetyOptions> = {}, live?: LiveState): string[] {
  return refusingGuards(plan, { ...DEFAULT_ALLOWANCES, ...options }, live).map((g) => `${g.message}; allow it with ${g.allowWith}`);
}
