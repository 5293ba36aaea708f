/**
 * The Hub side of a Spoke's OAuth 2.0 connection when org2org manages it (`hubServiceApp:
 * managed`): the service app (`hub.serviceApp["emea"]`), its scope grants and its admin roles.
 * Grants and roles the config doesn't list are drift and are removed; a managed service app that
 * the config no longer uses is removed too (a removal apply guards). Runs after the app and before
 * the connection, which waits for every change here.
 */
import { managedServiceAppName } from '../config/types.js';
import { KNOWN_AFTER_APPLY } from './plan-setup.js';
import { addressOf, diagnose, makeChange, type SpokeContext } from './spoke-context.js';
import type { AttributeChange } from './types.js';

export function planServiceApp(ctx: SpokeContext): void {
  const wanted = ctx.desired.connection;
  const live = ctx.live.serviceApp;
  const spoke = ctx.desired.name;
  const address = addressOf(spoke, 'serviceApp');
  const name = managedServiceAppName(spoke);
  const managed = wanted?.authScheme === 'OAUTH2' ? wanted.managed : undefined;

  if (!managed) {
    // A service app org2org made for this Spoke that the config no longer uses.
    if (live && !(wanted?.authScheme === 'OAUTH2' && wanted.clientId === live.clientId)) {
      ctx.removals.serviceApp.push(
        makeChange(ctx, {
          address,
          kind: 'serviceApp',
          action: 'delete',
          name,
          before: { clientId: live.clientId, name: live.name, status: live.status },
          instructions: [`the Hub's service app ${name} (${live.clientId}) was made by org2org for this Spoke and the config no longer uses it`],
          liveFingerprint: live.fingerprint,
          writes: live.status === 'ACTIVE' ? 2 : 1,
          op: { type: 'serviceApp.delete', clientId: live.clientId, currentStatus: live.status },
        }),
      );
    }
    return;
  }
  const rotationMode = wanted!.authScheme === 'OAUTH2' ? wanted!.rotationMode : 'AUTO';
  if (live === undefined) {
    diagnose(ctx, 'error', `the Hub's service app for ${spoke} was not read, so its OAuth connection can't be planned: hubServiceApp: managed needs Hub credentials (hub.auth) that may read and manage apps`, { address });
    return;
  }
  const trust = rotationMode === 'AUTO' ? "the Spoke connection's JWKS (jwks_uri)" : "the Spoke app's key in use (jwks)";

  if (live === null) {
    ctx.serviceAppClientId = null;
    const create = makeChange(ctx, {
      address,
      kind: 'serviceApp',
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
    ctx.serviceAppChanges.push(create.address);
    for (const scopeId of managed.scopes) addGrant(ctx, null, scopeId, create.address);
    for (const roleType of managed.roles) addRole(ctx, null, roleType, create.address);
    return;
  }

  ctx.serviceAppClientId = live.clientId;
  const attributes: AttributeChange[] = [];
  if (live.status !== 'ACTIVE') attributes.push({ name: 'status', before: live.status, after: 'ACTIVE' });
  if (live.tokenEndpointAuthMethod !== 'private_key_jwt') attributes.push({ name: 'tokenEndpointAuthMethod', before: live.tokenEndpointAuthMethod, after: 'private_key_jwt' });
  if (!live.grantTypes.includes('client_credentials') || live.grantTypes.length !== 1) attributes.push({ name: 'grantTypes', before: live.grantTypes, after: ['client_credentials'] });
  if (!live.trustsSpoke) {
    const before = live.jwksUri !== null ? `jwks_uri ${live.jwksUri}` : `keys ${live.keyIds.join(', ') || '(none)'}`;
    const after = rotationMode === 'AUTO' ? trust : live.spokeKid !== undefined ? `key ${live.spokeKid} (the Spoke app's key in use)` : trust;
    attributes.push({ name: 'trusts', before, after });
  }
  let update: string | undefined;
  if (attributes.length > 0) {
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const a of attributes) {
      before[a.name] = a.before;
      after[a.name] = a.after;
    }
    const change = makeChange(ctx, {
      address,
      kind: 'serviceApp',
      action: 'update',
      name,
      before,
      after,
      attributes,
      dependsOn: [ctx.appCreate],
      liveFingerprint: live.fingerprint,
      writes: 1 + (live.status !== 'ACTIVE' ? 1 : 0),
      op: { type: 'serviceApp.update', clientId: live.clientId, clientName: name, rotationMode, appId: ctx.appId, activate: live.status !== 'ACTIVE' },
    });
    ctx.forward.push(change);
    ctx.serviceAppChanges.push(change.address);
    update = change.address;
  } else {
    ctx.noops++;
  }

  const granted = new Map(live.grants.map((g) => [g.scopeId, g]));
  for (const scopeId of managed.scopes) {
    if (granted.has(scopeId)) ctx.noops++;
    else addGrant(ctx, live.clientId, scopeId, update);
  }
  for (const g of live.grants) {
    if (managed.scopes.includes(g.scopeId)) continue;
    ctx.removals.serviceApp.push(
      makeChange(ctx, {
        address: addressOf(spoke, 'serviceApp.grant', g.scopeId),
        kind: 'serviceApp.grant',
        action: 'delete',
        name: g.scopeId,
        before: { scopeId: g.scopeId },
        instructions: [`${g.scopeId} is granted to ${name} but not listed in the config's scopes`],
        liveFingerprint: live.fingerprint,
        writes: 1,
        op: { type: 'serviceApp.revokeGrant', clientId: live.clientId, grantId: g.id, scopeId: g.scopeId },
      }),
    );
  }
  const assigned = new Map(live.roles.map((r) => [r.type, r]));
  for (const roleType of managed.roles) {
    if (assigned.has(roleType)) ctx.noops++;
    else addRole(ctx, live.clientId, roleType, update);
  }
  for (const r of live.roles) {
    if (managed.roles.includes(r.type)) continue;
    ctx.removals.serviceApp.push(
      makeChange(ctx, {
        address: addressOf(spoke, 'serviceApp.role', r.type),
        kind: 'serviceApp.role',
        action: 'delete',
        name: r.type,
        before: { type: r.type },
        instructions: [`${name} has the admin role ${r.type}, which the config's roles don't list`],
        liveFingerprint: live.fingerprint,
        writes: 1,
        op: { type: 'serviceApp.unassignRole', clientId: live.clientId, roleAssignmentId: r.id, roleType: r.type },
      }),
    );
  }
}

function addGrant(ctx: SpokeContext, clientId: string | null, scopeId: string, after: string | undefined): void {
  const change = makeChange(ctx, {
    address: addressOf(ctx.desired.name, 'serviceApp.grant', scopeId),
    kind: 'serviceApp.grant',
    action: 'create',
    name: scopeId,
    after: { scopeId, clientId: clientId ?? KNOWN_AFTER_APPLY },
    attributes: [{ name: 'scopeId', before: null, after: scopeId }],
    dependsOn: [after],
    writes: 1,
    op: { type: 'serviceApp.grant', clientId, scopeId },
  });
  ctx.forward.push(change);
  ctx.serviceAppChanges.push(change.address);
}

function addRole(ctx: SpokeContext, clientId: string | null, roleType: string, after: string | undefined): void {
  const change = makeChange(ctx, {
    address: addressOf(ctx.desired.name, 'serviceApp.role', roleType),
    kind: 'serviceApp.role',
    action: 'create',
    name: roleType,
    after: { type: roleType, clientId: clientId ?? KNOWN_AFTER_APPLY },
    attributes: [{ name: 'type', before: null, after: roleType }],
    dependsOn: [after],
    writes: 1,
    op: { type: 'serviceApp.assignRole', clientId, roleType },
  });
  ctx.forward.push(change);
  ctx.serviceAppChanges.push(change.address);
}
