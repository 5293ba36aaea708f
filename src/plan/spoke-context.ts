/**
 * What the per-kind planners share while planning one spoke: both sides, where changes go
 * (forward in dependency order, removals collected separately and reversed at the end), and
 * the diagnostics. Pure data plus small helpers; no I/O.
 */
import type { DesiredSpoke, SourcePos } from '../config/types.js';
import type { LiveHub, LiveSpoke } from '../state/types.js';
import type { AttributeChange, Change, Diagnostic, PlanOp, Action } from './types.js';
import { formatAddress, type ResourceKey } from './address.js';
import type { HubAttributeDecision } from './plan-attributes.js';

export interface SpokeContext {
  desired: DesiredSpoke;
  live: LiveSpoke;
  /** Undefined when the Hub was not read. */
  hub: LiveHub | undefined;
  hubUrl: string;
  /** Config file path, for diagnostics that point into it. */
  file: string;
  /** The live app id, or null when the app is created by this plan (apply fills it in). */
  appId: string | null;
  /** Address of the app's create, when the app is missing. */
  appCreate?: string;
  /** The Hub service app's client id: live, null when this plan creates it, undefined when not managed. */
  serviceAppClientId?: string | null;
  /** Addresses of this plan's changes to the Hub service app, its grants and roles (the connection waits for them). */
  serviceAppChanges: string[];
  /** Address of a change that switches provisioning on (connection set/activate), if any. */
  provisioningChange?: string;
  /** Address of a To App features change that turns Create Users on, if any. */
  createUsersChange?: string;
  /**
   * New direct user assignments by login key → address. A group assignment planned later waits
   * for those of its members: the first assignment to reach Okta creates the Hub user, and only a
   * direct one carries the user's initialStatus and security question.
   */
  newDirectAssignments?: Map<string, string>;
  /** New group assignments by group name → address (a push of that group waits for it). */
  newGroupAssignments?: Map<string, string>;
  /** What the Hub's user schema needs per carried attribute, decided once for the plan (plan-attributes.ts). */
  hubAttributes: ReadonlyMap<string, HubAttributeDecision>;
  /** Additions and updates, in apply order (app → connection → features → assignments → push). */
  forward: Change[];
  /** Removals, listed after everything else in their kinds' removal order (the kinds table). */
  removals: Change[];
  diagnostics: Diagnostic[];
  /** Matching objects: counted in the summary, not listed (100k of them would bloat the plan file). */
  noops: number;
  /** Logins of provisioned users whose only difference is initialStatus (not planned; said once). */
  statusOnly: string[];
  /** Facts about unchanged objects worth one line each (never one per object): SpokePlan.notes. */
  notes: string[];
}

/** Deactivate Users as it will be when removals run: the file's setting (applied first), else the live one. */
export function deactivatesUsers(ctx: SpokeContext): boolean {
  return ctx.desired.provisioning.toApp?.deactivateUsers ?? ctx.live.features?.toApp?.deactivateUsers ?? false;
}

export interface ChangeInit {
  resource: ResourceKey;
  action: Action;
  name: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  attributes?: AttributeChange[];
  instructions?: string[];
  hubEffects?: string[];
  dependsOn?: (string | undefined)[];
  liveFingerprint?: string;
  writes: number;
  op: PlanOp;
}

export function makeChange(ctx: SpokeContext, init: ChangeInit): Change {
  // Apply runs a Spoke's changes with that Spoke's client: a change belongs to the Spoke it names.
  if (init.resource.spoke !== ctx.desired.name) throw new Error(`a change of ${init.resource.spoke} planned for ${ctx.desired.name}`);
  const address = formatAddress(init.resource);
  const dependsOn = [...new Set(init.dependsOn ?? [])].filter((a): a is string => a !== undefined && a !== address);
  const change: Change = {
    resource: init.resource,
    action: init.action,
    name: init.name,
    before: init.before ?? null,
    after: init.after ?? null,
    attributes: init.attributes ?? [],
    dependsOn,
    writes: init.writes,
    op: init.op,
  };
  if (init.instructions && init.instructions.length > 0) change.instructions = init.instructions;
  if (init.hubEffects && init.hubEffects.length > 0) change.hubEffects = init.hubEffects;
  if (init.liveFingerprint !== undefined) change.liveFingerprint = init.liveFingerprint;
  return change;
}

export function diagnose(
  ctx: SpokeContext,
  severity: Diagnostic['severity'],
  message: string,
  where: { address?: string; pos?: SourcePos } = {},
): void {
  const diagnostic: Diagnostic = { severity, spoke: ctx.desired.name, message };
  if (where.address !== undefined) diagnostic.address = where.address;
  if (where.pos) {
    diagnostic.file = ctx.file;
    diagnostic.line = where.pos.line;
    diagnostic.col = where.pos.col;
  }
  ctx.diagnostics.push(diagnostic);
}

/** Structural equality for plain JSON values (objects compared key by key, order-free). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  const ak = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** `undefined` is not JSON: a missing live value shows as null in before/after. */
export function orNull(value: unknown): unknown {
  return value === undefined ? null : value;
}

/** before/after records built from attribute changes (the changed attributes only). */
export function sides(attributes: AttributeChange[]): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const a of attributes) {
    before[a.name] = a.before;
    after[a.name] = a.after;
  }
  return { before, after };
}

/** `; did you mean "Sales"?` when the Spoke has a group with a close name. */
export function didYouMean(ctx: SpokeContext, name: string): string {
  const near = ctx.live.groupSuggestions?.[name];
  return near !== undefined ? ` (did you mean "${near}"?)` : '';
}

export function countOf(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The first few names of a long list, for a message that stays one line. */
export function sample(names: string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … (${names.length - max} more)` : shown;
}
