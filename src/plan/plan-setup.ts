/**
 * The app and its provisioning setup: app → connection → To App features → To Okta import →
 * Profile Sourcing (manual). Each planner appends to `ctx.forward` (or `ctx.removals`).
 */
import type { DesiredConnection, ToOktaImport, ToAppFeatures } from '../config/types.js';
import { SENSITIVE } from '../credentials.js';
import { sameOktaOrg, type LiveApp, type LiveConnection, type LiveToApp } from '../state/types.js';
import { addressOf, formatAddress, type ResourceKey } from './address.js';
import { makeChange, orNull, sameValue, sides, type ChangeInit, type SpokeContext } from './spoke-context.js';
import type { AttributeChange, PlanOp } from './types.js';

type ConnectionProfile = (PlanOp & { type: 'connection.set' })['profile'];

/** Okta's default for a new Org2Org app when the file leaves signOnMode unmanaged. */
const DEFAULT_SIGN_ON_MODE = 'SAML_2_0';

export function planApp(ctx: SpokeContext): void {
  const app = ctx.live.app;
  if (app === null) {
    planAppCreate(ctx);
    return;
  }
  planAppUpdate(ctx, app);
  if (app.status !== 'ACTIVE') {
    // A separate address: an app may need both an update and an activation, and apply keys by address.
    ctx.forward.push(
      makeChange(ctx, {
        resource: { spoke: ctx.desired.name, kind: 'app.status' },
        action: 'update',
        name: ctx.desired.app.label,
        before: { status: app.status },
        after: { status: 'ACTIVE' },
        attributes: [{ name: 'status', before: app.status, after: 'ACTIVE' }],
        liveFingerprint: app.fingerprint,
        writes: 1,
        op: { type: 'app.activate', appId: app.id },
      }),
    );
  }
}

function planAppCreate(ctx: SpokeContext): void {
  const { desired } = ctx;
  const wanted = { label: desired.app.label, signOnMode: desired.app.signOnMode ?? DEFAULT_SIGN_ON_MODE, baseUrl: ctx.hubUrl };
  const change = makeChange(ctx, {
    resource: { spoke: desired.name, kind: 'app' },
    action: 'create',
    name: desired.app.label,
    after: { ...wanted },
    attributes: Object.entries(wanted).map(([name, after]) => ({ name, before: null, after })),
    writes: 1,
    op: { type: 'app.create', ...wanted },
  });
  ctx.appCreate = addressOf(change);
  ctx.forward.push(change);
}

/** The live app's label, sign-on mode and Hub URL, updated where they differ from the file's. */
function planAppUpdate(ctx: SpokeContext, app: LiveApp): void {
  const { desired } = ctx;
  const attributes: AttributeChange[] = [];
  const set: { label: string; signOnMode?: string; baseUrl?: string } = { label: desired.app.label };
  // The app was found by its label in any case: a case-only difference is the same app, not a rename.
  if (app.label.trim().toLowerCase() !== desired.app.label.trim().toLowerCase())
    attributes.push({ name: 'label', before: app.label, after: desired.app.label });
  // Unmanaged unless the file sets it: real Org2Org apps use other modes too (OPENID_CONNECT, recorded).
  const signOnMode = desired.app.signOnMode;
  if (signOnMode !== undefined && app.signOnMode !== signOnMode) {
    attributes.push({ name: 'signOnMode', before: app.signOnMode, after: signOnMode });
    set.signOnMode = signOnMode;
  }
  // The Hub's `-admin` (Admin Console) domain, another case or a trailing slash name the same Hub.
  if (!sameOktaOrg(app.baseUrl, ctx.hubUrl)) {
    attributes.push({ name: 'baseUrl', before: app.baseUrl, after: ctx.hubUrl });
    set.baseUrl = ctx.hubUrl;
  }
  if (attributes.length === 0) {
    ctx.noops++;
    return;
  }
  ctx.forward.push(
    makeChange(ctx, {
      resource: { spoke: desired.name, kind: 'app' },
      action: 'update',
      name: desired.app.label,
      ...sides(attributes),
      attributes,
      liveFingerprint: app.fingerprint,
      writes: 1,
      op: { type: 'app.update', appId: app.id, ...set },
    }),
  );
}

