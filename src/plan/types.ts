/**
 * The Plan: plain, versioned JSON. Every renderer reads it; none recomputes a diff.
 * Meaning of before/after per action (as Terraform's plans):
 *   create: before = null, after = desired attributes
 *   update: before/after = the changed attributes only (others listed in `unchanged` count)
 *   delete: before = live attributes, after = null
 *   noop:   before = after = null (counted, not listed by renderers unless asked)
 *   manual: before/after as update; `instructions` say what to click in the console
 * Sensitive values are "(sensitive)" in before/after, and secrets in `op` are env var names.
 * before/after are for people: apply reads only `op`, which carries everything it needs.
 */

import type { InitialStatus } from '../config/types.js';
import type { ResourceKey } from './address.js';

/**
 * 3: a change's `kind` is its address's (the app's activation is `app.status`, not `app`).
 * 2: ops carry what apply reads (initialStatus, a mapping's identity, `disables`); 1 had apply read before/after.
 */
export const PLAN_FORMAT_VERSION = 3;

export type Action = 'create' | 'update' | 'delete' | 'noop' | 'manual';

/** Every kind has its entry in the kinds table (src/plan/kinds.ts). */
export type ResourceKind =
  | 'app'
  | 'app.status'
  | 'connection'
  | 'features.toApp'
  | 'features.toOkta'
  | 'profileSourcing'
  | 'assignment.user'
  | 'assignment.group'
  | 'pushMapping'
  | 'serviceApp'
  | 'serviceApp.grant'
  | 'serviceApp.role'
  | 'hub.userAttribute'
  | 'appAttribute'
  | 'attribute';

/** What apply does for a change. Ids are live ids read at plan time; `${…}` secrets are env var names. */
export type PlanOp =
  | { type: 'app.create'; label: string; signOnMode: string; baseUrl: string }
  /**
   * Okta's PUT replaces the whole app: apply reads it, sets only the fields given here (the ones
   * the plan changes) and sends the rest back as read.
   */
  | { type: 'app.update'; appId: string; label: string; signOnMode?: string; baseUrl?: string }
  | { type: 'app.activate'; appId: string }
  | {
      type: 'connection.set';
      appId: string | null;
      /** OAUTH2 `clientId: null`: the Hub service app created by this apply. */
      profile: { authScheme: 'TOKEN'; tokenEnv: string } | { authScheme: 'OAUTH2'; clientId: string | null; rotationMode: string };
      activate: boolean;
      /** The live connection is ENABLED and this leaves it off (apply's --allow-disable-connection guard). */
      disables: boolean;
    }
  /**
   * The Hub's service app for a Spoke (OAuth 2.0 client). Its trust is worked out at apply time
   * from the Spoke app (`appId: null`: created by this apply): MANUAL holds the Spoke app's key in
   * use, AUTO points `jwks_uri` at the Spoke connection's JWKS.
   */
  | { type: 'serviceApp.create'; clientName: string; rotationMode: 'AUTO' | 'MANUAL'; appId: string | null }
  /**
   * `hubAppId`: the service app's id in the Apps API (lifecycle, grants), which is not its
   * `clientId` when the client was created with a chosen one; null with `clientId: null` (created
   * by this apply: Okta names a client it creates by its app id).
   */
  | {
      type: 'serviceApp.update';
      clientId: string;
      hubAppId: string;
      clientName: string;
      rotationMode: 'AUTO' | 'MANUAL';
      appId: string | null;
      activate: boolean;
    }
  | { type: 'serviceApp.delete'; clientId: string; hubAppId: string; currentStatus: string }
  | { type: 'serviceApp.grant'; clientId: string | null; hubAppId: string | null; scopeId: string }
  | { type: 'serviceApp.revokeGrant'; clientId: string; hubAppId: string; grantId: string; scopeId: string }
  | { type: 'serviceApp.assignRole'; clientId: string | null; roleType: string }
  | { type: 'serviceApp.unassignRole'; clientId: string; roleAssignmentId: string; roleType: string }
  | { type: 'connection.activate' | 'connection.deactivate'; appId: string | null; disables: boolean }
  | { type: 'features.toApp'; appId: string | null; capabilities: Record<string, unknown> }
  | { type: 'features.toOkta'; appId: string | null; capabilities: Record<string, unknown> }
  | (UserAssignmentOp & {
      type: 'assignment.user.assign';
      /** What Okta creates the Hub user with (apply --wait checks the Hub user's status by it). */
      initialStatus: InitialStatus;
    })
  | (UserAssignmentOp & { type: 'assignment.user.update' })
  | { type: 'assignment.user.unassign'; appId: string; userId: string; login: string }
  | {
      type: 'assignment.group.assign';
      appId: string | null;
      groupId: string;
      priority?: number;
      /** The profile keys the file gives. */
      profile: Record<string, unknown>;
      /** An existing assignment: its live profile is read at apply time and `profile` laid over it. */
      mergeLive?: true;
    }
  | { type: 'assignment.group.unassign'; appId: string; groupId: string }
  | {
      type: 'pushMapping.create';
      appId: string | null;
      sourceGroupId: string;
      /**
       * The Hub group's name: Okta creates it, or links to the Hub group of that name. Never a
       * target id: Okta's targetGroupId is a group of the Spoke, which a new mapping doesn't have.
       */
      targetGroupName: string;
      status: 'ACTIVE' | 'INACTIVE';
      /**
       * The Spoke's mappings could not be read when planning (provisioning off: a DISABLED
       * connection): apply looks for this source group's mapping first and creates it only if absent.
       */
      ifAbsent?: true;
    }
  | (PushMappingIdentity & {
      type: 'pushMapping.update';
      appId: string;
      mappingId: string;
      targetGroupName: string;
      status: 'ACTIVE' | 'INACTIVE';
    })
  | (PushMappingIdentity & {
      type: 'pushMapping.delete';
      appId: string;
      mappingId: string;
      deleteTargetGroup: boolean;
      currentStatus: string;
    })
  /** A custom attribute of the Hub's user schema (POST merges it into `definitions.custom`). */
  | { type: 'hubUserAttribute.create'; name: string; title: string; attributeType: string }
  /** A custom attribute of the Org2Org app's user profile (`appId: null`: the app created by this apply). */
  | { type: 'appAttribute.create'; appId: string | null; name: string; title: string; attributeType: string }
  /**
   * One property of the app's "Okta User → app" mapping, POSTed alone (Okta merges). `mappingId`
   * null: the app is created by this apply, and apply finds its mapping by the app's id.
   */
  | {
      type: 'attribute.set';
      appId: string | null;
      mappingId: string | null;
      name: string;
      expression: string;
      pushStatus: 'PUSH' | 'DONT_PUSH';
    }
  /** Removes one mapping property (POST with the property `null`, as recorded); the attributes stay. */
  | { type: 'attribute.remove'; appId: string; mappingId: string; name: string }
  | { type: 'none' };

