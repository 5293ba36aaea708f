/**
 * createPlan(desired, live, options) → Plan. PURE: no fs, no fetch, no clock, no environment;
 * the same inputs always give the same plan (the CLI adds `createdAt` and `git`).
 *
 * Per spoke, changes are listed in apply order: app → connection → To App → To Okta → Profile
 * Sourcing (manual) → user assignments → group assignments → push mappings, then removals in
 * reverse (push mappings, groups, users, connection switch-off). Matching objects are counted
 * as noops, not listed — except a noop that carries a note (the unreadable TOKEN).
 *
 * Observe mode ("read and report only"): a whole spoke with `mode: observe`, or one list
 * (`assignments` or `pushGroups`) with `mode: observe`. Everything is computed as for a managed
 * spoke, then every difference in what is observed becomes a warning "observe: would …" and is
 * not listed as a change, so nothing observed is applyable. Live objects an observed list
 * doesn't name are reported in one warning per list.
 */
import type { DesiredSpoke, DesiredState, SourcePos } from '../config/types.js';
import type { LiveSpoke, LiveState } from '../state/types.js';
import { addressOf, fingerprintsByAddress } from './address.js';
import { DEFAULT_ALLOWANCES, evaluateGuards } from './guards.js';
import { KINDS, plannersInOrder } from './kinds.js';
import { decideHubAttributes, type HubAttributeDecision } from './plan-attributes.js';
import { warnAppUsers } from './plan-push.js';
import { diagnose, type SpokeContext } from './spoke-context.js';
import {
  PLAN_FORMAT_VERSION,
  type Change,
  type Diagnostic,
  type Plan,
  type PlanFile,
  type PlanOptions,
  type PlanSummary,
  type SpokePlan,
} from './types.js';

/** Okta's documented per-minute limit for /api/v1/apps/* when no response told us otherwise. */
export const DEFAULT_APPS_LIMIT_PER_MINUTE = 100;

export function createPlan(desired: DesiredState, live: LiveState, options: PlanOptions): Plan {
  const spokes: SpokePlan[] = [];
  const planDiagnostics: Diagnostic[] = [];
  let noops = 0;
  let minSeconds = 0;

  const hubAttributes = decideHubAttributes(desired, live);
  for (const spoke of desired.spokes) {
    const unreadable = live.unreadable?.[spoke.name];
    if (unreadable !== undefined) {
      spokes.push({
        name: spoke.name,
        url: spoke.url,
        mode: spoke.mode,
        changes: [],
        diagnostics: [
          { severity: 'error', spoke: spoke.name, message: `could not read the ${spoke.name} Spoke, so it is not planned: ${unreadable}` },
        ],
      });
      continue;
    }
    const liveSpoke = live.spokes[spoke.name];
    if (!liveSpoke) continue; // not read (e.g. `--spoke` chose others): not part of this plan
    const planned = planSpoke(spoke, liveSpoke, desired, live, hubAttributes);
    for (const note of live.readProblems) {
      if (note.spoke === spoke.name) planned.plan.diagnostics.push({ severity: note.severity, spoke: spoke.name, message: note.message });
    }
    noops += planned.noops;
    spokes.push(planned.plan);
    const writes = planned.plan.changes.reduce((n, c) => n + c.writes, 0);
    // Spokes are applied at the same time, each against its own rate limit: the slowest sets the pace.
    minSeconds = Math.max(minSeconds, secondsFor(writes, liveSpoke, options.maxApiCapacity));
  }
  const readSpokes = new Set(spokes.map((s) => s.name));
  for (const note of live.readProblems) {
    if (note.spoke === undefined || !readSpokes.has(note.spoke)) {
      const diagnostic: Diagnostic = { severity: note.severity, message: note.message };
      if (note.spoke !== undefined) diagnostic.spoke = note.spoke;
      planDiagnostics.push(diagnostic);
    }
  }

  const summary = summarize(spokes, planDiagnostics, noops, minSeconds);
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    tool: { name: 'org2org', version: options.toolVersion },
    config: { file: desired.file, digest: desired.digest },
    hubUrl: desired.hub.url,
    spokes,
    summary,
    errored: summary.errors > 0,
    empty: summary.add + summary.change + summary.remove + summary.manual === 0,
    allowances: { ...(options.allowances ?? DEFAULT_ALLOWANCES) },
    guards: [],
  };
  plan.guards = evaluateGuards(spokes, plan.allowances, live);
  if (planDiagnostics.length > 0) plan.diagnostics = planDiagnostics;
  return plan;
}

