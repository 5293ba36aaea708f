/**
 * Which drift policy a change falls under: its list's (`assignments.drift` for assignments,
 * `pushGroups.drift` for push mappings), else its Spoke's, else `report`.
 */
import type { DesiredSpoke, DriftPolicy } from '../config/types.js';
import { KINDS } from './kinds.js';
import type { Change } from './types.js';

export function driftPolicyOf(spoke: DesiredSpoke | undefined, change: Change): { policy: DriftPolicy; from: string } {
  // The config section the kind's list is in (the kinds table): `assignments` and `pushGroups` may have a policy of their own.
  const section = KINDS[change.resource.kind].section;
  if ((section === 'assignments' || section === 'pushGroups') && spoke?.[section].drift) {
    return { policy: spoke[section].drift!, from: `${section}.drift` };
  }
  if (spoke?.drift) return { policy: spoke.drift, from: 'drift' };
  return { policy: 'report', from: 'default' };
}

/** The live object a change is about, by the id its op carries (what the System Log names as a target). */
export function targetIdOf(change: Change): string | undefined {
  const op = change.op as Record<string, unknown>;
  for (const key of ['userId', 'groupId', 'sourceGroupId', 'mappingId', 'appId']) {
    if (typeof op[key] === 'string' && op[key] !== '') return op[key] as string;
  }
  return undefined;
}
