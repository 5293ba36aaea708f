/**
 * Okta's JSON → LiveState pieces. Pure: each function takes what one endpoint answered and
 * keeps what the planner compares (ids where apply needs them); timestamps and `_links` are
 * dropped, so an object's fingerprint changes only when something that matters changes.
 */
import type { AppUserAttributeNames } from '../config/types.js';
import { fingerprintOf, withFingerprint } from './fingerprint.js';
import type {
  LiveApp,
  LiveAppGroup,
  LiveAppUser,
  LiveAppUserSchema,
  LiveConnection,
  LiveToOkta,
  LivePushMapping,
  LiveToApp,
} from './types.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const enabled = (v: unknown): boolean => obj(v).status === 'ENABLED';

export function normalizeApp(app: Json): LiveApp {
  const features = Array.isArray(app.features) ? app.features.filter((f): f is string => typeof f === 'string').sort() : [];
  return withFingerprint({
    id: String(app.id),
    label: str(app.label) ?? '',
    status: str(app.status) ?? 'UNKNOWN',
    signOnMode: str(app.signOnMode) ?? '',
    baseUrl: str(obj(obj(app.settings).app).baseUrl) ?? '',
    features,
  });
}

export function normalizeConnection(connection: Json): LiveConnection {
  const profile = obj(connection.profile);
  const rotationMode = str(obj(profile.signing).rotationMode);
  const clientId = str(profile.clientId);
  return withFingerprint({
    authScheme: str(profile.authScheme) ?? str(connection.authScheme) ?? 'UNKNOWN',
    status: str(connection.status) ?? 'UNKNOWN',
    ...(rotationMode !== undefined ? { rotationMode } : {}),
    ...(clientId !== undefined && clientId !== '' ? { clientId } : {}),
  });
}

/** USER_PROVISIONING capabilities in the console's words (the Features API's capabilities). */
export function normalizeToApp(feature: Json): LiveToApp {
  const caps = obj(feature.capabilities);
  const update = obj(caps.update);
  const password = obj(update.password);
  return withFingerprint({
    createUsers: enabled(obj(caps.create).lifecycleCreate),
    updateUserAttributes: enabled(update.profile),
    deactivateUsers: enabled(update.lifecycleDeactivate),
    syncPassword: enabled(password)
      ? { seed: str(password.seed) ?? 'RANDOM', change: str(password.change) ?? 'KEEP_EXISTING' }
      : (false as const),
  });
}

/** INBOUND_PROVISIONING capabilities in the config's vocabulary (ToOktaImport). */
export function normalizeToOkta(feature: Json): LiveToOkta {
  const caps = obj(feature.capabilities);
  const settings = obj(caps.importSettings);
  const importPart: LiveToOkta['import'] = {};
  const schedule = obj(settings.schedule);
  if (str(schedule.status) !== undefined) {
    const cron = (v: unknown): { expression: string; timezone?: string } | undefined => {
      const o = obj(v);
      const expression = str(o.expression);
      if (expression === undefined) return undefined;
      const timezone = str(o.timezone);
      return timezone !== undefined ? { expression, timezone } : { expression };
    };
    const full = cron(schedule.fullImport);
    const incremental = cron(schedule.incrementalImport);
    importPart.schedule = {
      status: String(schedule.status),
      ...(full ? { fullImport: full } : {}),
      ...(incremental ? { incrementalImport: incremental } : {}),
    };
  }
  const username = obj(settings.username);
  // Every recorded answer and spec example says userNameFormat; only the spec's schema says
  // usernameFormat, so that spelling is read too, in case some org answers with it.
  const format = str(username.userNameFormat) ?? str(username.usernameFormat);
  if (format !== undefined) {
    const expression = str(username.userNameExpression);
    importPart.username = { userNameFormat: format, ...(expression !== undefined ? { userNameExpression: expression } : {}) };
  }
  const rules = obj(obj(caps.importRules).userCreateAndMatch);
  const match: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(rules)) {
    if (typeof value === 'string' || typeof value === 'boolean') match[key] = value;
  }
  if (Object.keys(match).length > 0) importPart.match = match;
  return withFingerprint({ import: importPart });
}

