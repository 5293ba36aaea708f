/**
 * Profile schemas and profile mappings (`/api/v1/meta/schemas/**`, `/api/v1/mappings/**`): what
 * org2org reads and writes to carry attributes from a Spoke's users to the Hub's (see
 * ./profile-schemas.ts for Okta's semantics and their sources).
 */
import type { SimApp } from './org-state.js';
import { nowIso } from './org-state.js';
import {
  baseUserAttributeNames,
  mappingJson,
  mergeCustomProperties,
  mergeMappingProperties,
  userAttributeTypes,
  userSchemaJson,
} from './profile-schemas.js';
import { notFound, objectBody, pageReply, type Reply, type RequestContext, type RouteSpec } from './router.js';
import { appUserSchemaJson } from './views.js';

function findApp(ctx: RequestContext): SimApp {
  const app = ctx.org.apps.get(ctx.params.appId!);
  if (!app) throw notFound(ctx.params.appId);
  return app;
}

/** Attribute names of an app's user profile (base and custom), as its schema lists them. */
function appUserAttributes(ctx: RequestContext, app: SimApp): Set<string> {
  const schema = appUserSchemaJson(ctx.org, app) as { definitions: Record<string, { properties: Record<string, unknown> }> };
  return new Set([...Object.keys(schema.definitions.base!.properties), ...Object.keys(schema.definitions.custom!.properties)]);
}

function updateAppUserSchema(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const body = objectBody(ctx);
  const schema = appUserSchemaJson(ctx.org, app) as { definitions: { base: { properties: Record<string, unknown> } } };
  const removed = mergeCustomProperties(app.userSchemaCustom, body, new Set(Object.keys(schema.definitions.base.properties)));
  // A mapping property whose target attribute is gone goes with it (UNKNOWN in Okta; the console does so).
  for (const name of removed) {
    if (Object.hasOwn(app.userSchemaCustom, name)) continue;
    for (const m of ctx.org.mappings.values()) if (m.target.id === app.id) delete m.properties[name];
  }
  app.lastUpdated = nowIso();
  return { status: 200, body: appUserSchemaJson(ctx.org, app) };
}

function updateUserSchema(ctx: RequestContext): Reply {
  const removed = mergeCustomProperties(ctx.org.userSchemaCustom, objectBody(ctx), baseUserAttributeNames());
  for (const name of removed) {
    if (Object.hasOwn(ctx.org.userSchemaCustom, name)) continue;
    for (const m of ctx.org.mappings.values()) if (m.target.type === 'user') delete m.properties[name];
  }
  ctx.org.userSchemaUpdated = nowIso();
  return { status: 200, body: userSchemaJson(ctx.org) };
}

function listMappings(ctx: RequestContext): Reply {
  const sourceId = ctx.query.get('sourceId');
  const targetId = ctx.query.get('targetId');
  const match =
    sourceId !== null || targetId !== null
      ? (m: { source: { id: string }; target: { id: string } }): boolean =>
          (sourceId === null || m.source.id === sourceId) && (targetId === null || m.target.id === targetId)
      : undefined;
  // Spec: limit default 20, maximum 200; the list has no properties (recorded).
  return pageReply(ctx, ctx.org.mappings, { fallback: 20, cap: 200 }, (m) => mappingJson(ctx.org, m, false), match);
}

function getMapping(ctx: RequestContext): Reply {
  const m = ctx.org.mappings.get(ctx.params.mappingId!);
  if (!m) throw notFound(ctx.params.mappingId);
  return { status: 200, body: mappingJson(ctx.org, m, true) };
}

/** The attribute names one end of a mapping has: an app's user profile or the org's user profile. */
function endAttributes(ctx: RequestContext, end: { id: string; type: string }): Set<string> {
  if (end.type === 'user') return new Set(userAttributeTypes(ctx.org).keys());
  const app = ctx.org.apps.get(end.id);
  return app ? appUserAttributes(ctx, app) : new Set();
}

function updateMapping(ctx: RequestContext): Reply {
  const m = ctx.org.mappings.get(ctx.params.mappingId!);
  if (!m) throw notFound(ctx.params.mappingId);
  mergeMappingProperties(m, objectBody(ctx), endAttributes(ctx, m.source), endAttributes(ctx, m.target));
  return { status: 200, body: mappingJson(ctx.org, m, true) };
}

const route = (method: string, template: string, handler: RouteSpec['handler']): RouteSpec => ({
  method,
  template,
  handler,
  write: method !== 'GET',
  resource: 'schemas',
  bucket: 'default',
});

export const META_ROUTES: RouteSpec[] = [
  route('GET', '/api/v1/meta/schemas/apps/{appId}/default', (ctx) => ({ status: 200, body: appUserSchemaJson(ctx.org, findApp(ctx)) })),
  route('POST', '/api/v1/meta/schemas/apps/{appId}/default', updateAppUserSchema),
  route('GET', '/api/v1/meta/schemas/user/default', (ctx) => ({ status: 200, body: userSchemaJson(ctx.org) })),
  route('POST', '/api/v1/meta/schemas/user/default', updateUserSchema),
  route('GET', '/api/v1/mappings', listMappings),
  route('GET', '/api/v1/mappings/{mappingId}', getMapping),
  route('POST', '/api/v1/mappings/{mappingId}', updateMapping),
];