interface UserAssignmentOp {
  appId: string | null;
  userId: string;
  login: string;
  /** Profile to send; values that are secrets are `{ "$env": "VAR" }`. */
  profile: Record<string, unknown>;
}

/** A live mapping's source (Spoke) group and target (Hub) group: apply --wait finds the pushed group by them. */
interface PushMappingIdentity {
  sourceGroupId: string;
  /** The Hub group's name; absent on a delete when Okta's mapping didn't name it. */
  targetGroupName?: string;
}

export interface AttributeChange {
  name: string;
  before: unknown;
  after: unknown;
  sensitive?: boolean;
}

export interface Change {
  /**
   * What the change is about, its one identity: its address (`addressOf`, e.g.
   * `spoke.emea.assignment.user["alice@acme.com"]`), Spoke and kind are derived from it where they
   * are printed or written. The plan file writes those three and not this; reading the file
   * parses the address back into it, once.
   */
  resource: ResourceKey;
  action: Action;
  /** Human name of the object (login, group name, app label). */
  name: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  attributes: AttributeChange[];
  /** For manual changes: console steps. For others, optional notes. */
  instructions?: string[];
  /**
   * What the change does in the Hub, through Okta's provisioning rather than a call of ours
   * (e.g. "deactivates the Hub user"): shown with the change, counted in the summary.
   */
  hubEffects?: string[];
  /** Addresses of changes that must succeed first (e.g. the app before its assignments). */
  dependsOn: string[];
  /** Fingerprint of the live object this change was computed from (absent for creates). */
  liveFingerprint?: string;
  /** Number of API write calls apply will make for this change. */
  writes: number;
  op: PlanOp;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  spoke?: string;
  address?: string;
  message: string;
  /** Config position, when the problem is in something the file says. */
  file?: string;
  line?: number;
  col?: number;
}

