/**
 * buildExportDocument: what was observed → a config file, as a `yaml` Document with comments.
 * Pure (no I/O, no clock: the timestamp comes in `ExportInput.generatedAt`), deterministic
 * (lists arrive sorted from the reader and are sorted again here; keys in a fixed order), so
 * two exports of the same orgs differ only in the header's timestamp line.
 */
import { DEFAULT_SERVICE_APP_ROLES, DEFAULT_SERVICE_APP_SCOPES } from '../config/types.js';
import { Document, isMap, isSeq, type Pair, type YAMLMap, type YAMLSeq, type Scalar } from 'yaml';
import { compareKeys } from '../plan/pair.js';
import type { ExportInput, ObservedSpoke } from './types.js';

export const HUB_PROVISIONING_TOKEN_VAR = 'OKTA_HUB_PROVISIONING_TOKEN';
export const HUB_READ_TOKEN_VAR = 'OKTA_HUB_READ_TOKEN';

/** `OKTA_<NAME>_TOKEN`, upper-case, `-` → `_`. */
export function spokeTokenVar(spoke: string): string {
  return `OKTA_${spoke.toUpperCase().replace(/-/g, '_')}_TOKEN`;
}

export interface RenderOptions {
  /**
   * The schema as the file should refer to it (relative to the file), for editors' completion;
   * null when none resolves where the file goes (then the header says how to get one). Default
   * `./schemas/org2org.schema.json`.
   */
  schemaRef?: string | null;
}

export function buildExportDocument(unsorted: ExportInput, options: RenderOptions = {}): Document {
  const input = { ...unsorted, spokes: [...unsorted.spokes].sort((a, b) => compareKeys(a.name, b.name)) };
  const doc = new Document(configObject(input));
  doc.commentBefore = headerComment(input, options.schemaRef === undefined ? './schemas/org2org.schema.json' : options.schemaRef);
  const spokes = doc.get('spokes') as unknown as YAMLSeq<YAMLMap>;
  input.spokes.forEach((spoke, i) => annotateSpoke(spokes.items[i]!, spoke));
  if (input.withoutApp && input.withoutApp.length > 0) doc.comment = stubComment(input.withoutApp);
  return doc;
}

/** Spokes without an Org2Org app, as entries to uncomment under `spokes:` once the app should be managed. */
function stubComment(spokes: NonNullable<ExportInput['withoutApp']>): string {
  const lines: string[] = [];
  for (const s of spokes) {
    lines.push(
      ` Spoke ${s.name} (${s.url}) has no Org2Org app yet, so nothing was exported for it.`,
      ' To have org2org create and manage it, move this entry under spokes: and uncomment it:',
      `   - name: ${s.name}`,
      `     url: ${s.url}`,
      `     auth: { token: "\${${s.tokenVar}}" }`,
      '     app: { label: Acme Hub }   # the label the app should have',
      '',
    );
  }
  return lines.join('\n').trimEnd();
}

/** The file's text. `lineWidth: 0`: long values (expressions, labels) are never folded. */
export function renderExport(input: ExportInput, options: RenderOptions = {}): string {
  return buildExportDocument(input, options).toString({ lineWidth: 0, flowCollectionPadding: true });
}

function headerComment(input: ExportInput, schemaRef: string | null): string {
  const lines = [
    schemaRef === null
      ? ' For completion in editors, `org2org init` in this directory copies the schema to ./schemas/ (and adds CI workflows).'
      : ` yaml-language-server: $schema=${schemaRef}`,
    ' Written by `org2org export` from the live orgs; review it, then commit it.',
    ` Exported at: ${input.generatedAt}`,
    ` Hub: ${input.hubUrl}`,
    ...input.spokes.map((s) => ` Spoke ${s.name}: ${s.url} (app "${s.app.label}")`),
    '',
    ' Assignments and push groups are `mode: authoritative`: the lists below are exactly what is',
    ' live, so the first `org2org plan` shows no changes, and from then on the file is the whole',
    ' truth. Deleting a line is a reviewed unassignment (or push removal), and anything added in the',
    ' console later shows up in the plan as a removal instead of going unnoticed. `additive` would',
    ' hide such drift and make removals impossible to express; switch a list to it if you want that.',
    ' Users assigned through a group (scope GROUP) are not listed: they follow their group assignment.',
  ];
  return lines.join('\n');
}