/** Conventional attribute names, looked for when the config names none. */
const CANDIDATES: Record<keyof AppUserAttributeNames, string[]> = {
  initialStatus: ['initialStatus'],
  securityQuestion: ['securityQuestion', 'recoveryQuestion', 'security_question'],
  securityAnswer: ['securityAnswer', 'recoveryAnswer', 'security_answer'],
};

/**
 * The app-user schema's attributes, from `definitions.base` (where Okta keeps an app's own
 * attributes: every recorded app-user schema does) and `definitions.custom` (what admins add);
 * a name in both is read from base. initialStatus is recognised by name or, failing that, by its
 * enum of the four Org2Org values; the security attributes by their usual names.
 */
export function normalizeAppUserSchema(schema: Json): LiveAppUserSchema {
  const definitions = obj(schema.definitions);
  const properties: Json = { ...obj(obj(definitions.custom).properties), ...obj(obj(definitions.base).properties) };
  const attributes = Object.keys(properties).sort();
  const find = (key: keyof AppUserAttributeNames): string | undefined => CANDIDATES[key].find((n) => n in properties);
  let initialStatus = find('initialStatus');
  if (initialStatus === undefined) {
    initialStatus = attributes.find((name) => {
      const values = obj(properties[name]).enum;
      return Array.isArray(values) && values.includes('active_with_pass');
    });
  }
  const values = initialStatus !== undefined ? obj(properties[initialStatus]).enum : undefined;
  const custom: NonNullable<LiveAppUserSchema['custom']> = {};
  const base = obj(obj(definitions.base).properties);
  for (const [name, p] of Object.entries(obj(obj(definitions.custom).properties)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // A base attribute wins over a custom one of the same name (as above).
    if (Object.hasOwn(base, name)) continue;
    const type = typeof obj(p).type === 'string' ? String(obj(p).type) : 'unknown';
    custom[name] = { type, fingerprint: fingerprintOf({ type }) };
  }
  const result: LiveAppUserSchema = {
    initialStatusValues: Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [],
    attributes,
  };
  // Only when there are some: states read before attributes were carried have none.
  if (Object.keys(custom).length > 0) result.custom = custom;

  const securityQuestion = find('securityQuestion');
  const securityAnswer = find('securityAnswer');
  if (initialStatus !== undefined) result.initialStatus = initialStatus;
  if (securityQuestion !== undefined) result.securityQuestion = securityQuestion;
  if (securityAnswer !== undefined) result.securityAnswer = securityAnswer;
  return result;
}

/**
 * An app user from `GET /apps/{id}/users?expand=user`. The login comes from the embedded Okta
 * user (the app user's `credentials.userName` follows the app's username template and may differ).
 * `names`: which profile attributes hold initialStatus and the security question; the answer is
 * write-only and dropped whatever Okta sends.
 */
export function normalizeAppUser(appUser: Json, names: Partial<AppUserAttributeNames>): LiveAppUser {
  const embedded = obj(obj(appUser._embedded).user);
  const login = str(obj(embedded.profile).login) ?? str(obj(appUser.credentials).userName) ?? String(appUser.id);
  const source = obj(appUser.profile);
  const text = (name: string | undefined): string | undefined => (name === undefined ? undefined : str(source[name]));
  const initialStatus = text(names.initialStatus);
  const securityQuestion = text(names.securityQuestion);
  // The other attributes, copied rather than deleted from a copy: `delete` leaves 50,000 objects
  // in V8's slower, larger dictionary form.
  const profile: Json = {};
  for (const key in source) {
    if (key === names.initialStatus || key === names.securityQuestion || key === names.securityAnswer || !Object.hasOwn(source, key))
      continue;
    // Okta can return an answer or a secret in clear text: never kept (see isSecretLike).
    if (isSecretLike(key)) continue;
    profile[key] = source[key];
  }
  const lower = login.toLowerCase();
  const user = {
    userId: String(appUser.id),
    login,
    // One string when the login is lowercase already (the usual case), not two equal ones.
    loginKey: lower === login ? login : lower,
    scope: shared(str(appUser.scope) ?? 'USER'),
    status: shared(str(appUser.status) ?? 'UNKNOWN'),
    profile,
  } as LiveAppUser;
  const syncState = str(appUser.syncState);
  const externalId = str(appUser.externalId);
  const errorSummary = str(appUser.errorSummary);
  if (syncState !== undefined) user.syncState = shared(syncState);
  if (externalId !== undefined) user.externalId = externalId;
  if (errorSummary !== undefined) user.errorSummary = errorSummary;
  if (initialStatus !== undefined) user.initialStatus = shared(initialStatus);
  if (securityQuestion !== undefined) user.securityQuestion = securityQuestion;
  return withFingerprint(user);
}

/**
 * One copy of each short value that repeats across objects (statuses, scopes): JSON.parse makes
 * a new string per occurrence, 50,000 copies of "PROVISIONED" on a large Spoke.
 */
const SHARED = new Map<string, string>();
export function shared(value: string): string {
  if (value.length > 32) return value;
  let one = SHARED.get(value);
  if (one === undefined) {
    if (SHARED.size >= 1000) return value;
    SHARED.set(value, (one = value));
  }
  return one;
}

/**
 * Profile attributes whose values are never kept: named like an answer, password or secret, or
 * the schema's security-answer attribute. Okta can return them in clear text (the spec's
 * EmbeddedGroupAssignmentSampleResponse carries a group's securityAnswer), and nothing read from
 * Okta that looks secret may reach a plan, a comment, a plan file or an export.
 */
const SECRET_LIKE = /answer|passw|passwd|pwd|secret|token|private.?key|passphrase|credential/i;

export function isSecretLike(attribute: string): boolean {
  return SECRET_LIKE.test(attribute);
}

function withoutSecrets(profile: Json, schemaAnswer: string | undefined): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(profile)) {
    if (key === schemaAnswer || isSecretLike(key)) continue;
    out[key] = value;
  }
  return out;
}