/**
 * The plan as a file records it: with the fingerprint of every live object read for its planned
 * Spokes (those createPlan planned from a read, in the plan's order). Called only where a plan
 * is written as JSON, so a plan only printed as text never pays for 100,000 entries.
 */
export function toPlanFile(plan: Plan, live: LiveState): PlanFile {
  const fingerprints: Record<string, string> = {};
  for (const { name } of plan.spokes) {
    const spoke = live.spokes[name];
    if (spoke && live.unreadable?.[name] === undefined) fingerprintsByAddress(spoke, fingerprints);
  }
  return { ...plan, fingerprints };
}

function planSpoke(
  desired: DesiredSpoke,
  live: LiveSpoke,
  state: DesiredState,
  liveState: LiveState,
  hubAttributes: ReadonlyMap<string, HubAttributeDecision>,
): { plan: SpokePlan; noops: number } {
  const ctx: SpokeContext = {
    desired,
    live,
    hub: liveState.hub,
    hubUrl: state.hub.url,
    file: state.file,
    appId: live.app?.id ?? null,
    hubAttributes,
    forward: [],
    serviceAppChanges: [],
    removals: [],
    diagnostics: [],
    noops: 0,
    statusOnly: [],
    notes: [],
  };
  if (live.appProblem !== undefined) {
    // Planning on a guess (the wrong app, or a second one) would be worse than no plan.
    diagnose(ctx, 'error', live.appProblem, { pos: desired.pos });
    return { plan: { name: desired.name, url: desired.url, mode: desired.mode, changes: [], diagnostics: ctx.diagnostics }, noops: 0 };
  }
  reportDuplicates(ctx);
  for (const planner of plannersInOrder()) planner(ctx);
  warnAppUsers(ctx);

  let changes: Change[] = [...ctx.forward, ...inRemovalOrder(ctx.removals)];
  const observed = (change: Change): boolean => {
    if (change.action === 'noop') return false;
    const section = KINDS[change.resource.kind].section;
    return desired.mode === 'observe' || (section !== null && desired[section].mode === 'observe');
  };
  if (changes.some(observed)) {
    for (const change of changes) {
      if (observed(change)) {
        ctx.diagnostics.push({
          severity: 'warning',
          spoke: desired.name,
          address: addressOf(change),
          message: `observe: would ${describe(change)}`,
        });
      }
    }
    changes = changes.filter((c) => !observed(c));
  }
  if (liveState.hubUnreadable !== undefined) refuseHubIdentityChanges(ctx, changes, liveState.hubUnreadable);
  return {
    plan: {
      name: desired.name,
      url: desired.url,
      mode: desired.mode,
      changes,
      diagnostics: ctx.diagnostics,
      ...(ctx.notes.length > 0 ? { notes: ctx.notes } : {}),
    },
    noops: ctx.noops,
  };
}

/** Removals by their kind's place among removals (the kinds table); a kind's own in the order planned. */
function inRemovalOrder(removals: Change[]): Change[] {
  const place = (change: Change): number => KINDS[change.resource.kind].removal ?? Number.MAX_SAFE_INTEGER;
  return removals
    .map((change, i) => ({ change, i }))
    .sort((a, b) => place(a.change) - place(b.change) || a.i - b.i)
    .map(({ change }) => change);
}

/**
 * The loader rejects duplicates; this guards the plan's own invariant (one change per address,
 * which apply relies on) for a DesiredState built some other way. Errors make the plan unapplyable.
 */
