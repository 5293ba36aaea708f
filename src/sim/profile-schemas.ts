/**
 * Profile schemas and profile mappings as Okta keeps them: every org has a user schema
 * (`/api/v1/meta/schemas/user/default`: Okta's base attributes plus what admins add in
 * `definitions.custom`), every app an app-user schema, and every Org2Org app two profile mappings
 * (`/api/v1/mappings`): "Okta User → app" (source the org's default user type, target the app) and
 * "app → Okta User". A mapping's properties are keyed by the TARGET attribute, each with an Okta
 * Expression Language expression over the source (`user.department`) and a pushStatus: PUSH
 * applies on create and on every update, DONT_PUSH on create only (the spec's words).
 * Facts (recorded in the Terraform provider's cassettes, see docs/okta-fidelity.md): a schema
 * POST merges `definitions.custom.properties` (a property given `null` is removed) and answers
 * the whole schema with 200; a mapping POST merges `properties` the same way (`null`, or the
 * spec's `{expression: null, pushStatus: null}`, removes one) and answers the whole mapping;
 * the mapping list has no `properties` (only a GET of one mapping has them).
 */
import type { SimApp, SimAppUser, SimOrg, SimUser } from './org-state.js';
import { ElError, evaluate, parseEl, references } from './okta-el.js';
import { invalid } from './router.js';

export type SchemaProperty = Record<string, unknown>;

export interface SimProfileMapping {
  id: string;
  seq: number;
  source: { id: string; name: string; type: 'user' | 'appuser' };
  target: { id: string; name: string; type: 'user' | 'appuser' };
  properties: Record<string, { expression: string; pushStatus: 'PUSH' | 'DONT_PUSH' }>;
}

const PERMISSIONS = [{ principal: 'SELF', action: 'READ_ONLY' }];

/** Okta's base user attributes (recorded: TestAccResourceOktaUserSchema_enum_string, all strings). */
const BASE_USER_ATTRIBUTES: [name: string, title: string, extra?: SchemaProperty][] = [
  ['login', 'Username', { required: true, minLength: 5, maxLength: 100 }],
  ['firstName', 'First name', { required: true, minLength: 1, maxLength: 50 }],
  ['lastName', 'Last name', { required: true, minLength: 1, maxLength: 50 }],
  ['middleName', 'Middle name'],
  ['honorificPrefix', 'Honorific prefix'],
  ['honorificSuffix', 'Honorific suffix'],
  ['email', 'Primary email', { required: true, format: 'email' }],
  ['title', 'Title'],
  ['displayName', 'Display name'],
  ['nickName', 'Nickname'],
  ['profileUrl', 'Profile Url', { format: 'uri' }],
  ['secondEmail', 'Secondary email', { format: 'email' }],
  ['mobilePhone', 'Mobile phone', { maxLength: 100 }],
  ['primaryPhone', 'Primary phone', { maxLength: 100 }],
  ['streetAddress', 'Street address'],
  ['city', 'City'],
  ['state', 'State'],
  ['zipCode', 'Zip code'],
  ['countryCode', 'Country code', { format: 'country-code' }],
  ['postalAddress', 'Postal Address'],
  ['preferredLanguage', 'Preferred language', { format: 'language-code' }],
  ['locale', 'Locale', { format: 'locale' }],
  ['timezone', 'Time zone', { format: 'timezone' }],
  ['userType', 'User type'],
  ['employeeNumber', 'Employee number'],
  ['costCenter', 'Cost center'],
  ['organization', 'Organization'],
  ['division', 'Division'],
  ['department', 'Department'],
  ['managerId', 'ManagerId'],
  ['manager', 'Manager'],
];

function baseUserProperties(): Record<string, SchemaProperty> {
  const out: Record<string, SchemaProperty> = {};
  for (const [name, title, extra] of BASE_USER_ATTRIBUTES) {
    out[name] = {
      title,
      type: 'string',
      ...extra,
      mutability: 'READ_WRITE',
      scope: 'NONE',
      permissions: PERMISSIONS,
      master: { type: 'PROFILE_MASTER' },
    };
  }
  return out;
}

