/**
 * Which Org2Org app of a Spoke is the config's: the one place plan, check and apply decide it.
 * Labels match case-insensitively (Okta keeps the case people typed; "acme hub" and "Acme Hub"
 * are the same app to a reader). Two apps with the label are an error, never a silent pick: a
 * plan that chose one would manage half of the Spoke's provisioning. No match while another
 * Org2Org app already points at the same Hub is an error too ("did you mean …"): creating a second
 * app would provision every user twice, unless the config says `app.create: true`.
 */

import { sameOktaOrg } from '../org-url.js';

export const ORG2ORG_APP_NAME = 'okta_org2org';

/** An Org2Org app as the identity rules need it. */
export interface Org2OrgAppRef {
  id: string;
  label: string;
  status: string;
  baseUrl?: string;
}

export type AppIdentity<T> =
  | { kind: 'found'; app: T }
  | { kind: 'missing' }
  /** Several apps carry the label: which one is meant is for a person to say. */
  | { kind: 'duplicate'; apps: Org2OrgAppRef[] }
  /** No app carries the label, but these point at the same Hub. */
  | { kind: 'near-miss'; candidates: Org2OrgAppRef[] };

/** The fields of Okta's app JSON the rules read. */
export function appRef(app: Record<string, unknown>): Org2OrgAppRef {
  const settings = app.settings as { app?: { baseUrl?: unknown } } | undefined;
  const baseUrl = settings?.app?.baseUrl;
  return {
    id: String(app.id),
    label: typeof app.label === 'string' ? app.label : '',
    status: typeof app.status === 'string' ? app.status : 'UNKNOWN',
    ...(typeof baseUrl === 'string' ? { baseUrl } : {}),
  };
}

export function sameLabel(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Whether an app's base URL is the Hub: same org, in any case, with a trailing slash or as its `-admin` domain. */
export function pointsAtHub(baseUrl: string | undefined, hubUrl: string): boolean {
  return baseUrl !== undefined && baseUrl !== '' && sameOktaOrg(baseUrl, hubUrl);
}

/** `apps`: the Spoke's apps (any name; only okta_org2org ones count). */
export function identifyApp<T extends Record<string, unknown>>(
  apps: T[],
  label: string,
  hubUrl: string,
  allowCreate: boolean,
): AppIdentity<T> {
  const org2org = apps.filter((a) => a.name === ORG2ORG_APP_NAME);
  const labelled = org2org.filter((a) => typeof a.label === 'string' && sameLabel(a.label, label));
  if (labelled.length === 1) return { kind: 'found', app: labelled[0]! };
  if (labelled.length > 1) return { kind: 'duplicate', apps: labelled.map(appRef) };
  if (allowCreate) return { kind: 'missing' };
  const candidates = org2org.map(appRef).filter((a) => pointsAtHub(a.baseUrl, hubUrl));
  return candidates.length > 0 ? { kind: 'near-miss', candidates } : { kind: 'missing' };
}

/** The error for an identity that can't be planned on, in words that say what to do. */
export function identityProblem(identity: AppIdentity<unknown>, spoke: string, label: string): string | undefined {
  if (identity.kind === 'duplicate') {
    const list = identity.apps.map((a) => `${a.id} ("${a.label}", ${a.status})`).join(', ');
    return `${identity.apps.length} Org2Org apps in ${spoke} are labelled "${label}": ${list}. Rename or delete all but one in the Admin Console, then plan again (a second app provisions the same users twice)`;
  }
  if (identity.kind === 'near-miss') {
    const names = identity.candidates.map((a) => `"${a.label}" (${a.id})`).join(' or ');
    return `no Org2Org app in ${spoke} is labelled "${label}", but ${names} already points at the same Hub: did you mean ${identity.candidates.length === 1 ? 'that label' : 'one of those labels'}? Set app.label to it, or set app.create: true to create a second app on purpose`;
  }
  return undefined;
}
