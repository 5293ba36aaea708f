/**
 * One PlanOp → the Okta calls that carry it out, in the shapes Okta's management API documents.
 * Secrets are env var names in the plan; their values are read here, sent, and remembered in
 * `secrets` only so that the caller can scrub them from any error text before it goes anywhere.
 */
import { OktaApiError } from '../okta/errors.js';
import { identifyApp, ORG2ORG_APP_NAME } from '../state/app-identity.js';
import { clientPutBody, connectionJwksUri, currentKey, publicJwk, readSpokeKeys } from '../okta/service-app.js';
import type { OktaClient } from '../okta/types.js';
import type { PlanOp } from '../plan/types.js';
import { readOrg2OrgApps } from '../state/find-app.js';
import { runAttributeOp } from './run-attribute-op.js';
import { settleAppCreate, settleServiceAppCreate } from './unique-create.js';

export interface OpContext {
  client: OktaClient;
  /** The Hub, for the Spoke's service app (OAuth 2.0 connections org2org manages). */
  hub?: OktaClient;
  /** The Hub service app's client id set by this apply's `serviceApp.create`. */
  serviceAppId?: () => string | undefined;
  env: Record<string, string | undefined>;
  /** The spoke's app id: read at plan time, or set by this apply's `app.create`. */
  appId: () => string | undefined;
  /** Values revealed from the environment during this apply (never printed, only scrubbed). */
  secrets: Set<string>;
}

export interface OpOutcome {
  /** Set by `app.create`: the id of the app Okta created. */
  createdAppId?: string;
  /** Set by `serviceApp.create`: the client id of the Hub service app Okta created. */
  createdServiceAppId?: string;
}

/** Thrown for problems found before anything is sent (missing env var, missing app id). */
export class OpInputError extends Error {
  override name = 'OpInputError';
}

const WROTE: OpOutcome = {};

export async function runOp(op: PlanOp, ctx: OpContext): Promise<OpOutcome> {
  switch (op.type) {
    case 'none':
      // Only manual changes carry no op, and apply skips those before it gets here.
      throw new OpInputError('this change has no operation: it is made by hand, as the plan says');
    case 'app.create':
      return { createdAppId: await createApp(op, ctx.client) };
    case 'app.update':
    case 'app.activate':
      return runAppOp(op, ctx.client);
    case 'connection.set':
    case 'connection.activate':
    case 'connection.deactivate':
    case 'features.toApp':
    case 'features.toOkta':
      return runConnectionOp(op, ctx);
    case 'assignment.user.assign':
    case 'assignment.user.update':
    case 'assignment.user.unassign':
    case 'assignment.group.assign':
    case 'assignment.group.unassign':
      return runAssignmentOp(op, ctx);
    case 'pushMapping.create':
    case 'pushMapping.update':
    case 'pushMapping.delete':
      return runPushMappingOp(op, ctx);
    case 'serviceApp.create':
    case 'serviceApp.update':
    case 'serviceApp.delete':
    case 'serviceApp.grant':
    case 'serviceApp.revokeGrant':
    case 'serviceApp.assignRole':
    case 'serviceApp.unassignRole':
      return runServiceAppOp(op, ctx);
    case 'hubUserAttribute.create':
    case 'appAttribute.create':
    case 'attribute.set':
    case 'attribute.remove':
      return runAttributeOp(op, ctx, (planned) => resolveAppId(planned, ctx));
    default: {
      const unknown: never = op;
      throw new OpInputError(`unknown operation ${(unknown as { type: string }).type}`);
    }
  }
}

type OpOf<T extends string> = Extract<PlanOp, { type: T }>;

