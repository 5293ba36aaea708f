/**
 * The kinds table: one entry per resource kind with everything the pipeline knows of the kind as
 * such: its apply phase, its label, where its address lives, how its live objects are found by
 * key with their fingerprints, where its removals go, and the planner that plans it. The other
 * modules look kinds up here instead of keeping lists of their own, so a kind added to
 * ResourceKind does not compile until its entry is complete (test/plan/kinds.test.ts proves it).
 * What stays outside is the kind's logic: its planner, its ops in src/apply/run-op.ts, its reader
 * in src/state and its lines in src/render.
 */
import {
  appAttributesByKey,
  appGroupsByKey,
  appUsersByKey,
  attributeMappingsByKey,
  type LiveSpoke,
  pushMappingsByKey,
} from '../state/types.js';
import { planAttributes } from './plan-attributes.js';
import { planGroupAssignments, planUserAssignments } from './plan-assignments.js';
import { planPushMappings } from './plan-push.js';
import { planServiceApp } from './plan-service-app.js';
import { planApp, planConnection, planProfileSourcing, planToApp, planToOkta } from './plan-setup.js';
import type { SpokeContext } from './spoke-context.js';
import type { ResourceKind } from './types.js';

/**
 * Where a kind's address lives. Under its Spoke: `spoke.NAME.KIND` (`["key"]` for a keyed kind).
 * In the Hub, as the Hub's service app of a Spoke: `hub.serviceApp["NAME"]`, and its `part`s
 * `hub.serviceApp["NAME"].part["key"]`. In the Hub, shared by every Spoke: `hub.KIND["key"]`.
 */
export type AddressForm =
  | { in: 'spoke'; keyed: boolean }
  | { in: 'hub.serviceApp'; part: 'grant' | 'role' | null }
  /**
   * One of the Hub's own objects, shared by every Spoke: `KIND["key"]` (`hub.userAttribute["department"]`).
   * Its address names no Spoke: the change is carried by the first Spoke of the plan that needs it
   * (a plan file lists it there), apply makes it before any Spoke's changes, and the other Spokes'
   * changes may depend on it.
   */
  | { in: 'hub'; keyed: true };

/** The app-user attribute names a Spoke uses for what the config says per user (its plan's attribute names). */
export interface AppUserFieldNames {
  initialStatus?: string;
  securityQuestion?: string;
  securityAnswer?: string;
}

/**
 * Where a kind lives in a Spoke's entry of the config, so that what is live can be said there
 * (`export --into`) and a list's settings found (its drift policy). A keyed item of a list
 * (`assignments.users` by `login`), with the config field each changed attribute is written to
 * (null: never written, e.g. a write-only secret); fields of one object (`provisioning.toApp`);
 * or why the file can't say it.
 */
export type ConfigPlace =
  | {
      list: [string, string];
      key: string;
      fold?: (key: string) => string;
      field?: (attribute: string, names: AppUserFieldNames) => string[] | null;
    }
  | { object: string[]; field?: (attribute: string) => string[] | null }
  | { cannot: string };

/** A kind's live objects in one Spoke by key (the one object of an unkeyed kind under ''), each with its fingerprint. */
export type LiveObjects = ReadonlyMap<string, { fingerprint: string }>;

export interface KindSpec {
  /** Its apply phase: lower runs first; removals run after every addition, in their own order (`removal`). */
  rank: number;
  /** What people call it (a plan's summary table). */
  label: string;
  address: AddressForm;
  /**
   * Its live objects by key, with the fingerprints a plan file records and a saved plan's stale
   * check compares. `{ of }`: it changes another kind's object (the app's activation changes the
   * app). null: nothing of it is fingerprinted (a manual change, compared through the recomputed plan).
   */
  live: ((spoke: LiveSpoke) => LiveObjects) | { of: ResourceKind } | null;
  /** Its place among a Spoke's removals (lower first: pushes stop before people are unassigned); null: never removed. */
  removal: number | null;
  /** The planner that plans it: several kinds may share one, which then runs once, at the lowest rank of its kinds. */
  planner: (ctx: SpokeContext) => void;
  /** Where it lives in a Spoke's entry of the config. */
  config: ConfigPlace;
  /**
   * The section of a Spoke's config whose list settings govern it (`mode: observe`, `drift:`), or
   * null when only the Spoke's own `mode`/`drift` do.
   */
  section: ConfigSection | null;
}