export function planConnection(ctx: SpokeContext): void {
  const wanted = ctx.desired.connection;
  if (!wanted) return;
  const live = ctx.live.connection;
  // A managed service app's client id is the live one, or the one this apply creates (null).
  const clientId = wanted.authScheme === 'OAUTH2' ? (wanted.managed ? (ctx.serviceAppClientId ?? null) : (wanted.clientId ?? null)) : null;
  if (live && live.authScheme === wanted.authScheme && sameSettings(wanted, clientId, live)) {
    if (live.status === (wanted.enabled ? 'ENABLED' : 'DISABLED')) {
      // A matching connection is silent: Okta never returns the token, which is tested against
      // the Hub instead, and only a failed test is worth a line (a note of its own).
      ctx.noops++;
      return;
    }
    // Same scheme, only the status differs. Switching a TOKEN connection on needs the token again
    // (it was never readable), so that case falls through to a full set below.
    if (!(wanted.authScheme === 'TOKEN' && wanted.enabled)) {
      planConnectionSwitch(ctx, wanted.enabled, live);
      return;
    }
  }
  planConnectionSet(ctx, wanted, clientId, live);
}

/** What every change of the connection shares. */
function connectionChange(
  ctx: SpokeContext,
  live: LiveConnection | null,
): Pick<ChangeInit, 'resource' | 'name' | 'dependsOn' | 'liveFingerprint'> {
  return {
    resource: { spoke: ctx.desired.name, kind: 'connection' },
    name: 'provisioning connection',
    dependsOn: [ctx.appCreate, ...ctx.serviceAppChanges],
    ...(live ? { liveFingerprint: live.fingerprint } : {}),
  };
}

/** The connection's activation, or its deactivation (a removal, run after everything else). */
function planConnectionSwitch(ctx: SpokeContext, enabled: boolean, live: LiveConnection): void {
  const wantedStatus = enabled ? 'ENABLED' : 'DISABLED';
  const change = makeChange(ctx, {
    ...connectionChange(ctx, live),
    action: 'update',
    before: { status: live.status },
    after: { status: wantedStatus },
    attributes: [{ name: 'status', before: live.status, after: wantedStatus }],
    writes: 1,
    op: { type: enabled ? 'connection.activate' : 'connection.deactivate', appId: ctx.appId, disables: !enabled },
  });
  if (enabled) {
    ctx.provisioningChange = addressOf(change);
    ctx.forward.push(change);
  } else {
    ctx.removals.push(change);
  }
}

/** The whole connection set: its scheme, credentials and status. */
function planConnectionSet(ctx: SpokeContext, wanted: DesiredConnection, clientId: string | null, live: LiveConnection | null): void {
  const liveStatus = live?.status ?? null;
  const wantedStatus = wanted.enabled ? 'ENABLED' : 'DISABLED';
  const attributes: AttributeChange[] = [
    { name: 'authScheme', before: live?.authScheme ?? null, after: wanted.authScheme },
    { name: 'status', before: liveStatus, after: wantedStatus },
  ];
  let profile: ConnectionProfile;
  if (wanted.authScheme === 'TOKEN') {
    attributes.push({ name: 'token', before: null, after: SENSITIVE, sensitive: true });
    profile = { authScheme: 'TOKEN', tokenEnv: wanted.token.envVar };
  } else {
    attributes.push({ name: 'clientId', before: orNull(live?.clientId), after: clientId ?? KNOWN_AFTER_APPLY });
    attributes.push({ name: 'rotationMode', before: orNull(live?.rotationMode), after: wanted.rotationMode });
    profile = { authScheme: 'OAUTH2', clientId, rotationMode: wanted.rotationMode };
  }
  // The token is always set again (it can't be compared); a client id Okta didn't return is shown too.
  const changed = live
    ? attributes.filter((a) => a.sensitive || (a.name === 'clientId' && a.before === null) || !sameValue(a.before, a.after))
    : attributes;
  const change = makeChange(ctx, {
    ...connectionChange(ctx, live),
    action: live && live.authScheme !== 'UNKNOWN' ? 'update' : 'create',
    ...(live ? sides(changed) : { after: sides(changed).after }),
    attributes: changed,
    writes: 1,
    op: {
      type: 'connection.set',
      appId: ctx.appId,
      profile,
      activate: wanted.enabled,
      disables: liveStatus === 'ENABLED' && !wanted.enabled,
    },
  });
  if (wanted.enabled) ctx.provisioningChange = addressOf(change);
  ctx.forward.push(change);
}