function reportDuplicates(ctx: SpokeContext): void {
  const check = <T extends { pos?: SourcePos }>(list: string, entries: T[], keyOf: (entry: T) => string): void => {
    const seen = new Set<string>();
    for (const entry of entries) {
      const key = keyOf(entry);
      if (seen.has(key)) diagnose(ctx, 'error', `${key} is listed twice in ${list}; keep one entry`, { pos: entry.pos });
      seen.add(key);
    }
  };
  check('assignments.users', ctx.desired.assignments.users, (u) => u.loginKey);
  check('assignments.groups', ctx.desired.assignments.groups, (g) => g.name);
  check('pushGroups.groups', ctx.desired.pushGroups.groups, (g) => g.name);
  check('attributes.carry', ctx.desired.attributes.carry, (a) => a.name);
}

/**
 * Changes that decide which Hub a Spoke provisions into (the app's base URL), or that act in the
 * Hub on its identity (its service app, a push linking to a Hub group by name): planned against a
 * Hub that can't be read, a typo'd URL or an outage would re-point or cut the Spoke. Each is an
 * error for its Spoke, so nothing of it is applied until the Hub answers.
 */
function refuseHubIdentityChanges(ctx: SpokeContext, changes: Change[], why: string): void {
  for (const change of changes) {
    const op = change.op;
    const what =
      op.type === 'app.create' || (op.type === 'app.update' && op.baseUrl !== undefined)
        ? `sets the app's Hub (base URL ${op.baseUrl})`
        : op.type.startsWith('serviceApp.')
          ? "changes the Hub's service app"
          : op.type === 'pushMapping.create' && change.after?.link === true
            ? 'links a push to a Hub group by name'
            : undefined;
    if (what === undefined) continue;
    diagnose(
      ctx,
      'error',
      `${addressOf(change)} ${what}, but the Hub could not be read (${why}): check the Hub's URL and credentials (hub.url, hub.auth), then plan again`,
      { address: addressOf(change) },
    );
  }
}

const VERB: Record<Change['action'], string> = {
  create: 'create',
  update: 'update',
  delete: 'remove',
  manual: 'need a manual change to',
  noop: 'keep',
};

function describe(change: Change): string {
  const attributes = change.attributes.map((a) => `${a.name}: ${brief(a.before)} → ${brief(a.after)}`).join(', ');
  return `${VERB[change.action]} ${addressOf(change)}${attributes ? ` (${attributes})` : ''}`;
}

function brief(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Lower bound on apply time for one spoke: every write goes through the `apps` bucket, of which
 * the run may use `maxApiCapacity`. Uses the smallest `apps` limit seen while reading.
 */
function secondsFor(writes: number, live: LiveSpoke, maxApiCapacity: number): number {
  if (writes === 0) return 0;
  const limits = live.rateLimits.filter((r) => r.bucket === 'apps' && r.limit > 0).map((r) => r.limit);
  const perMinute =
    (limits.length > 0 ? limits.reduce((a, b) => Math.min(a, b)) : DEFAULT_APPS_LIMIT_PER_MINUTE) * clampShare(maxApiCapacity);
  return Math.ceil((writes / perMinute) * 60);
}

function clampShare(share: number): number {
  return Number.isFinite(share) && share > 0 ? Math.min(share, 1) : 0.5;
}

function summarize(spokes: SpokePlan[], planDiagnostics: Diagnostic[], noops: number, minSeconds: number): PlanSummary {
  const summary: PlanSummary = {
    add: 0,
    change: 0,
    remove: 0,
    manual: 0,
    noop: noops,
    errors: 0,
    warnings: 0,
    apiWrites: 0,
    hubEffects: 0,
    minSeconds,
  };
  for (const spoke of spokes) {
    for (const change of spoke.changes) {
      summary.apiWrites += change.writes;
      if (change.hubEffects) summary.hubEffects++;
      if (change.action === 'create') summary.add++;
      else if (change.action === 'update') summary.change++;
      else if (change.action === 'delete') summary.remove++;
      else if (change.action === 'manual') summary.manual++;
    }
  }
  for (const d of [...spokes.flatMap((s) => s.diagnostics), ...planDiagnostics]) {
    if (d.severity === 'error') summary.errors++;
    else summary.warnings++;
  }
  return summary;
}