/** The sections of a Spoke's config that hold a list with settings of its own. */
export type ConfigSection = 'assignments' | 'pushGroups' | 'attributes';

const NO_OBJECTS: LiveObjects = new Map();

/** The one object of an unkeyed kind, under the key ''. */
function one(object: { fingerprint: string } | null | undefined): LiveObjects {
  return object ? new Map([['', object]]) : NO_OBJECTS;
}

export const KINDS: Record<ResourceKind, KindSpec> = {
  app: {
    rank: 0,
    label: 'App',
    address: { in: 'spoke', keyed: false },
    live: (s) => one(s.app),
    removal: null,
    planner: planApp,
    config: { object: ['app'], field: (a: string) => (a === 'baseUrl' ? null : [a]) },
    section: null,
  },
  'app.status': {
    rank: 0,
    label: 'App',
    address: { in: 'spoke', keyed: false },
    live: { of: 'app' },
    removal: null,
    planner: planApp,
    config: {
      cannot: "the app is not active in the org, and the config can't say an inactive app: activate it in the console or apply",
    },
    section: null,
  },
  // Across orgs for an OAuth 2.0 connection: the Spoke app (and its keys) → the Hub's service app →
  // its grants → its roles → the Spoke's connection, which Okta tests against all of them.
  serviceApp: {
    rank: 1,
    label: 'Hub service app',
    address: { in: 'hub.serviceApp', part: null },
    live: (s) => one(s.serviceApp),
    removal: 4,
    planner: planServiceApp,
    config: { cannot: "the Hub's service app follows from the connection's settings; it is not a setting of its own" },
    section: null,
  },
  'serviceApp.grant': {
    rank: 2,
    label: 'Hub service app grants',
    address: { in: 'hub.serviceApp', part: 'grant' },
    live: null,
    removal: 4,
    planner: planServiceApp,
    config: { cannot: "the Hub service app's grants follow from connection.scopes; edit them by hand" },
    section: null,
  },
  'serviceApp.role': {
    rank: 3,
    label: 'Hub service app roles',
    address: { in: 'hub.serviceApp', part: 'role' },
    live: null,
    removal: 4,
    planner: planServiceApp,
    config: { cannot: "the Hub service app's roles follow from connection.roles; edit them by hand" },
    section: null,
  },
  connection: {
    rank: 4,
    label: 'Provisioning connection',
    address: { in: 'spoke', keyed: false },
    live: (s) => one(s.connection),
    removal: 3,
    planner: planConnection,
    config: { object: ['connection'], field: (a: string) => (a === 'status' ? ['enabled'] : null) },
    section: null,
  },
  'features.toApp': {
    rank: 5,
    label: 'To App features',
    address: { in: 'spoke', keyed: false },
    live: (s) => one(s.features?.toApp),
    removal: null,
    planner: planToApp,
    config: { object: ['provisioning', 'toApp'] },
    section: null,
  },
  'features.toOkta': {
    rank: 5,
    label: 'To Okta import',
    address: { in: 'spoke', keyed: false },
    live: (s) => one(s.features?.toOkta),
    removal: null,
    planner: planToOkta,
    config: { object: ['provisioning', 'toOkta', 'import'] },
    section: null,
  },
  profileSourcing: {
    rank: 5,
    label: 'Profile Sourcing',
    address: { in: 'spoke', keyed: false },
    live: null,
    removal: null,
    planner: planProfileSourcing,
    config: { object: ['provisioning', 'toOkta'] },
    section: null,
  },
  // Across orgs: the Hub's user attribute → the Spoke app's attribute → the mapping that fills
  // it, before any assignment, so that users created by this apply get the value.
  'hub.userAttribute': {
    rank: 6,
    label: 'Hub user attributes',
    address: { in: 'hub', keyed: true },
    live: null,
    removal: null,
    planner: planAttributes,
    config: {
      cannot: "the Hub's user profile lacks this attribute; apply creates it (create: true), or drop its entry by hand",
    },
    section: 'attributes',
  },
  appAttribute: {
    rank: 6,
    label: 'App profile attributes',
    address: { in: 'spoke', keyed: true },
    live: appAttributesByKey,
    removal: null,
    planner: planAttributes,
    config: {
      cannot: "the Org2Org app's user profile lacks this attribute; apply creates it (create: true), or drop its entry by hand",
    },
    section: 'attributes',
  },
  attribute: {
    rank: 6,
    label: 'Attributes carried to the Hub',
    address: { in: 'spoke', keyed: true },
    live: attributeMappingsByKey,
    removal: 0,
    planner: planAttributes,
    config: {
      cannot:
        'a carried attribute may be a Hub default (hub.attributes) or this Spoke’s own (attributes.carry): edit its source or push by hand',
    },
    section: 'attributes',
  },
  'assignment.user': {
    rank: 7,
    label: 'User assignments',
    address: { in: 'spoke', keyed: true },
    live: appUsersByKey,
    removal: 2,
    planner: planUserAssignments,
    config: {
      list: ['assignments', 'users'],
      key: 'login',
      fold: (k) => k.toLowerCase(),
      field: (a, names) => {
        if (a === names.securityAnswer) return null;
        if (a === names.initialStatus) return ['initialStatus'];
        if (a === names.securityQuestion) return ['securityQuestion'];
        return ['profile', a];
      },
    },
    section: 'assignments',
  },
  'assignment.group': {
    rank: 7,
    label: 'Group assignments',
    address: { in: 'spoke', keyed: true },
    live: appGroupsByKey,
    removal: 1,
    planner: planGroupAssignments,
    config: { list: ['assignments', 'groups'], key: 'name' },
    section: 'assignments',
  },
  pushMapping: {
    rank: 8,
    label: 'Push groups',
    address: { in: 'spoke', keyed: true },
    live: pushMappingsByKey,
    removal: 0,
    planner: planPushMappings,
    config: { list: ['pushGroups', 'groups'], key: 'name' },
    section: 'pushGroups',
  },
};

/** Whether a kind is one of the Hub's own objects, shared by the Spokes (see AddressForm). */
export function isHubWide(kind: ResourceKind): boolean {
  return KINDS[kind].address.in === 'hub';
}

/** Every kind, in apply order (rank, then the table's order). */
export function kindsInOrder(): ResourceKind[] {
  return (Object.keys(KINDS) as ResourceKind[]).sort((a, b) => KINDS[a].rank - KINDS[b].rank);
}

/** The planners, each once, in the order of its first kind: the order planSpoke runs them in. */
export function plannersInOrder(): KindSpec['planner'][] {
  return [...new Set(kindsInOrder().map((kind) => KINDS[kind].planner))];
}

/** The highest rank of an addition; removals are placed after it. */
export function lastForwardRank(): number {
  return Math.max(...Object.values(KINDS).map((k) => k.rank));
}

/** A kind's live objects in a Spoke, following `{ of }`; undefined when it has none fingerprinted. */
export function liveObjectsOf(spoke: LiveSpoke, kind: ResourceKind): LiveObjects | undefined {
  const { live } = KINDS[kind];
  if (live === null) return undefined;
  return typeof live === 'function' ? live(spoke) : liveObjectsOf(spoke, live.of);
}