function configObject(input: ExportInput): Record<string, unknown> {
  return {
    version: 1,
    hub: {
      url: input.hubUrl,
      ...(input.hubReadTokenVar ? { auth: { token: `\${${input.hubReadTokenVar}}` } } : {}),
    },
    spokes: input.spokes.map(spokeObject),
  };
}

export function spokeObject(s: ObservedSpoke): Record<string, unknown> {
  const provisioning: Record<string, unknown> = {};
  if (s.toApp) {
    provisioning.toApp = {
      createUsers: s.toApp.createUsers,
      updateUserAttributes: s.toApp.updateUserAttributes,
      deactivateUsers: s.toApp.deactivateUsers,
      syncPassword: s.toApp.syncPassword === false ? false : { seed: s.toApp.syncPassword.seed, change: s.toApp.syncPassword.change },
    };
  }
  provisioning.toOkta = {
    profileSourcing: s.profileSourcing,
    ...(s.toOktaImport && Object.keys(s.toOktaImport).length > 0 ? { import: s.toOktaImport } : {}),
  };

  const users = [...s.users].sort((a, b) => compareKeys(a.login.toLowerCase(), b.login.toLowerCase()));
  const groups = [...s.groups].sort((a, b) => compareKeys(a.name, b.name));
  const pushed = [...s.pushMappings].sort((a, b) => compareKeys(a.name, b.name));

  return {
    name: s.name,
    url: s.url,
    auth: { token: `\${${s.tokenVar}}` },
    app: { label: s.app.label, ...(s.app.signOnMode !== undefined ? { signOnMode: s.app.signOnMode } : {}) },
    ...(s.connection ? { connection: connectionObject(s) } : {}),
    provisioning,
    assignments: {
      mode: 'authoritative',
      users: users.map((u) => ({
        login: u.login,
        ...(u.initialStatus ? { initialStatus: u.initialStatus } : {}),
        ...(u.securityQuestion ? { securityQuestion: u.securityQuestion } : {}),
        ...(Object.keys(u.profile).length > 0 ? { profile: sortedRecord(u.profile) } : {}),
      })),
      groups: groups.map((g) => ({
        name: g.name,
        ...(g.priority !== undefined ? { priority: g.priority } : {}),
        ...(Object.keys(g.profile).length > 0 ? { profile: sortedRecord(g.profile) } : {}),
      })),
    },
    pushGroups: {
      mode: 'authoritative',
      groups: pushed.map((m) => ({
        name: m.name,
        ...(m.targetName !== undefined && m.targetName !== m.name ? { targetName: m.targetName } : {}),
        ...(m.link === true ? { link: true } : {}),
        ...(m.status === 'INACTIVE' ? { status: 'INACTIVE' } : {}),
      })),
    },
    ...(s.attributes && s.attributes.length > 0
      ? {
          attributes: {
            mode: 'authoritative',
            carry: s.attributes.map((a) => ({
              name: a.name,
              source: a.source,
              ...(a.push === 'DONT_PUSH' ? { push: 'DONT_PUSH' } : {}),
              ...(a.type !== 'string' ? { type: a.type } : {}),
            })),
          },
        }
      : {}),
  };
}

