/**
 * How a planner lines a config list up with the live objects: by natural key (login key, group
 * name, scope), then the live objects the list doesn't name, which the list's mode decides about.
 * Built for 100,000-entry lists: nothing is allocated per entry.
 */
import type { OwnershipMode } from '../config/types.js';
import { countOf, diagnose, sample, type SpokeContext } from './spoke-context.js';
import type { Change } from './types.js';

export interface PairVisitor<D, L> {
  /** A desired entry and the live object of the same key. */
  both(desired: D, live: L): void;
  /** A desired entry nothing live has the key of. */
  desiredOnly(desired: D): void;
}

export interface Pairing<L> {
  /** The live objects no desired entry names, in live order; worked out when asked (additive lists never ask). */
  liveOnly(): L[];
}

/**
 * Visits the desired entries in their order (the plan lists changes in the file's order), each
 * with its live counterpart or as desired only. Two live objects of one key: the last is the one paired.
 */
export function pairByKey<D, L>(
  desired: readonly D[],
  live: readonly L[],
  keys: { desired: (entry: D) => string; live: (object: L) => string },
  visit: PairVisitor<D, L>,
): Pairing<L> {
  const liveByKey = new Map<string, L>();
  for (const object of live) liveByKey.set(keys.live(object), object);
  for (const entry of desired) {
    const object = liveByKey.get(keys.desired(entry));
    if (object === undefined) visit.desiredOnly(entry);
    else visit.both(entry, object);
  }
  return {
    liveOnly: () => {
      const listed = new Set<string>();
      for (const entry of desired) listed.add(keys.desired(entry));
      return live.filter((object) => !listed.has(keys.live(object)));
    },
  };
}

export interface UnlistedList<L> {
  /** additive keeps them, observe reports them in one warning, authoritative removes them. */
  mode: OwnershipMode;
  /** The live objects the list doesn't name, in the order removals are listed. */
  unlisted: () => L[];
  /** The observe warning's words: `3 users are` `assigned directly` `but not listed in` `assignments.users`. */
  noun: [one: string, many: string];
  state: string;
  list: string;
  nameOf: (object: L) => string;
  removal: (object: L) => Change;
  removals: Change[];
}

/** The tail every list planner shares: what happens to live objects the list doesn't name. */
export function planUnlisted<L>(ctx: SpokeContext, list: UnlistedList<L>): void {
  if (list.mode === 'additive') return;
  const unlisted = list.unlisted();
  if (list.mode === 'observe') {
    if (unlisted.length > 0) {
      const [one, many] = list.noun;
      diagnose(
        ctx,
        'warning',
        `${countOf(unlisted.length, `${one} is`, `${many} are`)} ${list.state} but not listed in ${list.list} (observe: left as is): ${sample(unlisted.map(list.nameOf))}`,
      );
    }
    return;
  }
  for (const object of unlisted) list.removals.push(list.removal(object));
}

/** Sort by code units, so the order doesn't depend on the machine's locale. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