/**
 * Settings other than the status that Okta lets us read back. The client id is compared when
 * Okta returned one (`profile.clientId`); when it didn't, it can't be judged and isn't.
 */
function sameSettings(wanted: DesiredConnection, clientId: string | null, live: LiveConnection): boolean {
  if (wanted.authScheme === 'OAUTH2') {
    return live.rotationMode === wanted.rotationMode && clientId !== null && (live.clientId === undefined || live.clientId === clientId);
  }
  return true;
}

/** What a plan shows for a value Okta assigns during the apply (a new service app's client id). */
export const KNOWN_AFTER_APPLY = '(known after apply)';

const TO_APP_FIELDS = ['createUsers', 'updateUserAttributes', 'deactivateUsers', 'syncPassword'] as const;

export function planToApp(ctx: SpokeContext): void {
  const wanted = ctx.desired.provisioning.toApp;
  if (!wanted) return;
  const resource: ResourceKey = { spoke: ctx.desired.name, kind: 'features.toApp' };
  const address = formatAddress(resource);
  const live = ctx.live.features?.toApp;
  const current: Omit<LiveToApp, 'fingerprint'> = live ?? {
    createUsers: false,
    updateUserAttributes: false,
    deactivateUsers: false,
    syncPassword: false,
  };
  const attributes: AttributeChange[] = [];
  for (const field of TO_APP_FIELDS) {
    if (!sameValue(current[field], wanted[field]))
      attributes.push({ name: field, before: live ? current[field] : null, after: wanted[field] });
  }
  if (attributes.length === 0 && live) {
    ctx.noops++;
    return;
  }
  if (wanted.createUsers && !current.createUsers) ctx.createUsersChange = address;
  ctx.forward.push(
    makeChange(ctx, {
      resource,
      // No USER_PROVISIONING feature yet (new app, or provisioning not enabled): it comes into being.
      action: live ? 'update' : 'create',
      ...(live ? sides(attributes) : { after: { ...wanted } }),
      attributes: live ? attributes : TO_APP_FIELDS.map((name) => ({ name, before: null, after: wanted[name] })),
      name: 'To App provisioning',
      dependsOn: [ctx.appCreate, ctx.provisioningChange],
      ...(live ? { liveFingerprint: live.fingerprint } : {}),
      writes: 1,
      op: { type: 'features.toApp', appId: ctx.appId, capabilities: toAppCapabilities(wanted) },
    }),
  );
}

/** The USER_PROVISIONING capabilities object (the Features API's shape). */
export function toAppCapabilities(wanted: ToAppFeatures): Record<string, unknown> {
  const status = (on: boolean): string => (on ? 'ENABLED' : 'DISABLED');
  const password =
    wanted.syncPassword === false
      ? { status: 'DISABLED' }
      : { status: 'ENABLED', seed: wanted.syncPassword.seed, change: wanted.syncPassword.change };
  return {
    create: { lifecycleCreate: { status: status(wanted.createUsers) } },
    update: {
      lifecycleDeactivate: { status: status(wanted.deactivateUsers) },
      profile: { status: status(wanted.updateUserAttributes) },
      password,
    },
  };
}

const IMPORT_SECTIONS = ['schedule', 'username', 'match'] as const;