/** The id of the app Okta created. */
async function createApp(op: OpOf<'app.create'>, client: OktaClient): Promise<string> {
  // Read again right before posting: another apply (or a person) may have made the app since
  // the plan. What remains is the gap between this read and the POST; two applies racing
  // through it make two apps, which the next plan reports as an error listing both.
  const identity = identifyApp(await readOrg2OrgApps(client), op.label, op.baseUrl, true);
  if (identity.kind === 'found' || identity.kind === 'duplicate') {
    const ids = identity.kind === 'found' ? String(identity.app.id) : identity.apps.map((a) => a.id).join(', ');
    throw new OpInputError(`an Org2Org app labelled "${op.label}" appeared since the plan (${ids}); not creating another. Plan again`);
  }
  // Not idempotent: a retried create could make a second app. A lost answer shows up in the
  // next plan as an app with this label, which is found, not duplicated.
  const res = await client.request<Record<string, unknown>>('POST', '/api/v1/apps', { query: { activate: true }, body: appBody(op) });
  const id = res.body?.id;
  if (typeof id !== 'string' || id === '') throw new Error('Okta created the app but returned no id');
  // Two applies through the gap between the read above and the POST: one app stays (unique-create.ts).
  await settleAppCreate(client, op.label, res.body!);
  return id;
}

async function runAppOp(op: OpOf<'app.update' | 'app.activate'>, client: OktaClient): Promise<OpOutcome> {
  if (op.type === 'app.activate') {
    await client.request('POST', `/api/v1/apps/${seg(op.appId)}/lifecycle/activate`, { idempotent: true });
    return WROTE;
  }
  // PUT replaces the whole app (every recorded PUT sends the whole object): read it, change
  // only what the plan changes, send the rest back as read.
  const current = (await client.request<Record<string, unknown>>('GET', `/api/v1/apps/${seg(op.appId)}`)).body;
  await client.request('PUT', `/api/v1/apps/${seg(op.appId)}`, { body: replacedApp(current ?? {}, op), idempotent: true });
  return WROTE;
}

async function runConnectionOp(op: OpOf<`connection.${string}` | `features.${string}`>, ctx: OpContext): Promise<OpOutcome> {
  const appId = resolveAppId(op.appId, ctx);
  switch (op.type) {
    case 'connection.set': {
      const profile =
        op.profile.authScheme === 'TOKEN'
          ? { authScheme: 'TOKEN', token: readEnv(op.profile.tokenEnv, ctx) }
          : {
              authScheme: 'OAUTH2',
              clientId: resolveClientId(op.profile.clientId, ctx),
              signing: { rotationMode: op.profile.rotationMode },
            };
      // Setting the same connection twice leaves the same state: safe to resend.
      await ctx.client.request('POST', `/api/v1/apps/${seg(appId)}/connections/default`, {
        query: { activate: op.activate },
        body: { profile },
        idempotent: true,
      });
      return WROTE;
    }
    case 'connection.activate':
    case 'connection.deactivate': {
      const verb = op.type === 'connection.activate' ? 'activate' : 'deactivate';
      await ctx.client.request('POST', `/api/v1/apps/${seg(appId)}/connections/default/lifecycle/${verb}`, { idempotent: true });
      return WROTE;
    }
    case 'features.toApp':
    case 'features.toOkta': {
      const feature = op.type === 'features.toApp' ? 'USER_PROVISIONING' : 'INBOUND_PROVISIONING';
      await ctx.client.request('PUT', `/api/v1/apps/${seg(appId)}/features/${feature}`, { body: op.capabilities });
      return WROTE;
    }
  }
}

