/**
 * The Hub side of a Spoke's OAuth 2.0 connection when org2org manages it (`hubServiceApp:
 * managed`): the service app (`hub.serviceApp["emea"]`), its scope grants and its admin roles.
 * Grants and roles the config doesn't list are drift and are removed; a managed service app that
 * the config no longer uses is removed too (a removal apply guards). Runs after the app and before
 * the connection, which waits for every change here.
 */
import { managedServiceAppName, type ManagedServiceApp } from '../config/types.js';
import type { LiveServiceApp } from '../state/types.js';
import { KNOWN_AFTER_APPLY } from './plan-setup.js';
import { addressOf, formatAddress } from './address.js';
import { pairByKey } from './pair.js';
import { diagnose, makeChange, sides, type SpokeContext } from './spoke-context.js';
import type { AttributeChange, Change } from './types.js';

type RotationMode = 'AUTO' | 'MANUAL';

export function planServiceApp(ctx: SpokeContext): void {
  const wanted = ctx.desired.connection;
  const live = ctx.live.serviceApp;
  if (wanted?.authScheme !== 'OAUTH2' || !wanted.managed) {
    // A service app org2org made for this Spoke that the config no longer uses.
    if (live && !(wanted?.authScheme === 'OAUTH2' && wanted.clientId === live.clientId))
      ctx.removals.push(unusedServiceAppRemoval(ctx, live));
    return;
  }
  if (live === undefined) {
    const address = formatAddress({ spoke: ctx.desired.name, kind: 'serviceApp' });
    diagnose(
      ctx,
      'error',
      `the Hub's service app for ${ctx.desired.name} was not read, so its OAuth connection can't be planned: hubServiceApp: managed needs Hub credentials (hub.auth) that may read and manage apps`,
      { address },
    );
    return;
  }
  if (live === null) {
    planNewServiceApp(ctx, wanted.managed, wanted.rotationMode);
    return;
  }
  ctx.serviceAppClientId = live.clientId;
  if (live.repointedTo)
    diagnose(
      ctx,
      'warning',
      `the ${ctx.desired.name} connection uses the Hub client ${live.repointedTo.name || live.repointedTo.clientId} (${live.repointedTo.clientId}), not the service app ${live.name} (${live.clientId}) org2org manages for it: the connection was re-pointed; apply points it back (the other client is left as it is)`,
      { address: formatAddress({ spoke: ctx.desired.name, kind: 'connection' }) },
    );
  const update = planServiceAppUpdate(ctx, live, wanted.rotationMode);
  planPermissions(ctx, live, wanted.managed, update);
}

/** What the service app's trust in the Spoke is, in a plan's words. */
function trustOf(rotationMode: RotationMode): string {
  return rotationMode === 'AUTO' ? "the Spoke connection's JWKS (jwks_uri)" : "the Spoke app's key in use (jwks)";
}

function unusedServiceAppRemoval(ctx: SpokeContext, live: LiveServiceApp): Change {
  const name = managedServiceAppName(ctx.desired.name);
  return makeChange(ctx, {
    resource: { spoke: ctx.desired.name, kind: 'serviceApp' },
    action: 'delete',
    name,
    before: { clientId: live.clientId, name: live.name, status: live.status },
    instructions: [`the Hub's service app ${name} (${live.clientId}) was made by org2org for this Spoke and the config no longer uses it`],
    liveFingerprint: live.fingerprint,
    writes: live.status === 'ACTIVE' ? 2 : 1,
    op: { type: 'serviceApp.delete', clientId: live.clientId, hubAppId: live.appId, currentStatus: live.status },
  });
}

/** The service app's create, then its grants and roles (which wait for it). */
function planNewServiceApp(ctx: SpokeContext, managed: ManagedServiceApp, rotationMode: RotationMode): void {
  const name = managedServiceAppName(ctx.desired.name);
  const trust = trustOf(rotationMode);
  ctx.serviceAppClientId = null;
  const create = makeChange(ctx, {
    resource: { spoke: ctx.desired.name, kind: 'serviceApp' },
    action: 'create',
    name,
    after: { name, applicationType: 'service', tokenEndpointAuthMethod: 'private_key_jwt', trusts: trust },
    attributes: [
      { name: 'name', before: null, after: name },
      { name: 'tokenEndpointAuthMethod', before: null, after: 'private_key_jwt' },
      { name: 'trusts', before: null, after: trust },
    ],
    dependsOn: [ctx.appCreate],
    writes: 1,
    op: { type: 'serviceApp.create', clientName: name, rotationMode, appId: ctx.appId },
  });
  ctx.forward.push(create);
  ctx.serviceAppChanges.push(addressOf(create));
  for (const scopeId of managed.scopes) addPermission(ctx, 'serviceApp.grant', null, scopeId, addressOf(create));
  for (const roleType of managed.roles) addPermission(ctx, 'serviceApp.role', null, roleType, addressOf(create));
}

/** The address of the live service app's update, undefined when it already is as org2org keeps it. */
function planServiceAppUpdate(ctx: SpokeContext, live: LiveServiceApp, rotationMode: RotationMode): string | undefined {
  const name = managedServiceAppName(ctx.desired.name);
  const attributes = serviceAppDrift(live, rotationMode, name);
  if (attributes.length === 0) {
    ctx.noops++;
    return undefined;
  }
  const change = makeChange(ctx, {
    resource: { spoke: ctx.desired.name, kind: 'serviceApp' },
    action: 'update',
    name,
    ...sides(attributes),
    attributes,
    dependsOn: [ctx.appCreate],
    liveFingerprint: live.fingerprint,
    writes: 1 + (live.status !== 'ACTIVE' ? 1 : 0),
    op: {
      type: 'serviceApp.update',
      clientId: live.clientId,
      hubAppId: live.appId,
      clientName: name,
      rotationMode,
      appId: ctx.appId,
      activate: live.status !== 'ACTIVE',
    },
  });
  ctx.forward.push(change);
  ctx.serviceAppChanges.push(addressOf(change));
  return addressOf(change);
}

