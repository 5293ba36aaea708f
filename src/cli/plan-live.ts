/**
 * Reading the live orgs and planning against them, as `plan` and `apply` both do. Progress shows
 * while the orgs are read and is released before anything reaches stdout (or an error stderr).
 */
import type { DesiredState } from '../config/types.js';
import { createPlan } from '../plan/create-plan.js';
import type { Allowances, Plan } from '../plan/types.js';
import { readLiveState, type LiveClients, type ReadOptions } from '../state/read-live-state.js';
import type { LiveState } from '../state/types.js';
import { VERSION } from '../version.js';
import type { Session } from './session.js';
import { gitCommit } from './git.js';

export interface PlanLiveOptions {
  /** The share of each rate-limit bucket the plan's estimate assumes (the client's default, 50%). */
  maxApiCapacity?: number;
  /** Clock for the plan's timestamp (tests). */
  now?: () => Date;
  /** Where to find the git commit the plan is made at. */
  cwd?: string;
  /** What the guards allow (the plan records them). */
  allowances?: Allowances;
  /** How the orgs are read (default: readLiveState, in full); `plan --snapshot` reads through the snapshot. */
  read?: (onEvent: NonNullable<ReadOptions['onEvent']>) => Promise<LiveState>;
}

/** The plan, stamped with its time and commit, and the live state it was made from. */
export async function planLive(
  session: Session,
  desired: DesiredState,
  clients: LiveClients,
  options: PlanLiveOptions = {},
): Promise<{ plan: Plan; live: LiveState }> {
  // An interrupted read is incomplete: planning from it would show removals that aren't.
  const live = await session.readWithProgress('the orgs were not read to the end, so no plan was made; nothing was written.', (progress) =>
    options.read ? options.read((e) => progress.read(e)) : readLiveState(desired, clients, { onEvent: (e) => progress.read(e) }),
  );
  const plan = createPlan(desired, live, {
    maxApiCapacity: options.maxApiCapacity ?? 0.5,
    toolVersion: VERSION,
    ...(options.allowances ? { allowances: options.allowances } : {}),
  });
  plan.createdAt = (options.now?.() ?? new Date()).toISOString();
  const git = gitCommit(options.cwd);
  if (git) plan.git = git;
  return { plan, live };
}
