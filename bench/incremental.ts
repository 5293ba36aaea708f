/**
 * The incremental plan's figures (issue 28): on a plan world (bench/scenarios.ts), the steady-state
 * plan read in full, which writes the snapshot (what the first scheduled run pays, and every run
 * without one), then `--refresh changes` with nothing changed since, then after N console changes
 * made between the snapshot and the plan, for each N asked.
 *
 * The changes: people the config assigns, unassigned in the Spoke's admin console
 * (src/sim/console.ts `consoleChange`, as an admin's click-through, with its provisioning side
 * effects and System Log events), spread round-robin over the Spokes, taken from the end of each
 * Spoke's assigned people (none of them a group's member, so each is one app user gone). Every one
 * shows in the plan as one more user to assign: the sequence checks that it does (`add` grows by N),
 * so a read that missed a change fails the bench instead of reporting a cheap, wrong plan.
 */
import { consoleChange, type ConsoleChange, type Sim } from '../src/sim/index.js';
import { worldLogin, type World } from '../src/sim/build-world.js';
import type { SnapshotPlanFigures } from './snapshot-plan.js';

export interface ChangeSet {
  /** What changed, for the report: "10 console unassignments of assigned users (4 emea, 3 apac, 3 amer)". */
  what: string;
  changes: { org: string; change: ConsoleChange }[];
}

const MEMBERS_PER_GROUP = 10;

/**
 * `count` unassignments spread round-robin over the Spokes, after the `already` made before:
 * each Spoke's assigned people from the last one back.
 */
export function unassignments(world: World, count: number, already = 0): ChangeSet {
  const spokes = world.spokes;
  const changes: ChangeSet['changes'] = [];
  const perSpoke = new Map<string, number>();
  for (let i = already; i < already + count; i++) {
    const shape = spokes[i % spokes.length]!;
    const k = Math.floor(i / spokes.length);
    const n = shape.liveAssigned - k;
    // Group members are the first groups × 10 people of the directory: unassigning one of them would leave its group's assignment.
    if (n <= shape.groups * MEMBERS_PER_GROUP)
      throw new Error(`bench: ${shape.name} has too few assigned people outside groups for ${count} changes`);
    changes.push({ org: shape.name, change: { unassignUser: worldLogin(shape.name, n) } });
    perSpoke.set(shape.name, (perSpoke.get(shape.name) ?? 0) + 1);
  }
  const spread = spokes
    .filter((shape) => perSpoke.has(shape.name))
    .map((shape) => `${perSpoke.get(shape.name)} ${shape.name}`)
    .join(', ');
  return {
    what: `${count} console unassignment${count === 1 ? '' : 's'} of assigned users (${spread})`,
    changes,
  };
}

export interface IncrementalFigures {
  /** `--refresh full`, writing the snapshot. */
  full: SnapshotPlanFigures;
  /** `--refresh changes`, nothing changed since the snapshot. */
  steady: SnapshotPlanFigures;
  /** `--refresh changes` after each change set, made after the previous plan's snapshot. */
  changed: { objects: number; what: string; figures: SnapshotPlanFigures }[];
}

/**
 * Runs the sequence; `plan(refresh)` is one snapshot plan on the same snapshot file (in a worker
 * process for the bench, in-process for the test).
 */
export async function incrementalSequence(
  sim: Pick<Sim, 'orgs' | 'org'>,
  world: World,
  counts: number[],
  plan: (refresh: 'full' | 'changes') => Promise<SnapshotPlanFigures>,
): Promise<IncrementalFigures> {
  const full = await plan('full');
  const steady = await plan('changes');
  const check = (f: SnapshotPlanFigures, label: string): void => {
    if (f.errored) throw new Error(`bench: the ${label} plan has errors`);
    if (f.refresh === 'changes' && f.fallback !== undefined) throw new Error(`bench: the ${label} plan read in full: ${f.fallback}`);
  };
  check(full, 'full');
  check(steady, 'steady-state incremental');
  if (steady.summary.add !== full.summary.add || steady.summary.noop !== full.summary.noop)
    throw new Error('bench: the steady-state incremental plan differs from the full one');
  const changed: IncrementalFigures['changed'] = [];
  let made = 0;
  for (const n of counts) {
    const set = unassignments(world, n, made);
    for (const c of set.changes) await consoleChange(sim, c.org, c.change);
    made += n;
    const f = await plan('changes');
    check(f, `${n}-change`);
    // Each unassigned person is one more to assign: a missed change would show here.
    if (f.summary.add !== full.summary.add + made)
      throw new Error(`bench: after ${made} unassignments the plan adds ${f.summary.add}, not ${full.summary.add + made}`);
    changed.push({ objects: n, what: set.what, figures: f });
  }
  return { full, steady, changed };
}