/** How the live service app differs from what org2org keeps: active, private_key_jwt, client_credentials only, trusting the Spoke. */
function serviceAppDrift(live: LiveServiceApp, rotationMode: RotationMode, name: string): AttributeChange[] {
  const attributes: AttributeChange[] = [];
  // Found by the client its connection uses: another name is a rename, not another app.
  if (live.name !== name) attributes.push({ name: 'name', before: live.name, after: name });
  if (live.status !== 'ACTIVE') attributes.push({ name: 'status', before: live.status, after: 'ACTIVE' });
  if (live.applicationType !== 'service') attributes.push({ name: 'applicationType', before: live.applicationType, after: 'service' });
  if (live.responseTypes.length !== 1 || live.responseTypes[0] !== 'token')
    attributes.push({ name: 'responseTypes', before: live.responseTypes, after: ['token'] });
  if (live.tokenEndpointAuthMethod !== 'private_key_jwt')
    attributes.push({ name: 'tokenEndpointAuthMethod', before: live.tokenEndpointAuthMethod, after: 'private_key_jwt' });
  if (!live.grantTypes.includes('client_credentials') || live.grantTypes.length !== 1)
    attributes.push({ name: 'grantTypes', before: live.grantTypes, after: ['client_credentials'] });
  if (live.trustsSpoke && live.extraKeyIds.length > 0) {
    // Every key it holds can get tokens as this app: only the Spoke app's key in use belongs there.
    attributes.push({ name: 'keys', before: live.keyIds, after: live.keyIds.filter((k) => !live.extraKeyIds.includes(k)) });
  } else if (!live.trustsSpoke) {
    const trust = trustOf(rotationMode);
    const before = live.jwksUri !== null ? `jwks_uri ${live.jwksUri}` : `keys ${live.keyIds.join(', ') || '(none)'}`;
    const after =
      rotationMode === 'AUTO' ? trust : live.spokeKid !== undefined ? `key ${live.spokeKid} (the Spoke app's key in use)` : trust;
    attributes.push({ name: 'trusts', before, after });
  }
  return attributes;
}

const SCOPE_KEYS = { desired: (key: string) => key, live: (held: { key: string }) => held.key };

/** Grants and roles: the config's missing ones added (after the update, if any), the others revoked. */
function planPermissions(ctx: SpokeContext, live: LiveServiceApp, managed: ManagedServiceApp, update: string | undefined): void {
  const kinds = [
    { kind: 'serviceApp.grant', wanted: managed.scopes, held: live.grants.map((g) => ({ key: g.scopeId, id: g.id })) },
    { kind: 'serviceApp.role', wanted: managed.roles, held: live.roles.map((r) => ({ key: r.type, id: r.id })) },
  ] as const;
  for (const { kind, wanted, held } of kinds) {
    const pairing = pairByKey(wanted, held, SCOPE_KEYS, {
      both: () => ctx.noops++,
      desiredOnly: (key) => addPermission(ctx, kind, live, key, update),
    });
    for (const permission of pairing.liveOnly()) ctx.removals.push(permissionRemoval(ctx, live, kind, permission));
  }
}

function permissionRemoval(
  ctx: SpokeContext,
  live: LiveServiceApp,
  kind: 'serviceApp.grant' | 'serviceApp.role',
  held: { key: string; id: string },
): Change {
  const name = managedServiceAppName(ctx.desired.name);
  const grant = kind === 'serviceApp.grant';
  const what = grant ? `the scope ${held.key} is granted to ${name}` : `${name} has the admin role ${held.key}`;
  return makeChange(ctx, {
    resource: { spoke: ctx.desired.name, kind, key: held.key },
    action: 'delete',
    name: held.key,
    before: grant ? { scopeId: held.key } : { type: held.key },
    instructions: [`${what}, which the config's ${grant ? 'scopes' : 'roles'} don't list`],
    liveFingerprint: live.fingerprint,
    writes: 1,
    op: grant
      ? { type: 'serviceApp.revokeGrant', clientId: live.clientId, hubAppId: live.appId, grantId: held.id, scopeId: held.key }
      : { type: 'serviceApp.unassignRole', clientId: live.clientId, roleAssignmentId: held.id, roleType: held.key },
  });
}

/** A scope grant or an admin role for the service app (`live: null`: the one this apply creates). */
function addPermission(
  ctx: SpokeContext,
  kind: 'serviceApp.grant' | 'serviceApp.role',
  live: Pick<LiveServiceApp, 'clientId' | 'appId'> | null,
  key: string,
  after: string | undefined,
): void {
  const clientId = live?.clientId ?? null;
  const attribute = kind === 'serviceApp.grant' ? 'scopeId' : 'type';
  const change = makeChange(ctx, {
    resource: { spoke: ctx.desired.name, kind, key },
    action: 'create',
    name: key,
    after: { [attribute]: key, clientId: clientId ?? KNOWN_AFTER_APPLY },
    attributes: [{ name: attribute, before: null, after: key }],
    dependsOn: [after],
    writes: 1,
    op:
      kind === 'serviceApp.grant'
        ? { type: 'serviceApp.grant', clientId, hubAppId: live?.appId ?? null, scopeId: key }
        : { type: 'serviceApp.assignRole', clientId, roleType: key },
  });
  ctx.forward.push(change);
  ctx.serviceAppChanges.push(addressOf(change));
}