export interface SpokePlan {
  name: string;
  url: string;
  mode: 'managed' | 'observe';
  changes: Change[];
  diagnostics: Diagnostic[];
  /**
   * Facts about what is not changed, one line each however many objects they cover (e.g. users
   * whose initialStatus differs but is no longer used): neither changes nor warnings.
   */
  notes?: string[];
}

export interface PlanSummary {
  add: number;
  change: number;
  remove: number;
  manual: number;
  noop: number;
  errors: number;
  warnings: number;
  /** API write calls apply will make. */
  apiWrites: number;
  /** Changes with Hub-side effects (Change.hubEffects). */
  hubEffects: number;
  /** Lower bound in seconds at the current rate limits and capacity share. */
  minSeconds: number;
}

/**
 * What the person who made the plan allowed beyond the guards' defaults (plan's flags). Apply of
 * the saved plan honours exactly these: the reviewers saw them.
 */
export interface Allowances {
  /** Most people one apply may unprovision. */
  maxRemovals: number;
  allowDeleteTargetGroups: boolean;
  allowDisableConnection: boolean;
  allowDeleteServiceApps: boolean;
  /** Pointing an existing Spoke app at another Hub (its base URL). */
  allowHubChange: boolean;
  /** Revoking a scope or role from the Hub's service app that provisioning needs. */
  allowRemoveRequiredAccess: boolean;
  /** Removing a mapping that carries an attribute to the Hub (the Hub stops getting it). */
  allowRemoveAttributeMappings: boolean;
}

export type GuardKind =
  | 'max-removals'
  | 'delete-target-groups'
  | 'disable-connection'
  | 'delete-service-apps'
  | 'hub-change'
  | 'remove-required-access'
  | 'remove-attribute-mappings';

/** A change (or the plan's removals together) that apply refuses unless allowed. */
export interface Guard {
  guard: GuardKind;
  /** Absent for max-removals, which counts across Spokes. */
  spoke?: string;
  address?: string;
  /** What it does, in words (starting with the address when there is one). */
  message: string;
  /** The flag that allows it, e.g. `--max-removals 30`. */
  allowWith: string;
  /** Allowed by the plan's allowances; when false, apply refuses the plan. */
  allowed: boolean;
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  tool: { name: 'org2org'; version: string };
  /** ISO time; set by the CLI (createPlan is pure and has no clock). */
  createdAt?: string;
  config: { file: string; digest: string };
  git?: { commit: string; dirty: boolean };
  hubUrl: string;
  spokes: SpokePlan[];
  summary: PlanSummary;
  /** True when some diagnostic is an error: such a plan can't be applied. */
  errored: boolean;
  /** True when the plan has no change to make (noops and warnings only). */
  empty: boolean;
  /** Diagnostics that belong to no single spoke (e.g. Hub read notes); absent when none. */
  diagnostics?: Diagnostic[];
  /** The flags the plan was made with (see Allowances). */
  allowances: Allowances;
  /** Every guard the changes meet; one not allowed means apply will refuse this plan. */
  guards: Guard[];
}

/**
 * A plan as written to a file or as JSON (`plan --out`, `--format json`) and read back: the plan
 * and the fingerprint of every live object it read and may touch, by address (noops included),
 * which apply's stale check compares with a fresh read. Made by toPlanFile, only where a plan is
 * written: a large Spoke has 100,000 of them and the text a person reads needs none.
 */
export interface PlanFile extends Plan {
  fingerprints: Record<string, string>;
}

/**
 * A change as a plan file writes it: its resource as its address, with its Spoke and kind beside
 * it for whoever reads the JSON (all three derived from the resource, never set on their own).
 */
export type WrittenChange = Omit<Change, 'resource'> & { address: string; spoke: string; kind: ResourceKind };

/** A plan file's JSON, as plan.schema.json describes it. */
export type WrittenPlanFile = Omit<PlanFile, 'spokes'> & { spokes: (Omit<SpokePlan, 'changes'> & { changes: WrittenChange[] })[] };

export interface PlanOptions {
  /** Share of each rate-limit bucket the run may use (0–1], for the time estimate. */
  maxApiCapacity: number;
  toolVersion: string;
  /** What the guards allow (default: nothing beyond the default removal limit). */
  allowances?: Allowances;
}