function connectionObject(s: ObservedSpoke): Record<string, unknown> {
  const c = s.connection!;
  const enabled = c.enabled ? {} : { enabled: false };
  if (c.authScheme === 'TOKEN') return { authScheme: 'TOKEN', token: `\${${HUB_PROVISIONING_TOKEN_VAR}}`, ...enabled };
  if (c.managed) {
    // Only what differs from the defaults is written; an empty list can't be configured, so it is left to the defaults.
    const differs = (list: string[], defaults: string[]): boolean =>
      list.length > 0 && [...list].sort().join() !== [...defaults].sort().join();
    return {
      authScheme: 'OAUTH2',
      hubServiceApp: 'managed',
      rotationMode: c.rotationMode,
      ...(differs(c.managed.scopes, DEFAULT_SERVICE_APP_SCOPES) ? { scopes: c.managed.scopes } : {}),
      ...(differs(c.managed.roles, DEFAULT_SERVICE_APP_ROLES) ? { roles: c.managed.roles } : {}),
      ...enabled,
    };
  }
  return { authScheme: 'OAUTH2', clientId: c.clientId, rotationMode: c.rotationMode, ...enabled };
}

function sortedRecord(r: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => compareKeys(a, b)));
}

/** Comments that say what the file can't: write-only values and what couldn't be told. */
function annotateSpoke(node: YAMLMap, s: ObservedSpoke): void {
  if (s.notes.length > 0) node.commentBefore = s.notes.map((n) => ` note: ${n}`).join('\n');

  const connection = childOf(node, 'connection');
  if (isMap(connection)) {
    const token = pairOf(connection, 'token');
    if (token) {
      (token.value as Scalar).comment =
        ` write-only in Okta: can't be read back; set ${HUB_PROVISIONING_TOKEN_VAR} to the Hub token this connection uses`;
    }
  } else {
    const auth = pairOf(node, 'auth');
    if (auth) {
      (auth.value as YAMLMap).comment = ' connection: not configured on the app (authScheme UNKNOWN), so it is left unmanaged';
    }
  }

  const assignments = childOf(node, 'assignments') as YAMLMap;
  const users = childOf(assignments, 'users') as YAMLSeq<YAMLMap>;
  const notes: string[] = [];
  if (s.groupScopeUsers > 0) notes.push(` ${s.groupScopeUsers} more users are assigned through groups (scope GROUP) and are not listed.`);
  if (s.users.some((u) => u.securityQuestion)) {
    notes.push(
      " Security answers are write-only in Okta and can't be read back: none is exported. Leaving",
      ' securityAnswer out keeps the live answers; add `securityAnswer: ${VAR}` to set one.',
    );
  }
  if (!s.attributeNames.initialStatus) notes.push(' The app-user schema has no initialStatus attribute: statuses could not be read.');
  const usersPair = pairOf(assignments, 'users');
  if (usersPair && notes.length > 0) (usersPair.key as Scalar).commentBefore = notes.join('\n');
  for (const item of users.items) item.flow = true;
  for (const item of (childOf(assignments, 'groups') as YAMLSeq<YAMLMap>).items) item.flow = true;

  const push = childOf(node, 'pushGroups') as YAMLMap;
  const pushGroups = childOf(push, 'groups');
  if (isSeq(pushGroups)) {
    (pushGroups.items as YAMLMap[]).forEach((item, i) => {
      item.flow = true;
      const m = [...s.pushMappings].sort((a, b) => compareKeys(a.name, b.name))[i]!;
      if (m.targetName !== undefined && m.link === undefined)
        item.comment = ' link unknown: the Hub group has no creation time to compare with the mapping';
    });
    const groupsPair = pairOf(push, 'groups');
    if (groupsPair && s.pushMappings.length > 0) {
      (groupsPair.key as Scalar).commentBefore =
        ' `link: true`: the Hub group existed before its push mapping (it was linked, not created).' +
        '\n It only matters if a mapping is ever recreated; absent means the mapping created its Hub group.';
    }
  }
}

function childOf(map: YAMLMap, key: string): unknown {
  return pairOf(map, key)?.value;
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (p.key as Scalar)?.value === key) as Pair | undefined;
}