export function userSchemaJson(org: SimOrg): Record<string, unknown> {
  return {
    id: `${org.url}/meta/schemas/user/default`,
    $schema: 'http://json-schema.org/draft-04/schema#',
    name: 'user',
    title: 'User',
    description: 'Okta user profile template with default permission settings',
    lastUpdated: org.userSchemaUpdated,
    created: org.userSchemaUpdated,
    definitions: {
      custom: { id: '#custom', type: 'object', properties: structuredClone(org.userSchemaCustom), required: [] },
      base: { id: '#base', type: 'object', properties: baseUserProperties(), required: ['login', 'firstName', 'lastName', 'email'] },
    },
    type: 'object',
    properties: { profile: { allOf: [{ $ref: '#/definitions/custom' }, { $ref: '#/definitions/base' }] } },
  };
}

/** Every attribute of an org's user profile (base and custom) with its type. */
export function userAttributeTypes(org: SimOrg): Map<string, string> {
  const types = new Map<string, string>(BASE_USER_ATTRIBUTES.map(([name]) => [name, 'string']));
  for (const [name, p] of Object.entries(org.userSchemaCustom)) types.set(name, String(p.type));
  return types;
}

const TYPES = new Set(['string', 'boolean', 'number', 'integer', 'array']);

/**
 * A schema POST's `definitions.custom.properties`, merged into `custom`: a property given null
 * is removed, any other replaces the one of that name. Base attributes can't be added or removed
 * here (the simulator ignores `definitions.base`: org2org never writes it). Okta requires a title
 * and a type for a new property (spec: UserSchemaAttribute).
 */
export function mergeCustomProperties(custom: Record<string, SchemaProperty>, body: Record<string, unknown>, base: Set<string>): string[] {
  const definitions = body.definitions as Record<string, unknown> | undefined;
  const given = (definitions?.custom as Record<string, unknown> | undefined)?.properties;
  if (given === undefined) return [];
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw invalid('definitions', ['definitions.custom.properties: must be an object']);
  }
  const causes: string[] = [];
  for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
    if (value === null) continue;
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) causes.push(`${name}: Variable name is invalid`);
    else if (base.has(name)) causes.push(`${name}: An attribute with this variable name already exists in the base schema`);
    const p = value as SchemaProperty;
    if (typeof value !== 'object' || Array.isArray(value)) causes.push(`${name}: must be an object`);
    else {
      if (typeof p.title !== 'string' || p.title === '') causes.push(`${name}.title: The field cannot be left blank`);
      if (!TYPES.has(String(p.type))) causes.push(`${name}.type: must be one of ${[...TYPES].join(', ')}`);
    }
  }
  if (causes.length > 0) throw invalid('definitions', causes);
  const changed: string[] = [];
  for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
    if (value === null) {
      if (Object.hasOwn(custom, name)) {
        delete custom[name];
        changed.push(name);
      }
    } else {
      custom[name] = { scope: 'NONE', permissions: PERMISSIONS, master: { type: 'PROFILE_MASTER' }, ...(value as SchemaProperty) };
      changed.push(name);
    }
  }
  return changed;
}

/** The two mappings Okta makes with an Org2Org app; the Okta User → app one starts without custom attributes. */
export function addAppMappings(org: SimOrg, app: SimApp): void {
  const user = { id: org.userTypeId, name: 'user', type: 'user' as const };
  const appEnd = { id: app.id, name: app.name, type: 'appuser' as const };
  org.mappings.add({ id: org.newId('prm'), seq: 0, source: user, target: appEnd, properties: {} });
  org.mappings.add({ id: org.newId('prm'), seq: 0, source: appEnd, target: user, properties: {} });
}

/** The "Okta User → app" mapping of an app. */
export function toAppMapping(org: SimOrg, app: SimApp): SimProfileMapping | undefined {
  return org.mappings.values().find((m) => m.source.type === 'user' && m.target.id === app.id);
}

export function mappingJson(org: SimOrg, m: SimProfileMapping, withProperties: boolean): Record<string, unknown> {
  const end = (e: SimProfileMapping['source']): Record<string, unknown> => ({
    id: e.id,
    name: e.name,
    type: e.type,
    _links:
      e.type === 'user'
        ? {
            self: { href: `${org.url}/api/v1/meta/types/user/${e.id}` },
            schema: { href: `${org.url}/api/v1/meta/schemas/user/osc${e.id.slice(3)}` },
          }
        : {
            self: { href: `${org.url}/api/v1/apps/${e.id}` },
            schema: { href: `${org.url}/api/v1/meta/schemas/apps/${e.id}/default` },
          },
  });
  return {
    id: m.id,
    source: end(m.source),
    target: end(m.target),
    ...(withProperties ? { properties: structuredClone(m.properties) } : {}),
    _links: { self: { href: `${org.url}/api/v1/mappings/${m.id}` } },
  };
}