/**
 * To Okta import settings: only the sections the config gives are managed, and within them only
 * the given fields; a section differs when a given field differs from the live one. Sections are
 * whole objects in before/after so that renderers show them as a line diff.
 */
export function planToOkta(ctx: SpokeContext): void {
  const wanted = ctx.desired.provisioning.toOkta?.import;
  if (!wanted || IMPORT_SECTIONS.every((s) => wanted[s] === undefined)) return;
  const resource: ResourceKey = { spoke: ctx.desired.name, kind: 'features.toOkta' };
  const live = ctx.live.features?.toOkta;
  const attributes: AttributeChange[] = [];
  for (const section of IMPORT_SECTIONS) {
    const given = wanted[section] as Record<string, unknown> | undefined;
    if (given === undefined) continue;
    const current = live?.import[section] as Record<string, unknown> | undefined;
    const merged = mergeGiven(current ?? {}, given);
    if (!current || !sameValue(current, merged)) attributes.push({ name: section, before: orNull(current), after: merged });
  }
  if (attributes.length === 0 && live) {
    ctx.noops++;
    return;
  }
  ctx.forward.push(
    makeChange(ctx, {
      resource,
      action: live ? 'update' : 'create',
      ...(live ? sides(attributes) : { after: sides(attributes).after }),
      attributes,
      name: 'To Okta import',
      dependsOn: [ctx.appCreate, ctx.provisioningChange],
      ...(live ? { liveFingerprint: live.fingerprint } : {}),
      writes: 1,
      op: { type: 'features.toOkta', appId: ctx.appId, capabilities: toOktaCapabilities(wanted) },
    }),
  );
}

/** The live object with the config's given fields laid over it, nested objects merged too. */
function mergeGiven(live: Record<string, unknown>, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...live };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const current = out[key];
    const bothObjects = isRecord(value) && isRecord(current);
    out[key] = bothObjects ? mergeGiven(current, value) : value;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The INBOUND_PROVISIONING capabilities object, with only the sections the config gives. */
export function toOktaCapabilities(wanted: ToOktaImport): Record<string, unknown> {
  const capabilities: Record<string, unknown> = {};
  const importSettings: Record<string, unknown> = {};
  if (wanted.schedule) importSettings.schedule = wanted.schedule;
  if (wanted.username) importSettings.username = wanted.username;
  if (Object.keys(importSettings).length > 0) capabilities.importSettings = importSettings;
  if (wanted.match) capabilities.importRules = { userCreateAndMatch: wanted.match };
  return capabilities;
}

export function planProfileSourcing(ctx: SpokeContext): void {
  const wanted = ctx.desired.provisioning.toOkta?.profileSourcing;
  if (wanted === undefined) return;
  const current = ctx.live.features?.profileSourcing ?? ctx.live.app?.features.includes('PROFILE_MASTERING') ?? false;
  if (current === wanted) {
    ctx.noops++;
    return;
  }
  const label = ctx.desired.app.label;
  const verb = wanted ? 'Check' : 'Uncheck';
  ctx.forward.push(
    makeChange(ctx, {
      resource: { spoke: ctx.desired.name, kind: 'profileSourcing' },
      action: 'manual',
      name: 'Profile Sourcing',
      before: { profileSourcing: current },
      after: { profileSourcing: wanted },
      attributes: [{ name: 'profileSourcing', before: current, after: wanted }],
      instructions: [
        `Okta's API cannot switch Profile Sourcing: do it in the Admin Console of the ${ctx.desired.name} org (${ctx.desired.url}).`,
        `Applications → Applications → ${label} → Provisioning → To Okta.`,
        `Profile & Lifecycle Sourcing → Edit → ${verb} "Allow ${label} to source Okta users" → Save.`,
        'Then run `org2org plan` again: this change disappears once the console matches the config.',
      ],
      dependsOn: [ctx.appCreate, ctx.provisioningChange],
      writes: 0,
      op: { type: 'none' },
    }),
  );
}