async function runAssignmentOp(op: OpOf<`assignment.${string}`>, ctx: OpContext): Promise<OpOutcome> {
  const { client } = ctx;
  switch (op.type) {
    case 'assignment.user.assign':
      // Not marked idempotent: after a failure past sending, the client must not resend blindly;
      // the next plan sees whether Okta assigned the user, and re-running apply converges.
      await client.request('POST', `/api/v1/apps/${seg(resolveAppId(op.appId, ctx))}/users`, {
        body: { id: op.userId, scope: 'USER', credentials: { userName: op.login }, profile: resolveProfile(op.profile, ctx) },
      });
      return WROTE;
    case 'assignment.user.update':
      // An update to the same values is idempotent.
      await client.request('POST', `/api/v1/apps/${seg(resolveAppId(op.appId, ctx))}/users/${seg(op.userId)}`, {
        body: { credentials: { userName: op.login }, profile: resolveProfile(op.profile, ctx) },
        idempotent: true,
      });
      return WROTE;
    case 'assignment.user.unassign':
      await client.request('DELETE', `/api/v1/apps/${seg(op.appId)}/users/${seg(op.userId)}`, { query: { sendEmail: false } });
      return WROTE;
    case 'assignment.group.assign': {
      const path = `/api/v1/apps/${seg(resolveAppId(op.appId, ctx))}/groups/${seg(op.groupId)}`;
      // The plan holds only the file's keys (a profile read from Okta may hold secrets, which
      // never go into a plan): the rest of the profile is read now and sent back as it is.
      const live = op.mergeLive ? (await client.request<{ profile?: unknown }>('GET', path)).body?.profile : undefined;
      const body: Record<string, unknown> = { profile: { ...(isRecord(live) ? live : {}), ...op.profile } };
      if (op.priority !== undefined) body.priority = op.priority;
      await client.request('PUT', path, { body });
      return WROTE;
    }
    case 'assignment.group.unassign':
      await client.request('DELETE', `/api/v1/apps/${seg(op.appId)}/groups/${seg(op.groupId)}`);
      return WROTE;
  }
}

async function runPushMappingOp(op: OpOf<`pushMapping.${string}`>, ctx: OpContext): Promise<OpOutcome> {
  const { client } = ctx;
  switch (op.type) {
    case 'pushMapping.create': {
      const path = `/api/v1/apps/${seg(resolveAppId(op.appId, ctx))}/group-push/mappings`;
      // Planned while the mappings couldn't be read (connection off): the mapping may be there.
      if (op.ifAbsent && (await mappingOf(client, path, op.sourceGroupId))) return WROTE;
      const body = { sourceGroupId: op.sourceGroupId, status: op.status, targetGroupName: op.targetGroupName };
      try {
        await client.request('POST', path, { body });
      } catch (err) {
        if (!(err instanceof OktaApiError && err.status === 400)) throw err;
        // A mapping of this group made since the plan is a stale plan, not a missing import.
        const existing = await mappingOf(client, path, op.sourceGroupId).catch(() => undefined);
        if (existing)
          throw new Error(`${err.message} The group already has a push mapping (${existing}), made since the plan: plan again.`, {
            cause: err,
          });
        // What Okta answers when the Hub has the group but the Spoke never imported it is not
        // documented: any other refusal of a push by name gets the step that fixes that case.
        throw new Error(`${err.message} ${IMPORT_HINT(op.targetGroupName)}`, { cause: err });
      }
      return WROTE;
    }
    case 'pushMapping.update':
      await client.request('PATCH', `/api/v1/apps/${seg(op.appId)}/group-push/mappings/${seg(op.mappingId)}`, {
        body: { status: op.status },
        idempotent: true,
      });
      return WROTE;
    case 'pushMapping.delete': {
      const path = `/api/v1/apps/${seg(op.appId)}/group-push/mappings/${seg(op.mappingId)}`;
      // Okta deletes only INACTIVE mappings.
      if (op.currentStatus !== 'INACTIVE') await client.request('PATCH', path, { body: { status: 'INACTIVE' }, idempotent: true });
      await client.request('DELETE', path, { query: { deleteTargetGroup: op.deleteTargetGroup } });
      return WROTE;
    }
  }
}

/** The id of the app's push mapping of this source group, if it has one (the list filters on `sourceGroupId`). */
async function mappingOf(client: OktaClient, path: string, sourceGroupId: string): Promise<string | undefined> {
  const found = await client.get<{ id?: string; sourceGroupId?: string }[]>(path, { sourceGroupId });
  const mapping = (Array.isArray(found) ? found : []).find((m) => m.sourceGroupId === sourceGroupId);
  return mapping ? String(mapping.id) : undefined;
}

