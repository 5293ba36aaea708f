/**
 * The order apply runs a spoke's changes in: a phase per kind (app → Hub service app → its grants →
 * its roles → connection → features → assignments → push mappings), removals afterwards in reverse, and the plan's own `dependsOn`
 * edges on top. A change never runs before the phase of everything it depends on.
 */
import { KINDS, lastForwardRank } from '../plan/kinds.js';
import type { Change } from '../plan/types.js';
import { addressOf } from '../plan/address.js';

/**
 * A removal takes something away that later phases may rely on, so it runs after every
 * addition, and removals run in reverse kind order (push mappings before unassignments before
 * the connection is switched off, so that Okta still deprovisions downstream while it can).
 */
export function isRemoval(change: Change): boolean {
  return change.action === 'delete' || change.op.type === 'connection.deactivate';
}

/** The phase a change belongs to by its kind alone. */
export function kindPhaseOf(change: Change): number {
  // A kind's rank is in the kinds table; removals get ranks above the last, mirrored.
  const last = lastForwardRank();
  const rank = KINDS[change.resource.kind]?.rank ?? last;
  return isRemoval(change) ? 2 * last + 1 - rank : rank;
}

/**
 * Effective phase of every change: its kind phase, raised to that of any change it depends on,
 * so that an explicit dependency on a later kind is still honoured. Throws on a dependency cycle
 * (a malformed plan: nothing can be applied in a meaningful order).
 */
export function computePhases(changes: Change[]): Map<string, number> {
  const byAddress = new Map(changes.map((c) => [addressOf(c), c]));
  const phases = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (change: Change): number => {
    const known = phases.get(addressOf(change));
    if (known !== undefined) return known;
    if (visiting.has(addressOf(change))) {
      throw new Error(`the plan's dependencies form a cycle through ${addressOf(change)}`);
    }
    visiting.add(addressOf(change));
    let phase = kindPhaseOf(change);
    for (const address of change.dependsOn) {
      const dependency = byAddress.get(address);
      if (dependency) phase = Math.max(phase, visit(dependency));
    }
    visiting.delete(addressOf(change));
    phases.set(addressOf(change), phase);
    return phase;
  };
  for (const change of changes) visit(change);
  return phases;
}

/**
 * Dependencies whose failure must skip a change: the plan's `dependsOn`, plus the spoke's
 * `app.create` for any op that needs the app id created in this apply (`appId: null`).
 */
export function failureDependenciesOf(change: Change, appCreate: Change | undefined): string[] {
  const deps = [...change.dependsOn];
  const op = change.op as { appId?: string | null };
  if (appCreate && appCreate !== change && op.appId === null && !deps.includes(addressOf(appCreate))) {
    deps.push(addressOf(appCreate));
  }
  return deps;
}
