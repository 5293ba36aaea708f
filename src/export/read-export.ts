/**
 * readExportInput: read everything export needs. The Spokes are read by the same reader as
 * `plan` (readLiveState, with a config that names the app and lists nothing), so what is
 * exported is normalized exactly as the first plan will compare it. Around it, a few reads of
 * export's own: the app's label when none was given, and the Hub's groups (target names and
 * `created`, which tells a linked group when compared with the mapping's `created`).
 */
import { Org2OrgError } from '../errors.js';
import { Secret } from '../credentials.js';
import { managedServiceAppName, type DesiredSpoke, type DesiredState } from '../config/types.js';
import { OktaApiError } from '../okta/errors.js';
import { readHubServiceApp } from '../okta/service-app.js';
import type { OktaClient } from '../okta/types.js';
import type { LiveSpoke, LiveState, ReadEvent } from '../state/types.js';
import { readOrg2OrgAppLabels } from '../state/find-app.js';
import { readLiveState } from '../state/read-live-state.js';
import { readGroupsByName } from '../state/read-directory.js';
import { observeSpoke } from './observe-spoke.js';
import type { ExportInput, ObservedSpoke } from './types.js';

export interface ExportSpokeSource {
  name: string;
  url: string;
  tokenVar: string;
  client: OktaClient;
}

export interface ExportSource {
  hubUrl: string;
  spokes: ExportSpokeSource[];
  /** Hub client with a read token; undefined: the Hub is not read. */
  hub?: { client: OktaClient; tokenVar: string };
  /** App label for every Spoke; default: each Spoke's first okta_org2org app. */
  label?: string;
  onEvent?: (e: ReadEvent) => void;
}

export async function readExportInput(all: ExportSource, generatedAt: string): Promise<ExportInput> {
  const [allLabels, hubGroups] = await Promise.all([
    Promise.all(all.spokes.map((s) => pickLabel(s, all.label, all.onEvent))),
    all.hub ? readGroupsByName(all.hub.client, all.onEvent) : Promise.resolve(undefined),
  ]);
  // A Spoke with no Org2Org app yet doesn't stop the others: it becomes a stub to fill in.
  const withoutApp = all.spokes
    .filter((_, i) => allLabels[i] === undefined)
    .map((s) => ({ name: s.name, url: s.url, tokenVar: s.tokenVar }));
  if (withoutApp.length === all.spokes.length) {
    throw new Org2OrgError(`no okta_org2org app found in ${withoutApp.map((s) => `${s.name} (${s.url})`).join(', ')}; nothing to export`);
  }
  const source: ExportSource = { ...all, spokes: all.spokes.filter((_, i) => allLabels[i] !== undefined) };
  const labels = allLabels.filter((l): l is string => l !== undefined);
  const desired = exportDesiredState(source, labels);
  const live = await readLiveState(
    desired,
    { spokes: Object.fromEntries(source.spokes.map((s) => [s.name, s.client])) },
    { ...(source.onEvent ? { onEvent: source.onEvent } : {}) },
  );

  const spokes: ObservedSpoke[] = await Promise.all(
    source.spokes.map(async (s) => {
      const spoke = live.spokes[s.name];
      // The reader keeps going past a Spoke it can't read (plan shows that as the Spoke's error).
      if (!spoke)
        throw new Org2OrgError(`spoke ${s.name}: could not be read: ${live.unreadable?.[s.name] ?? 'no answer'}; nothing was written`);
      if (!spoke.app)
        throw new Org2OrgError(
          `spoke ${s.name}: the okta_org2org app "${labels[source.spokes.indexOf(s)]}" disappeared while it was read; run export again`,
        );
      const managed = source.hub ? await managedServiceApp(source.hub.client, s.name, spoke.connection, live.readProblems) : undefined;
      const observed = observeSpoke(spoke, {
        name: s.name,
        url: s.url,
        tokenVar: s.tokenVar,
        hubUrl: source.hubUrl,
        ...(hubGroups ? { hubGroups } : {}),
        notes: live.readProblems.filter((n) => n.spoke === s.name).map((n) => n.message),
      });
      if (managed && observed.connection?.authScheme === 'OAUTH2') observed.connection.managed = managed;
      return observed;
    }),
  );
  return {
    hubUrl: source.hubUrl,
    ...(source.hub ? { hubReadTokenVar: source.hub.tokenVar } : {}),
    generatedAt,
    spokes,
    ...(withoutApp.length > 0 ? { withoutApp } : {}),
  };
}

/** A config that names each Spoke's app and lists nothing: the reader then reads the app whole. */
function exportDesiredState(source: ExportSource, labels: string[]): DesiredState {
  return {
    file: '(export)',
    digest: '',
    hub: { url: source.hubUrl },
    spokes: source.spokes.map(
      (s, i): DesiredSpoke => ({
        name: s.name,
        url: s.url,
        // Never used to send anything: the clients carry their own credentials.
        auth: { kind: 'token', token: new Secret(s.tokenVar, undefined) },
        mode: 'observe',
        app: { label: labels[i]!, signOnMode: 'SAML_2_0' },
        provisioning: {},
        assignments: { mode: 'observe', users: [], groups: [] },
        pushGroups: { mode: 'observe', groups: [] },
        attributes: { mode: 'observe', carry: [] },
      }),
    ),
  };
}

/** The label to export; undefined when the Spoke has no Org2Org app at all (and none was named). */
async function pickLabel(s: ExportSpokeSource, label: string | undefined, onEvent?: (e: ReadEvent) => void): Promise<string | undefined> {
  const labels = await readOrg2OrgAppLabels(s.client, onEvent);
  if (label !== undefined) {
    if (labels.includes(label)) return label;
    const found = labels.map((l) => `"${l}"`).join(', ') || 'none';
    throw new Org2OrgError(`spoke ${s.name}: no okta_org2org app labelled "${label}" (found: ${found}); pass --label with one of them`);
  }
  // The oldest app, the one the console shows first.
  return labels[0];
}

/**
 * An OAuth 2.0 connection's Hub service app looks org2org-managed when it carries the name org2org
 * gives the ones it manages; then its scopes and roles are what the config will keep.
 */
async function managedServiceApp(
  hub: OktaClient,
  spoke: string,
  connection: LiveSpoke['connection'],
  notes: LiveState['readProblems'],
): Promise<{ scopes: string[]; roles: string[] } | undefined> {
  if (connection?.authScheme !== 'OAUTH2' || !connection.clientId) return undefined;
  try {
    const app = await readHubServiceApp(hub, connection.clientId);
    if (!app || app.name !== managedServiceAppName(spoke)) return undefined;
    return { scopes: app.grants.map((g) => g.scopeId), roles: app.roles.map((r) => r.type) };
  } catch (err) {
    if (!(err instanceof OktaApiError)) throw err;
    notes.push({
      spoke,
      severity: 'warning',
      message: `the Hub's service app ${connection.clientId} could not be read (${err.errorSummary ?? err.status}): exported with its clientId, not as org2org-managed`,
    });
    return undefined;
  }
}
