/**
 * MANUAL key rotation of an OAuth 2.0 Org2Org connection, in the overlap order of Okta's guide so
 * that the Hub trusts the key the Spoke signs with at every moment (no push fails):
 *   1. a new key in the Spoke app (`credentials/keys/generate`),
 *   2. the Hub's service app holds the old and the new key (`jwks.keys`),
 *   3. the Spoke app signs with the new key (`credentials.signing.kid`),
 *   4. the Hub's service app drops the old key.
 * Resumable: each run works out from the live orgs which steps are done (a Spoke key newer than the
 * one in use is the new key of a rotation cut off; a Hub app holding the key in use and others is
 * at step 4), and does only the rest. Reports through `onStep`; never prints.
 */
import { managedServiceAppName, type DesiredSpoke } from '../config/types.js';
import { Org2OrgError } from '../errors.js';
import {
  clientPutBody,
  currentKey,
  publicJwk,
  readHubServiceApp,
  readSpokeKeys,
  sameKey,
  toPublicKey,
  type HubServiceApp,
  type PublicKey,
  type SpokeKeys,
} from '../okta/service-app.js';
import { hubIdpsTrustingKey } from '../okta/saml-trust.js';
import type { OktaClient } from '../okta/types.js';
import { findOrg2OrgApp } from '../state/find-app.js';
import { findManagedServiceApp } from '../state/service-app-rules.js';
import { appPutBody, seg } from './run-op.js';

export interface RotationStep {
  step: 1 | 2 | 3 | 4;
  /** done: written now; skipped: found done already (a resumed rotation). */
  outcome: 'done' | 'skipped';
  message: string;
}

export interface RotationResult {
  clientId: string;
  oldKid: string | undefined;
  newKid: string | undefined;
  steps: RotationStep[];
  /** Hub IdPs that trusted the old key as the Spoke's SAML signing certificate (rotated with --allow-saml-key-change): each needs the new one. */
  samlFollowUp?: string[];
}

export interface RotateOptions {
  /** Validity of a generated key, 2–10 years (Okta's range). */
  validityYears: number;
  onStep?: (step: RotationStep) => void;
  /** Rotate although a Hub IdP trusts the key as the Spoke's SAML signing certificate (or that could not be ruled out). */
  allowSamlKeyChange?: boolean;
}

/** The flag that lets rotate-keys change a signing key a Hub IdP trusts for SAML. */
export const ALLOW_SAML_KEY_CHANGE = '--allow-saml-key-change';

type Json = Record<string, unknown>;

export async function rotateKeys(
  spoke: DesiredSpoke,
  spokeClient: OktaClient,
  hub: OktaClient | undefined,
  options: RotateOptions,
): Promise<RotationResult> {
  const { hub: hubClient, appId, signOnMode, service, keys, inUse } = await rotationStart(spoke, spokeClient, hub);
  const steps: RotationStep[] = [];
  const record = (step: RotationStep): void => {
    steps.push(step);
    options.onStep?.(step);
  };
  const result: RotationResult = { clientId: service.clientId, oldKid: inUse.kid, newKid: undefined, steps };
  const hubKeys = service.jwks ?? [];
  const newer = newerKeys(keys.keys, inUse);

  // Cut off after step 3: the Spoke signs with the new key and the Hub still holds the old one too.
  if (newer.length === 0 && hubKeys.length > 1) {
    result.oldKid = hubKeys.find((k) => !sameKey(k, inUse))?.kid;
    result.newKid = inUse.kid;
    for (const step of [1, 2, 3] as const)
      record({ step, outcome: 'skipped', message: `step ${step}: done before (the Spoke app signs with ${inUse.kid ?? 'the new key'})` });
    await replaceHubKeys(hubClient, service, [inUse]);
    record({ step: 4, outcome: 'done', message: `step 4: the Hub's service app holds only the key in use (${inUse.kid ?? '?'})` });
    return result;
  }

  // Step 3 changes the signing kid: on a SAML app that is the certificate a Hub IdP may trust.
  const samlFollowUp = await samlGuard(hubClient, spoke.name, signOnMode, inUse, options.allowSamlKeyChange === true);
  if (samlFollowUp.length > 0) result.samlFollowUp = samlFollowUp;
  const fresh = newer.at(-1) ?? (await generateKey(spokeClient, appId, options.validityYears));
  result.newKid = fresh.kid;
  if (newer.length > 0)
    record({
      step: 1,
      outcome: 'skipped',
      message: `step 1: the Spoke app already has a new key (${fresh.kid ?? '?'}) from a rotation that was cut off`,
    });
  else
    record({
      step: 1,
      outcome: 'done',
      message: `step 1: a new key in the Spoke app (${fresh.kid ?? '?'}, valid ${options.validityYears} years)`,
    });

  if (hubKeys.some((k) => sameKey(k, fresh))) {
    record({ step: 2, outcome: 'skipped', message: `step 2: the Hub's service app already holds the new key` });
  } else {
    await replaceHubKeys(hubClient, service, [inUse, fresh]);
    record({
      step: 2,
      outcome: 'done',
      message: `step 2: the Hub's service app holds the old and the new key (${inUse.kid ?? '?'}, ${fresh.kid ?? '?'})`,
    });
  }
  await signWith(spokeClient, appId, fresh);
  record({ step: 3, outcome: 'done', message: `step 3: the Spoke app signs with the new key (${fresh.kid ?? '?'})` });
  await replaceHubKeys(hubClient, service, [fresh]);
  record({ step: 4, outcome: 'done', message: `step 4: the Hub's service app dropped the old key (${inUse.kid ?? '?'})` });
  return result;
}

