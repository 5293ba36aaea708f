/**
 * What carrying attributes to the Hub needs to know, read only for Spokes whose config carries
 * attributes (so every other plan costs no call more): the Spoke's user schema (the attributes a
 * source expression may read, with their types), its "Okta User → app" profile mapping (one
 * list call narrowed by `targetId`, one GET for the properties the list leaves out, as recorded),
 * and the Hub's user schema (one GET). The app-user schema is read anyway (normalizeAppUserSchema).
 */
import type { DesiredSpoke } from '../config/types.js';
import { OktaApiError } from '../okta/errors.js';
import type { OktaClient } from '../okta/types.js';
import { fingerprintOf } from './fingerprint.js';
import { readAll, startRead, type ReadEventSink } from './read-directory.js';
import type { LiveAttributeMapping, LiveUserSchema } from './types.js';

type Json = Record<string, unknown>;

/** Whether a Spoke's plan needs the attribute reads: it carries some, or owns or observes the mapping's others. */
export function carriesAttributes(spoke: DesiredSpoke): boolean {
  // observe reads too: export reads every Spoke so, to write what it carries.
  return spoke.attributes.carry.length > 0 || spoke.attributes.mode !== 'additive';
}

function obj(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

/** A user schema (`/api/v1/meta/schemas/user/default`): every attribute's type, and which are Okta's base ones. */
export function normalizeUserSchema(schema: Json): LiveUserSchema {
  const definitions = obj(schema.definitions);
  const base = obj(obj(definitions.base).properties);
  const custom = obj(obj(definitions.custom).properties);
  const types: Record<string, string> = {};
  for (const [name, p] of Object.entries({ ...custom, ...base }))
    types[name] = typeof obj(p).type === 'string' ? String(obj(p).type) : 'unknown';
  return { types: sortKeys(types), base: Object.keys(base).sort() };
}

export async function readUserSchema(client: OktaClient, what: string, onEvent: ReadEventSink | undefined): Promise<LiveUserSchema> {
  const read = startRead(client.org, what, onEvent);
  const body = await client.get<Json>('/api/v1/meta/schemas/user/default');
  read.done(1);
  return normalizeUserSchema(body);
}

/**
 * The app's "Okta User → app" mapping: the mapping whose target is the app and whose source is
 * the org's default user type (`type: user`, `name: user`; the spec's Org2Org example). null when
 * Okta lists none (not yet made for a new app).
 */
export async function readAttributeMapping(
  client: OktaClient,
  appId: string,
  onEvent: ReadEventSink | undefined,
): Promise<LiveAttributeMapping | null> {
  const list = await readAll<Json>(client, '/api/v1/mappings', { targetId: appId, limit: '200' }, 'profile mappings', onEvent);
  const fromUsers = list.filter((m) => obj(m.source).type === 'user' && obj(m.target).id === appId);
  const chosen = fromUsers.find((m) => obj(m.source).name === 'user') ?? fromUsers[0];
  if (!chosen) return null;
  const read = startRead(client.org, 'profile mapping', onEvent);
  let body: Json;
  try {
    body = await client.get<Json>(`/api/v1/mappings/${encodeURIComponent(String(chosen.id))}`);
  } catch (err) {
    if (err instanceof OktaApiError && err.status === 404) {
      read.done(0);
      return null;
    }
    throw err;
  }
  read.done(1);
  return normalizeAttributeMapping(body);
}

export function normalizeAttributeMapping(body: Json): LiveAttributeMapping {
  const properties: LiveAttributeMapping['properties'] = {};
  for (const [name, p] of Object.entries(obj(body.properties)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const expression = typeof obj(p).expression === 'string' ? String(obj(p).expression) : '';
    const pushStatus = typeof obj(p).pushStatus === 'string' ? String(obj(p).pushStatus) : 'DONT_PUSH';
    properties[name] = { expression, pushStatus, fingerprint: fingerprintOf({ expression, pushStatus }) };
  }
  return { id: String(body.id), sourceId: String(obj(body.source).id ?? ''), properties };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