/** An app group; its name is not in Okta's answer and comes from the Spoke's group directory. */
export function normalizeAppGroup(appGroup: Json, name: string, securityAnswer?: string): LiveAppGroup {
  const priority = typeof appGroup.priority === 'number' ? appGroup.priority : undefined;
  return withFingerprint({
    groupId: String(appGroup.id),
    name,
    ...(priority !== undefined ? { priority } : {}),
    profile: withoutSecrets(obj(appGroup.profile), securityAnswer),
  } as LiveAppGroup);
}

export function normalizePushMapping(mapping: Json, names: { source?: string; target?: string }): LivePushMapping {
  const m: Record<string, unknown> = {
    id: String(mapping.id),
    sourceGroupId: String(mapping.sourceGroupId),
    status: str(mapping.status) ?? 'UNKNOWN',
  };
  if (names.source !== undefined) m.sourceGroupName = names.source;
  if (str(mapping.targetGroupId) !== undefined) m.targetGroupId = mapping.targetGroupId;
  if (names.target !== undefined) m.targetGroupName = names.target;
  if (str(mapping.errorSummary) !== undefined) m.errorSummary = mapping.errorSummary;
  // lastPush moves on every push without the mapping changing, and created never changes:
  // both are kept for display and export, not fingerprinted.
  const fingerprinted = withFingerprint(m as unknown as LivePushMapping);
  const lastPush = str(mapping.lastPush);
  const created = str(mapping.created);
  return { ...fingerprinted, ...(lastPush !== undefined ? { lastPush } : {}), ...(created !== undefined ? { created } : {}) };
}
