/**
 * The Spoke's Org2Org app the config means, looked up one way for plan, check, apply and
 * rotate-keys: every okta_org2org app of the Spoke (all pages), then the identity rules of
 * ./app-identity.ts (the label in any case; two with the label, or none while another
 * points at the Hub, is a problem, never a silent pick).
 */
import type { DesiredSpoke } from '../config/types.js';
import { identifyApp, identityProblem, ORG2ORG_APP_NAME } from './app-identity.js';
import type { OktaClient } from '../okta/types.js';
import { quote, readAll, type ReadEventSink } from './read-directory.js';

type Json = Record<string, unknown>;

/** Every okta_org2org app of the org, as Okta's JSON. */
export function readOrg2OrgApps(client: OktaClient, onEvent?: ReadEventSink, collection = 'apps'): Promise<Json[]> {
  return readAll<Json>(client, '/api/v1/apps', { filter: `name eq ${quote(ORG2ORG_APP_NAME)}` }, collection, onEvent);
}

/** The labels of the org's okta_org2org apps, oldest first (Okta lists apps by creation). */
export async function readOrg2OrgAppLabels(client: OktaClient, onEvent?: ReadEventSink): Promise<string[]> {
  const apps = await readOrg2OrgApps(client, onEvent, 'apps (label)');
  // The filter is Okta's to honour: an answer that ignored it must not offer another app's label.
  return apps.filter((a) => a.name === ORG2ORG_APP_NAME).map((a) => String(a.label));
}

/** The app with the config's label; no app and a problem when the rules can't tell which is meant. */
export async function findOrg2OrgApp(
  client: OktaClient,
  spoke: Pick<DesiredSpoke, 'name' | 'app'>,
  hubUrl: string,
  onEvent?: ReadEventSink,
): Promise<{ app?: Json; problem?: string }> {
  const identity = identifyApp(await readOrg2OrgApps(client, onEvent), spoke.app.label, hubUrl, spoke.app.create === true);
  if (identity.kind === 'found') return { app: identity.app };
  const problem = identityProblem(identity, spoke.name, spoke.app.label);
  return problem !== undefined ? { problem } : {};
}