/**
 * Before the signing kid changes: the Hub IdPs that trust the key in use as the Spoke's SAML
 * signing certificate. Refuses (nothing written yet) when one does, or when the IdPs can't be
 * read, unless allowed; allowed, returns the follow-up step for each such IdP.
 */
async function samlGuard(hub: OktaClient, spokeName: string, signOnMode: string, inUse: PublicKey, allowed: boolean): Promise<string[]> {
  if (signOnMode !== 'SAML_2_0') return [];
  const trust = await hubIdpsTrustingKey(hub, inUse);
  const kid = inUse.kid ?? '?';
  const followUp = (idp: string): string =>
    `the Hub identity provider ${idp} still trusts the old certificate: upload the Spoke app's new key's certificate (x5c of GET /api/v1/apps/{appId}/credentials/keys/{newKid}) as an IdP key credential (POST /api/v1/idps/credentials/keys) and point the IdP at it (protocol.credentials.trust.kid), or SSO from ${spokeName} into the Hub fails`;
  if ('unreadable' in trust) {
    if (!allowed)
      throw new Org2OrgError(
        `the Spoke app of ${spokeName} signs SAML with the key it would rotate (kid ${kid}), and whether a Hub identity provider trusts that certificate could not be checked: ${trust.unreadable}. Rotating can break SSO from ${spokeName} into the Hub; run again with ${ALLOW_SAML_KEY_CHANGE} to rotate anyway, then check the Hub's identity providers`,
      );
    return [
      `whether a Hub identity provider trusts the old certificate could not be checked (${trust.unreadable}): check the Hub's SAML identity providers and point any that trusted it at the new key's certificate`,
    ];
  }
  if (trust.idps.length === 0) return [];
  const names = trust.idps.map((i) => `${i.name} (${i.id}, ${i.status})`).join(', ');
  if (!allowed)
    throw new Org2OrgError(
      `the Spoke app of ${spokeName} signs SAML with the key it would rotate (kid ${kid}), and the Hub identity provider${trust.idps.length > 1 ? 's' : ''} ${names} trust${trust.idps.length > 1 ? '' : 's'} that certificate for SSO from ${spokeName}: rotating breaks that sign-in until the IdP trusts the new certificate. Nothing was changed. Run again with ${ALLOW_SAML_KEY_CHANGE} to rotate, then (follow-up step) upload the new key's certificate to the IdP: POST /api/v1/idps/credentials/keys with its x5c, and set the IdP's protocol.credentials.trust.kid to it`,
    );
  return trust.idps.map((i) => followUp(`${i.name} (${i.id})`));
}