/**
 * A mapping POST's `properties`, merged: a property given null (recorded) or with a null
 * expression (the spec's example) is removed; the others are added or replaced, after checking
 * that the target has the attribute and the expression reads only attributes its source has.
 */
export function mergeMappingProperties(
  m: SimProfileMapping,
  body: Record<string, unknown>,
  sourceAttributes: Set<string>,
  targetAttributes: Set<string>,
): void {
  const given = body.properties;
  if (given === null || typeof given !== 'object' || Array.isArray(given))
    throw invalid('properties', ['properties: The field cannot be left blank']);
  const causes: string[] = [];
  const sets: [string, { expression: string; pushStatus: 'PUSH' | 'DONT_PUSH' } | null][] = [];
  for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
    const p = value as Record<string, unknown> | null;
    if (p === null || p.expression === null) {
      sets.push([name, null]);
      continue;
    }
    if (!targetAttributes.has(name)) causes.push(`${name}: The target attribute does not exist in the target schema`);
    if (typeof p.expression !== 'string') {
      causes.push(`${name}.expression: The field cannot be left blank`);
      continue;
    }
    try {
      const refs = references(parseEl(p.expression));
      const wantObject = m.source.type === 'user' ? 'user' : 'appuser';
      for (const ref of refs) {
        if (ref.object !== wantObject || !sourceAttributes.has(ref.attribute)) {
          causes.push(`${name}.expression: Invalid property ${ref.object}.${ref.attribute} in expression ${p.expression}`);
        }
      }
    } catch (err) {
      if (!(err instanceof ElError)) throw err;
      causes.push(`${name}.expression: Invalid expression ${p.expression}: ${err.message}`);
    }
    const pushStatus = p.pushStatus ?? 'DONT_PUSH';
    if (pushStatus !== 'PUSH' && pushStatus !== 'DONT_PUSH') causes.push(`${name}.pushStatus: must be PUSH or DONT_PUSH`);
    sets.push([name, { expression: p.expression, pushStatus: pushStatus as 'PUSH' | 'DONT_PUSH' }]);
  }
  if (causes.length > 0) throw invalid('properties', causes);
  for (const [name, value] of sets) {
    if (value === null) delete m.properties[name];
    else m.properties[name] = value;
  }
}

/**
 * The app-user profile values the "Okta User → app" mapping gives a user: every property on
 * create, only PUSH ones on update. An expression that no longer evaluates gives nothing.
 */
export function mappedValues(org: SimOrg, app: SimApp, user: SimUser, on: 'create' | 'update'): Record<string, unknown> {
  const m = toAppMapping(org, app);
  if (!m) return {};
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(m.properties)) {
    if (on === 'update' && p.pushStatus !== 'PUSH') continue;
    if (!Object.hasOwn(app.userSchemaCustom, name)) continue;
    try {
      out[name] = evaluate(parseEl(p.expression), user.profile);
    } catch {
      // a mapping saved before its expression broke: Okta skips it (UNKNOWN)
    }
  }
  return out;
}

/**
 * What an Org2Org app user carries to its Hub user beyond the base attributes: the app-user
 * schema's custom attributes, under the same names. An attribute the Hub's user profile lacks is
 * dropped (what Okta does then is UNKNOWN: dropped or the push fails; org2org's plan and check
 * refuse that setup either way).
 */
export function carriedToHub(app: SimApp, au: SimAppUser, hub: SimOrg): Record<string, unknown> {
  const hubTypes = userAttributeTypes(hub);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(app.userSchemaCustom)) {
    if (Object.hasOwn(au.profile, name) && hubTypes.has(name)) out[name] = au.profile[name];
  }
  return out;
}

/** The base attributes' names (user schema). */
export function baseUserAttributeNames(): Set<string> {
  return new Set(BASE_USER_ATTRIBUTES.map(([name]) => name));
}