const IMPORT_HINT = (name: string): string =>
  `If the Hub already has a group named "${name}", Okta links to it only after the Hub's groups have been imported into the Spoke: ` +
  "in the Spoke's Admin Console open Applications → the Org2Org app → Import → Import Now, then run `org2org apply` again.";

/** The app fields a PUT carries (as in every recorded PUT); the rest of a GET's answer is Okta's own. */
const APP_PUT_FIELDS = ['name', 'label', 'signOnMode', 'accessibility', 'visibility', 'credentials', 'settings', 'profile'] as const;

/**
 * What a PUT of the app sends back from its GET: the fields every recorded PUT carries, copied.
 * Every replace of an Org2Org app (the plan's updates, a key rotation's signing kid) starts here.
 */
export function appPutBody(current: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of APP_PUT_FIELDS) if (current[field] !== undefined) body[field] = structuredClone(current[field]);
  body.name ??= ORG2ORG_APP_NAME;
  return body;
}

/** The app as read, with the plan's changes laid over it. */
export function replacedApp(
  current: Record<string, unknown>,
  op: { label: string; signOnMode?: string; baseUrl?: string },
): Record<string, unknown> {
  const body = appPutBody(current);
  body.label = op.label;
  if (op.signOnMode !== undefined) body.signOnMode = op.signOnMode;
  if (op.baseUrl !== undefined) {
    const settings = isRecord(body.settings) ? body.settings : {};
    settings.app = { ...(isRecord(settings.app) ? settings.app : {}), baseUrl: op.baseUrl };
    body.settings = settings;
  }
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function appBody(op: { label: string; signOnMode: string; baseUrl: string }): Record<string, unknown> {
  return {
    name: ORG2ORG_APP_NAME,
    label: op.label,
    signOnMode: op.signOnMode,
    settings: { app: { baseUrl: op.baseUrl } },
  };
}

/**
 * The Hub side of an OAuth 2.0 connection. The service app's trust is read from the Spoke now,
 * not at plan time: the Spoke app may be created by this apply, and its key is what must be trusted.
 */
async function runServiceAppOp(op: OpOf<`serviceApp.${string}`>, ctx: OpContext): Promise<OpOutcome> {
  const hub = ctx.hub;
  if (!hub) throw new OpInputError("the Hub has no credentials in the config (hub.auth): the Hub's service app can't be changed");
  switch (op.type) {
    case 'serviceApp.create': {
      const trust = await serviceAppTrust(op.rotationMode, resolveAppId(op.appId, ctx), ctx);
      // Not idempotent: a lost answer shows up in the next plan as the app found by its name.
      const res = await hub.request<Record<string, unknown>>('POST', '/oauth2/v1/clients', {
        body: { ...serviceAppBody(op.clientName), ...trust },
      });
      const id = res.body?.client_id;
      if (typeof id !== 'string' || id === '') throw new Error("Okta created the Hub's service app but returned no client_id");
      // Two applies creating it at once: one stays, before any grant or role hangs off it (unique-create.ts).
      await settleServiceAppCreate(hub, op.clientName, res.body!);
      return { createdServiceAppId: id };
    }
    case 'serviceApp.update': {
      const trust = await serviceAppTrust(op.rotationMode, resolveAppId(op.appId, ctx), ctx);
      const path = `/oauth2/v1/clients/${seg(op.clientId)}`;
      // Okta replaces a client whole (no partial updates): send back what it holds, with our settings over it.
      const current = await hub.get<Record<string, unknown>>(path);
      await hub.request('PUT', path, { body: clientPutBody(current, { ...serviceAppBody(op.clientName), ...trust }) });
      if (op.activate) await hub.request('POST', `/api/v1/apps/${seg(op.hubAppId)}/lifecycle/activate`, { idempotent: true });
      return WROTE;
    }
    case 'serviceApp.delete':
      if (op.currentStatus === 'ACTIVE')
        await hub.request('POST', `/api/v1/apps/${seg(op.hubAppId)}/lifecycle/deactivate`, { idempotent: true });
      await hub.request('DELETE', `/oauth2/v1/clients/${seg(op.clientId)}`);
      return WROTE;
    case 'serviceApp.grant':
      // Grants hang off the app (its id), not the client id; a client this apply created has one id for both.
      await hub.request('POST', `/api/v1/apps/${seg(op.hubAppId ?? resolveClientId(op.clientId, ctx))}/grants`, {
        body: { scopeId: op.scopeId, issuer: hub.baseUrl },
      });
      return WROTE;
    case 'serviceApp.revokeGrant':
      await hub.request('DELETE', `/api/v1/apps/${seg(op.hubAppId)}/grants/${seg(op.grantId)}`);
      return WROTE;
    case 'serviceApp.assignRole':
      try {
        await hub.request('POST', `/oauth2/v1/clients/${seg(resolveClientId(op.clientId, ctx))}/roles`, { body: { type: op.roleType } });
      } catch (err) {
        // Already assigned (a resend after a lost answer): the role is there, which is what was asked.
        if (!(err instanceof OktaApiError && err.status === 409)) throw err;
      }
      return WROTE;
    case 'serviceApp.unassignRole':
      await hub.request('DELETE', `/oauth2/v1/clients/${seg(op.clientId)}/roles/${seg(op.roleAssignmentId)}`);
      return WROTE;
  }
}

function serviceAppBody(clientName: string): Record<string, unknown> {
  return {
    client_name: clientName,
    application_type: 'service',
    grant_types: ['client_credentials'],
    response_types: ['token'],
    token_endpoint_auth_method: 'private_key_jwt',
  };
}

/** AUTO: the Spoke connection's JWKS URL; MANUAL: the Spoke app's public key in use. */
async function serviceAppTrust(rotationMode: 'AUTO' | 'MANUAL', appId: string, ctx: OpContext): Promise<Record<string, unknown>> {
  if (rotationMode === 'AUTO') return { jwks_uri: connectionJwksUri(ctx.client.baseUrl, appId) };
  const keys = await readSpokeKeys(ctx.client, appId);
  const key = currentKey(keys);
  if (!key) throw new Error(`the Spoke app ${appId} has no signing key to trust (credentials.signing.kid ${keys.signingKid ?? 'unset'})`);
  return { jwks: { keys: [publicJwk(key)] } };
}

function resolveClientId(planned: string | null, ctx: OpContext): string {
  if (planned !== null) return planned;
  const created = ctx.serviceAppId?.();
  if (created === undefined) throw new OpInputError("the Hub's service app was not created, so there is no client id to use");
  return created;
}

function resolveAppId(planned: string | null, ctx: OpContext): string {
  if (planned !== null) return planned;
  const created = ctx.appId();
  if (created === undefined) throw new OpInputError('the Org2Org app was not created, so there is no app id to use');
  return created;
}

function readEnv(name: string, ctx: OpContext): string {
  const value = ctx.env[name];
  if (value === undefined || value === '') {
    throw new OpInputError(`environment variable ${name} is not set`);
  }
  ctx.secrets.add(value);
  return value;
}

/** `{ "$env": "VAR" }` values (security answers) become the variable's value. */
function resolveProfile(profile: Record<string, unknown>, ctx: OpContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(profile)) {
    out[key] = isEnvRef(value) ? readEnv(value.$env, ctx) : value;
  }
  return out;
}

function isEnvRef(value: unknown): value is { $env: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { $env?: unknown }).$env === 'string' &&
    Object.keys(value).length === 1
  );
}

/** Ids come from Okta, but a path segment is still encoded: nothing in a plan file may steer the URL. */
/** An id as one URL path segment. */
export function seg(id: string): string {
  return encodeURIComponent(id);
}
