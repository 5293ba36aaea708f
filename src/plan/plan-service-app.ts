/**
 * The Hub side of a Spoke's OAuth 2.0 connection when org2org manages it (`hubServiceApp:
 * managed`): the service app (`hub.serviceApp["emea"]`), its scope grants and its admin roles.
 * Grants and roles the config doesn't list are drift and are removed; a managed service app that
 * the config no longer uses is removed too (a removal apply guards). Runs after the app and before
 * the connection, which waits for every change here.
 */
import { managedServiceAppName } from '../config/types.js';
import { KNOWN_AFTER_APPLY } from './plan-setup.js';
import { formatAddress, type ResourceKey } from './address.js';
import { diagnose, makeChange, type SpokeContext } from './spoke-context.js';
import type { AttributeChange } from './types.js';

export function planServiceApp(ctx: SpokeContext): void {
  const wanted = ctx.desired.connection;
  const live = ctx.live.serviceApp;
  const spoke = ctx.desired.name;
  const resource: ResourceKey = { spoke: spoke, kind: 'serviceApp' };
  const address = formatAddress(resource);
  const name = managedServiceAppName(spoke);
  const managed = wanted?.authScheme === 'OAUTH2' ? wanted.managed : undefined;

  if (!managed) {
    // A service app org2org made for this Spoke that the config no longer uses.
    if (live && !(wanted?.authScheme === 'OAUTH2' && wanted.clientId === live.clientId)) {
      ctx.removals.serviceApp.push(
        makeChange(ctx, {
          resource,
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
      resource,
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
    for (const scopeId of managed.scopes) addPermission(ctx, 'serviceApp.grant', null, scopeId, create.address);
    for (const roleType of managed.roles) addPermission(ctx, 'serviceApp.role', null, roleType, create.address);
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
      resource,
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

  const kinds = [
    { kind: 'serviceApp.grant', wanted: managed.scopes, live: live.grants.map((g) => ({ key: g.scopeId, id: g.id })) },
    { kind: 'serviceApp.role', wanted: managed.roles, live: live.roles.map((r) => ({ key: r.type, id: r.id })) },
  ] as const;
  for (const { kind, wanted: keys, live: held } of kinds) {
    const have = new Set(held.map((h) => h.key));
    for (const key of keys) {
      if (have.has(key)) ctx.noops++;
      else addPermission(ctx, kind, live.clientId, key, update);
    }
    for (const h of held) {
      if (keys.includes(h.key)) continue;
      const what = kind === 'serviceApp.grant' ? `the scope ${h.key} is granted to ${name}` : `${name} has the admin role ${h.key}`;
      ctx.removals.serviceApp.push(
        makeChange(ctx, {
          resource: { spoke, kind, key: h.key },
          kind,
          action: 'delete',
          name: h.key,
          before: kind === 'serviceApp.grant' ? { scopeId: h.key } : { type: h.key },
          instructions: [`${what}, which the config's ${kind === 'serviceApp.grant' ? 'scopes' : 'roles'} don't list`],
          liveFingerprint: live.fingerprint,
          writes: 1,
          op:
            kind === 'serviceApp.grant'
              ? { type: 'serviceApp.revokeGrant', clientId: live.clientId, grantId: h.id, scopeId: h.key }
              : { type: 'serviceApp.unassignRole', clientId: live.clientId, roleAssignmentId: h.id, roleType: h.key },
        }),
      );
    }
  }
}

/** A scope grant or an admin role for the service app (`clientId: null`: the one this apply creates). */
function addPermission(ctx: SpokeContext, kind: 'serviceApp.grant' | 'serviceApp.role', clientId: string | null, key: string, after: string | undefined): void {
  const attribute = kind === 'serviceApp.grant' ? 'scopeId' : 'type';
  const change = makeChange(ctx, {
    resource: { spoke: ctx.desired.name, kind, key },
    kind,
    action: 'create',
    name: key,
    after: { [attribute]: key, clientId: clientId ?? KNOWN_AFTER_APPLY },
    attributes: [{ name: attribute, before: null, after: key }],
    dependsOn: [after],
    writes: 1,
    op: kind === 'serviceApp.grant' ? { type: 'serviceApp.grant', clientId, scopeId: key } : { type: 'serviceApp.assignRole', clientId, roleType: key },
  });
  ctx.forward.push(change);
  ctx.serviceAppChanges.push(change.address);
}
