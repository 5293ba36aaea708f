/**
 * The Hub side of each Spoke's OAuth 2.0 connection, for the planner: the service app org2org
 * manages for the Spoke (the client its connection uses, else the one with the managed name:
 * ./service-app-rules.ts findManagedServiceApp), with its grants and roles, and whether it trusts the
 * Spoke app's key in use. A Spoke whose config doesn't manage one is looked at only when its live
 * connection points at a client with the managed name (a leftover that the plan removes).
 */
import { managedServiceAppName, type DesiredSpoke } from '../config/types.js';
import {
  connectionJwksUri,
  currentKey,
  readHubServiceApp,
  readSpokeKeys,
  type HubServiceApp,
  type SpokeKeys,
} from '../okta/service-app.js';
import type { OktaClient } from '../okta/types.js';
import { withFingerprint } from './fingerprint.js';
import { extraKeys, findManagedServiceApp, type ManagedServiceAppLookup, trustsSpoke } from './service-app-rules.js';
import { startRead, type ReadEventSink } from './read-directory.js';
import type { LiveServiceApp, LiveSpoke } from './types.js';

export async function readServiceApp(
  hub: OktaClient,
  spokeClient: OktaClient,
  desired: DesiredSpoke,
  live: LiveSpoke,
  onEvent: ReadEventSink | undefined,
): Promise<LiveServiceApp | null | undefined> {
  const connection = desired.connection;
  const managed = connection?.authScheme === 'OAUTH2' && connection.managed !== undefined;
  const liveClientId = live.connection?.authScheme === 'OAUTH2' ? live.connection.clientId : undefined;
  if (!managed && liveClientId === undefined) return undefined;
  const read = startRead(hub.org, `service app of ${desired.name}`, onEvent);
  let app: HubServiceApp | undefined;
  let lookup: ManagedServiceAppLookup = {};
  if (managed) {
    lookup = await findManagedServiceApp(hub, managedServiceAppName(desired.name), liveClientId);
    app = lookup.app;
  } else {
    app = await readHubServiceApp(hub, liveClientId!);
    if (app && app.name !== managedServiceAppName(desired.name)) app = undefined;
    if (!app) {
      read.done(0);
      return undefined;
    }
  }
  let result: LiveServiceApp | null = null;
  if (app) {
    const rotationMode = connection?.authScheme === 'OAUTH2' ? connection.rotationMode : 'AUTO';
    const keys: SpokeKeys | undefined = live.app && rotationMode === 'MANUAL' ? await readSpokeKeys(spokeClient, live.app.id) : undefined;
    const wanted = {
      rotationMode,
      ...(keys ? { spokeKeys: keys } : {}),
      ...(live.app ? { jwksUri: connectionJwksUri(spokeClient.baseUrl, live.app.id) } : {}),
    };
    const spokeKid = keys ? currentKey(keys)?.kid : undefined;
    result = withFingerprint({
      clientId: app.clientId,
      appId: app.appId,
      name: app.name,
      status: app.status,
      tokenEndpointAuthMethod: app.tokenEndpointAuthMethod,
      grantTypes: app.grantTypes,
      applicationType: app.applicationType,
      responseTypes: app.responseTypes,
      keyIds: (app.jwks ?? []).map((k) => k.kid ?? '(no kid)'),
      extraKeyIds: live.app ? extraKeys(app, wanted).map((k) => k.kid ?? '(no kid)') : [],
      identifiedBy: lookup.identifiedBy ?? 'connection',
      ...(lookup.repointedTo ? { repointedTo: lookup.repointedTo } : {}),
      jwksUri: app.jwksUri,
      trustsSpoke: live.app !== null && trustsSpoke(app, wanted),
      ...(spokeKid !== undefined ? { spokeKid } : {}),
      grants: app.grants,
      roles: app.roles,
    } as LiveServiceApp);
  }
  read.done(result ? 1 : 0);
  return result;
}