/** The Spoke's app and its keys, the Hub's service app and the key in use, once it is known that the Hub trusts that key. */
async function rotationStart(
  spoke: DesiredSpoke,
  spokeClient: OktaClient,
  hub: OktaClient | undefined,
): Promise<{ hub: OktaClient; appId: string; signOnMode: string; service: HubServiceApp; keys: SpokeKeys; inUse: PublicKey }> {
  const connection = spoke.connection;
  if (connection?.authScheme !== 'OAUTH2')
    throw new Org2OrgError(
      `spoke ${spoke.name} has no OAuth 2.0 connection in the config (authScheme OAUTH2): there are no connection keys to rotate`,
    );
  if (connection.rotationMode !== 'MANUAL') {
    throw new Org2OrgError(
      `spoke ${spoke.name} uses rotationMode AUTO: Okta rotates the Spoke app's keys and the Hub's service app reads them from its jwks_uri; rotate-keys is for MANUAL`,
    );
  }
  if (!hub)
    throw new Org2OrgError("rotate-keys changes the Hub's service app: the config needs Hub credentials (hub.auth) that may manage apps");
  const { id: appId, signOnMode } = await findApp(spoke, spokeClient, hub.baseUrl);
  const name = connection.managed ? managedServiceAppName(spoke.name) : (connection.clientId ?? '');
  const service = connection.managed
    ? (await findManagedServiceApp(hub, name, await connectionClientId(spokeClient, appId))).app
    : await readHubServiceApp(hub, name);
  if (!service) throw new Org2OrgError(`the Hub has no service app ${name} for spoke ${spoke.name}: run \`org2org apply\` first`);
  const keys = await readSpokeKeys(spokeClient, appId);
  const inUse = currentKey(keys);
  if (!inUse)
    throw new Org2OrgError(`the Spoke app ${appId} has no signing key in use (credentials.signing.kid ${keys.signingKid ?? 'unset'})`);
  if (!(service.jwks ?? []).some((k) => sameKey(k, inUse))) {
    throw new Org2OrgError(
      `the Hub's service app ${service.clientId} does not trust the Spoke app's key in use (kid ${inUse.kid ?? '?'}): provisioning is failing now; run \`org2org apply\` to repair the trust, then rotate`,
    );
  }
  return { hub, appId, signOnMode, service, keys, inUse };
}

/** Step 1: a new key in the Spoke app. */
async function generateKey(spokeClient: OktaClient, appId: string, validityYears: number): Promise<PublicKey> {
  const res = await spokeClient.request<Json>('POST', `/api/v1/apps/${seg(appId)}/credentials/keys/generate`, { query: { validityYears } });
  return toPublicKey(res.body);
}

/** Step 3. Replace an Application takes the whole app, sent back as an update sends it; only the signing kid changes. */
async function signWith(spokeClient: OktaClient, appId: string, key: PublicKey): Promise<void> {
  const appPath = `/api/v1/apps/${seg(appId)}`;
  const body = appPutBody(await spokeClient.get<Json>(appPath));
  const credentials = (body.credentials as Json | undefined) ?? {};
  await spokeClient.request('PUT', appPath, {
    body: { ...body, credentials: { ...credentials, signing: { ...((credentials.signing as Json | undefined) ?? {}), kid: key.kid } } },
  });
}

/** Keys of the Spoke app created after the one in use (a rotation's new key), oldest first. */
function newerKeys(keys: PublicKey[], inUse: PublicKey): PublicKey[] {
  const created = (k: PublicKey): string => (typeof k.jwk.created === 'string' ? k.jwk.created : '');
  return keys.filter((k) => !sameKey(k, inUse) && created(k) > created(inUse)).sort((a, b) => (created(a) < created(b) ? -1 : 1));
}

/** Okta replaces a client whole (no partial updates): send back everything it holds, with the new keys. */
async function replaceHubKeys(hub: OktaClient, service: HubServiceApp, keys: PublicKey[]): Promise<void> {
  const path = `/oauth2/v1/clients/${seg(service.clientId)}`;
  const current = await hub.get<Json>(path);
  await hub.request('PUT', path, { body: clientPutBody(current, { jwks: { keys: keys.map(publicJwk) } }) });
}

/** The client id the Spoke app's OAuth 2.0 connection uses, if it has one. */
async function connectionClientId(spokeClient: OktaClient, appId: string): Promise<string | undefined> {
  const live = await spokeClient.get<{ profile?: { authScheme?: string; clientId?: unknown } }>(
    `/api/v1/apps/${seg(appId)}/connections/default`,
  );
  return live.profile?.authScheme === 'OAUTH2' && typeof live.profile.clientId === 'string' ? live.profile.clientId : undefined;
}

async function findApp(spoke: DesiredSpoke, client: OktaClient, hubUrl: string): Promise<{ id: string; signOnMode: string }> {
  const { app, problem } = await findOrg2OrgApp(client, spoke, hubUrl);
  if (problem !== undefined) throw new Org2OrgError(problem);
  if (!app) throw new Org2OrgError(`spoke ${spoke.name} has no Org2Org app labelled "${spoke.app.label}": run \`org2org apply\` first`);
  return { id: String(app.id), signOnMode: String(app.signOnMode ?? '') };
}
