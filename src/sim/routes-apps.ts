/**
 * `/api/v1/apps/**`: apps, provisioning connection, features, app users, app groups and
 * group-push mappings, with the Org2Org behaviour of ./provisioning.ts.
 */
import { compileExpression, type ExpressionError, type Predicate } from './filter-expression.js';
import type { SimApp, SimAppKey, SimGroup, SimOrg, SimPushMapping } from './org-state.js';
import { isOrg2Org, keyPair, nowIso } from './org-state.js';
import { connectionKeys } from './oauth.js';
import {
  assignUser,
  connectionProblem,
  hubOf,
  inHub,
  mirrorHubGroup,
  oauthConnectionProblem,
  onMembershipChanged,
  pushMapping,
  pushProfile,
  unassignUser,
} from './provisioning.js';
import { invalid, notFound, objectBody, OktaError, pageReply, type RequestContext, type Reply, type RouteSpec } from './router.js';
import { appGroupJson, appJson, appUserJson, connectionJson, featuresJson, pushMappingJson } from './views.js';
import { INITIAL_STATUSES } from './types.js';

export function compileSearch(expression: string | null): Predicate | undefined {
  if (expression === null || expression === '') return undefined;
  try {
    return compileExpression(expression);
  } catch (err) {
    throw new OktaError(400, 'E0000031', 'Invalid search criteria.', [(err as ExpressionError).message]);
  }
}

function findApp(ctx: RequestContext): SimApp {
  const app = ctx.org.apps.get(ctx.params.appId!);
  if (!app) throw notFound(ctx.params.appId);
  return app;
}

/** Connection enabled = provisioning enabled for the app instance (features, push mappings need it). */
function requireProvisioning(app: SimApp): void {
  if (app.connection.status !== 'ENABLED') {
    throw invalid('Provisioning is not enabled for the app instance.', ['Provisioning is not enabled for the app instance.']);
  }
}

function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

function booleanParam(ctx: RequestContext, name: string, fallback: boolean): boolean {
  const v = ctx.query.get(name);
  return v === null ? fallback : v === 'true';
}

// ---- apps -------------------------------------------------------------------------------

function listApps(ctx: RequestContext): Reply {
  const filter = compileSearch(ctx.query.get('filter'));
  const q = ctx.query.get('q')?.toLowerCase();
  const match = (app: SimApp): boolean => {
    if (
      q &&
      !app.label
        .toLowerCase()
        .split(/\s+/)
        .some((w) => w.startsWith(q)) &&
      !app.name.toLowerCase().startsWith(q) &&
      !app.label.toLowerCase().startsWith(q)
    ) {
      return false;
    }
    return !filter || filter({ id: app.id, name: app.name, label: app.label, status: app.status, signOnMode: app.signOnMode });
  };
  return pageReply(ctx, ctx.org.apps, { fallback: 20, cap: 200 }, (a) => appJson(ctx.org, a), match);
}

function createApp(ctx: RequestContext): Reply {
  const body = objectBody(ctx);
  const causes: string[] = [];
  if (typeof body.name !== 'string' || body.name === '') causes.push('name: The field cannot be left blank');
  if (typeof body.label !== 'string' || body.label === '') causes.push('label: The field cannot be left blank');
  const settings = (body.settings ?? {}) as Record<string, unknown>;
  const appSettings = (settings.app ?? {}) as Record<string, unknown>;
  if (body.name === 'okta_org2org' && (typeof appSettings.baseUrl !== 'string' || appSettings.baseUrl === '')) {
    causes.push('baseUrl: The field cannot be left blank');
  }
  const signOnMode = body.signOnMode ?? (body.name === 'okta_org2org' ? 'SAML_2_0' : 'BOOKMARK');
  if (body.name === 'okta_org2org' && signOnMode !== 'SAML_2_0' && signOnMode !== 'AUTO_LOGIN') {
    causes.push('signOnMode: Org2Org supports SAML_2_0 or AUTO_LOGIN');
  }
  if (causes.length > 0) throw invalid(causes.join('; '), causes);
  const app = ctx.org.addApp({
    name: body.name as string,
    label: body.label as string,
    signOnMode: signOnMode as string,
    status: booleanParam(ctx, 'activate', true) ? 'ACTIVE' : 'INACTIVE',
    settings: { ...settings, app: { ...appSettings } },
  });
  return ok(appJson(ctx.org, app));
}

/**
 * "Replace an application": the body is the whole app. Settings it leaves out are gone, so a
 * partial PUT damages the app here as it would in Okta (every recorded PUT sends the whole app).
 */
function replaceApp(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const body = objectBody(ctx);
  const causes: string[] = [];
  if (body.name !== app.name) causes.push(`name: must be ${app.name} (an app's name can't change)`);
  if (typeof body.label !== 'string' || body.label === '') causes.push('label: The field cannot be left blank');
  if (causes.length > 0) throw invalid(causes.join('; '), causes);
  // credentials.signing.kid picks the app's signing key in use (key rotation); it must be one of its keys.
  const kid = ((body.credentials as Record<string, unknown> | undefined)?.signing as Record<string, unknown> | undefined)?.kid;
  if (kid !== undefined && (typeof kid !== 'string' || !app.keys.some((k) => k.kid === kid))) {
    throw invalid('credentials.signing.kid', [`credentials.signing.kid: the app has no key ${String(kid)}`]);
  }
  app.label = body.label as string;
  const settings = body.settings && typeof body.settings === 'object' ? (body.settings as Record<string, unknown>) : {};
  app.settings = { ...settings, app: { ...((settings.app as Record<string, unknown> | undefined) ?? {}) } };
  if (typeof body.signOnMode === 'string') app.signOnMode = body.signOnMode;
  if (typeof kid === 'string') app.signingKid = kid;
  app.lastUpdated = nowIso();
  return ok(appJson(ctx.org, app));
}

function deleteApp(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  if (app.status === 'ACTIVE') throw new OktaError(403, 'E0000056', 'Delete application forbidden.', ['Deactivate the application first.']);
  ctx.org.apps.delete(app.id);
  for (const m of ctx.org.mappings.values().filter((m) => m.source.id === app.id || m.target.id === app.id)) ctx.org.mappings.delete(m.id);
  return { status: 204 };
}

function appLifecycle(status: 'ACTIVE' | 'INACTIVE') {
  return (ctx: RequestContext): Reply => {
    const app = findApp(ctx);
    app.status = status;
    app.lastUpdated = nowIso();
    return ok({});
  };
}

// ---- connection -------------------------------------------------------------------------

function activateConnection(ctx: RequestContext, app: SimApp): void {
  if (app.connection.authScheme === 'TOKEN') {
    const problem = connectionProblem(ctx.world, app, app.connection.token);
    if (problem) throw invalid('Unable to validate the API credentials.', [problem]);
  } else if (app.connection.authScheme === 'OAUTH2') {
    if (!app.connection.clientId) throw invalid('clientId is required.', ['clientId: The field cannot be left blank']);
    // Okta tests the credentials on activation: the Hub's service app must let this app's key in, with the scopes and roles provisioning needs.
    const problem = isOrg2Org(app) ? oauthConnectionProblem(ctx.world, app, 'all') : null;
    if (problem) throw invalid('Unable to validate the OAuth credentials.', [problem]);
  } else if (app.connection.authScheme === 'UNKNOWN') {
    throw invalid('The connection has no credentials.', ['profile: set the connection before activating it']);
  }
  app.connection.status = 'ENABLED';
  app.lastUpdated = nowIso();
  for (const m of app.pushMappings.values()) pushMapping(ctx.world, ctx.org, app, m);
}

function setConnection(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const body = objectBody(ctx);
  const profile = (body.profile ?? {}) as Record<string, unknown>;
  const scheme = profile.authScheme;
  if (scheme === 'TOKEN') {
    if (typeof profile.token !== 'string' || profile.token === '')
      throw invalid('token is required.', ['token: The field cannot be left blank']);
    app.connection = { ...app.connection, authScheme: 'TOKEN', token: profile.token, clientId: null, rotationMode: null };
  } else if (scheme === 'OAUTH2') {
    if (typeof profile.clientId !== 'string' || profile.clientId === '')
      throw invalid('clientId is required.', ['clientId: The field cannot be left blank']);
    const rotation = (profile.signing as Record<string, unknown> | undefined)?.rotationMode;
    if (rotation !== undefined && rotation !== 'AUTO' && rotation !== 'MANUAL')
      throw invalid('signing.rotationMode', ['rotationMode: must be AUTO or MANUAL']);
    app.connection = {
      ...app.connection,
      authScheme: 'OAUTH2',
      token: null,
      clientId: profile.clientId,
      rotationMode: (rotation as 'AUTO' | 'MANUAL' | undefined) ?? 'AUTO',
    };
  } else {
    throw invalid('profile.authScheme', ['authScheme: must be TOKEN or OAUTH2']);
  }
  if (typeof body.baseUrl === 'string') (app.settings.app as Record<string, unknown>).baseUrl = body.baseUrl;
  // Recorded: a POST without `?activate` turned an ENABLED connection DISABLED.
  if (booleanParam(ctx, 'activate', false)) activateConnection(ctx, app);
  else app.connection.status = 'DISABLED';
  return ok(connectionJson(ctx.org, app));
}

function connectionLifecycle(enable: boolean) {
  return (ctx: RequestContext): Reply => {
    const app = findApp(ctx);
    if (enable) activateConnection(ctx, app);
    else app.connection.status = 'DISABLED';
    return { status: 204 };
  };
}

/** The connection's public keys, for the Hub service app's `jwks_uri` (AUTO rotation). */
function connectionJwks(ctx: RequestContext): Reply {
  return ok({ jwks: { keys: connectionKeys(findApp(ctx)) } });
}

// ---- key credentials --------------------------------------------------------------------

/** An app key as Okta answers it: the public JWK with the self-signed certificate it comes with (`x5c`, `x5t#S256`). */
function keyJson(key: SimAppKey): Record<string, unknown> {
  const { publicJwk, certificate } = keyPair(key);
  const { kty, e, n } = publicJwk;
  return {
    created: key.created,
    lastUpdated: key.lastUpdated,
    expiresAt: key.expiresAt,
    ...certificate,
    e,
    n,
    kid: key.kid,
    kty,
    use: 'sig',
  };
}

function listKeys(ctx: RequestContext): Reply {
  return ok(findApp(ctx).keys.map(keyJson));
}

function getKey(ctx: RequestContext): Reply {
  const key = findApp(ctx).keys.find((k) => k.kid === ctx.params.keyId);
  if (!key) throw notFound(ctx.params.keyId);
  return ok(keyJson(key));
}

function generateKey(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const raw = ctx.query.get('validityYears');
  const years = raw === null ? NaN : Number(raw);
  if (!Number.isInteger(years) || years < 2 || years > 10) {
    throw new OktaError(400, 'E0000001', 'Api validation failed: generateKey', ['Validity years out of range. It should be 2 - 10 years.']);
  }
  const key = ctx.org.newKey(years);
  app.keys.push(key);
  return { status: 201, body: keyJson(key), headers: { location: `${ctx.org.url}/api/v1/apps/${app.id}/credentials/keys/${key.kid}` } };
}

// ---- features ---------------------------------------------------------------------------

function listFeatures(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  requireProvisioning(app);
  return ok(featuresJson(ctx.org, app));
}

function findFeature(ctx: RequestContext, app: SimApp): Record<string, unknown> {
  const feature = featuresJson(ctx.org, app).find((f) => f.name === ctx.params.featureName);
  if (!feature) throw notFound(ctx.params.featureName);
  return feature;
}

function getFeature(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  requireProvisioning(app);
  return ok(findFeature(ctx, app));
}

function readStatus(value: unknown, path: string, causes: string[]): boolean | undefined {
  if (value === undefined) return undefined;
  const s = (value as Record<string, unknown> | null)?.status;
  if (s === 'ENABLED' || s === 'DISABLED') return s === 'ENABLED';
  causes.push(`${path}.status: must be ENABLED or DISABLED`);
  return undefined;
}

function updateFeature(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  requireProvisioning(app);
  findFeature(ctx, app);
  const body = objectBody(ctx);
  const p = app.provisioning;
  if (ctx.params.featureName === 'INBOUND_PROVISIONING') {
    // Real answers and the spec's examples spell it userNameFormat; what Okta does with the spec
    // schema's usernameFormat is unknown, so the simulator refuses it rather than guess.
    const username = ((body.importSettings as Record<string, unknown> | undefined)?.username ?? {}) as Record<string, unknown>;
    if ('usernameFormat' in username)
      throw invalid('importSettings.username', ['usernameFormat: unknown property (Okta spells it userNameFormat)']);
    for (const key of ['importSettings', 'importRules']) {
      if (body[key] !== undefined)
        p.inbound[key] = mergeDeep((p.inbound[key] ?? {}) as Record<string, unknown>, body[key] as Record<string, unknown>);
    }
  } else {
    const causes: string[] = [];
    const create = body.create as Record<string, unknown> | undefined;
    const update = body.update as Record<string, unknown> | undefined;
    const next = {
      create: readStatus(create?.lifecycleCreate, 'create.lifecycleCreate', causes),
      deactivate: readStatus(update?.lifecycleDeactivate, 'update.lifecycleDeactivate', causes),
      profile: readStatus(update?.profile, 'update.profile', causes),
      password: readStatus(update?.password, 'update.password', causes),
    };
    const pw = update?.password as Record<string, unknown> | undefined;
    if (pw?.seed !== undefined && pw.seed !== 'OKTA' && pw.seed !== 'RANDOM') causes.push('update.password.seed: must be OKTA or RANDOM');
    if (pw?.change !== undefined && pw.change !== 'CHANGE' && pw.change !== 'KEEP_EXISTING')
      causes.push('update.password.change: must be CHANGE or KEEP_EXISTING');
    if (causes.length > 0) throw invalid(causes.join('; '), causes);
    if (next.create !== undefined) p.create = next.create;
    if (next.deactivate !== undefined) p.deactivate = next.deactivate;
    if (next.profile !== undefined) p.profile = next.profile;
    if (next.password !== undefined) p.password.enabled = next.password;
    if (pw?.seed) p.password.seed = pw.seed as 'OKTA' | 'RANDOM';
    if (pw?.change) p.password.change = pw.change as 'CHANGE' | 'KEEP_EXISTING';
  }
  app.lastUpdated = nowIso();
  return ok(findFeature(ctx, app));
}

function mergeDeep(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(source)) {
    const t = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && t && typeof t === 'object'
        ? mergeDeep(t as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

// ---- app users --------------------------------------------------------------------------

function validateAppUserProfile(app: SimApp, profile: unknown): Record<string, unknown> | undefined {
  if (profile === undefined) return undefined;
  if (profile === null || typeof profile !== 'object') throw invalid('profile', ['profile: must be an object']);
  const p = profile as Record<string, unknown>;
  if (isOrg2Org(app) && p.initialStatus !== undefined && !INITIAL_STATUSES.includes(p.initialStatus as never)) {
    throw invalid('initialStatus', [`initialStatus: Does not match required pattern (${INITIAL_STATUSES.join(', ')})`]);
  }
  return p;
}

function listAppUsers(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const expandUser = ctx.query.get('expand') === 'user';
  const q = ctx.query.get('q')?.toLowerCase();
  const match = q ? (au: { userName: string }) => au.userName.toLowerCase().startsWith(q) : undefined;
  return pageReply(
    ctx,
    app.users,
    { fallback: 50, cap: 500 },
    (au) => appUserJson(ctx.org, app, au, expandUser ? ctx.org.users.get(au.id) : undefined),
    match,
  );
}

function assignAppUser(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const body = objectBody(ctx);
  if (typeof body.id !== 'string' || body.id === '') throw invalid('id', ['id: The field cannot be left blank']);
  const user = ctx.org.users.get(body.id);
  if (!user) throw notFound(body.id);
  const profile = validateAppUserProfile(app, body.profile);
  const userName = (body.credentials as Record<string, unknown> | undefined)?.userName;
  const { appUser } = assignUser(ctx.world, ctx.org, app, user, {
    scope: 'USER',
    ...(typeof userName === 'string' ? { userName } : {}),
    ...(profile ? { profile } : {}),
  });
  return ok(appUserJson(ctx.org, app, appUser));
}

function getAppUser(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const au = app.users.get(ctx.params.userId!);
  if (!au) throw notFound(ctx.params.userId);
  return ok(appUserJson(ctx.org, app, au, ctx.query.get('expand') === 'user' ? ctx.org.users.get(au.id) : undefined));
}

function updateAppUser(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const au = app.users.get(ctx.params.userId!);
  if (!au) throw notFound(ctx.params.userId);
  const body = objectBody(ctx);
  const profile = validateAppUserProfile(app, body.profile);
  if (profile) Object.assign(au.profile, profile);
  const userName = (body.credentials as Record<string, unknown> | undefined)?.userName;
  if (typeof userName === 'string' && userName !== '') au.userName = userName;
  au.lastUpdated = nowIso();
  pushProfile(ctx.world, ctx.org, app, au);
  return ok(appUserJson(ctx.org, app, au));
}

function unassignAppUser(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  if (!unassignUser(ctx.world, ctx.org, app, ctx.params.userId!)) throw notFound(ctx.params.userId);
  return { status: 204 };
}

// ---- app groups -------------------------------------------------------------------------

function listAppGroups(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  return pageReply(ctx, app.groups, { fallback: 20, cap: 200 }, (ag) => appGroupJson(ctx.org, app, ag));
}

function getAppGroup(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const ag = app.groups.get(ctx.params.groupId!);
  if (!ag) throw notFound(ctx.params.groupId);
  return ok(appGroupJson(ctx.org, app, ag));
}

function assignAppGroup(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const group = ctx.org.groups.get(ctx.params.groupId!);
  if (!group) throw notFound(ctx.params.groupId);
  const body = ctx.body === undefined ? {} : objectBody(ctx);
  let ag = app.groups.get(group.id);
  const priority = typeof body.priority === 'number' ? body.priority : (ag?.priority ?? app.groups.size);
  if (!ag) ag = app.groups.add({ id: group.id, seq: 0, priority, profile: {}, lastUpdated: nowIso() });
  ag.priority = priority;
  if (body.profile && typeof body.profile === 'object') ag.profile = body.profile as Record<string, unknown>;
  ag.lastUpdated = nowIso();
  for (const userId of group.members) {
    const user = ctx.org.users.get(userId);
    if (user) onMembershipChanged(ctx.world, ctx.org, group, user);
  }
  return ok(appGroupJson(ctx.org, app, ag));
}

function unassignAppGroup(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const group = ctx.org.groups.get(ctx.params.groupId!);
  if (!group || !app.groups.delete(group.id)) throw notFound(ctx.params.groupId);
  for (const userId of group.members) {
    const au = app.users.get(userId);
    const user = ctx.org.users.get(userId);
    if (!au || !user || au.scope !== 'GROUP') continue;
    if (![...user.groupIds].some((gid) => app.groups.has(gid))) unassignUser(ctx.world, ctx.org, app, userId);
  }
  return { status: 204 };
}

// ---- group push mappings ----------------------------------------------------------------

function mappingView(ctx: RequestContext, app: SimApp, m: SimPushMapping): unknown {
  return pushMappingJson(ctx.org, app, m);
}

function listPushMappings(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  requireProvisioning(app);
  const source = ctx.query.get('sourceGroupId');
  const status = ctx.query.get('status');
  const lastUpdated = ctx.query.get('lastUpdated');
  const match = (m: SimPushMapping): boolean =>
    (!source || m.sourceGroupId === source) && (!status || m.status === status) && (!lastUpdated || m.lastUpdated > lastUpdated);
  return pageReply(ctx, app.pushMappings, { fallback: 100, cap: 1000 }, (m) => mappingView(ctx, app, m), match);
}

function hubFor(ctx: RequestContext, app: SimApp): SimOrg {
  const hub = hubOf(ctx.world, app);
  if (!hub) throw invalid('The target org is unreachable.', ['settings.app.baseUrl: no org answers at this URL']);
  return hub;
}

function createPushMapping(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  requireProvisioning(app);
  const body = objectBody(ctx);
  const causes: string[] = [];
  const hasId = typeof body.targetGroupId === 'string' && body.targetGroupId !== '';
  const hasName = typeof body.targetGroupName === 'string' && body.targetGroupName !== '';
  if (hasId === hasName) causes.push('Exactly one of targetGroupId or targetGroupName must be provided.');
  if (typeof body.sourceGroupId !== 'string' || body.sourceGroupId === '') causes.push('sourceGroupId: The field cannot be left blank');
  const status = body.status ?? 'ACTIVE';
  if (status !== 'ACTIVE' && status !== 'INACTIVE') causes.push('status: must be ACTIVE or INACTIVE');
  if (causes.length > 0) throw invalid(causes.join(' '), causes);
  const source = ctx.org.groups.get(body.sourceGroupId as string);
  if (!source) throw invalid('sourceGroupId', [`sourceGroupId: group ${String(body.sourceGroupId)} does not exist`]);
  if (app.pushMappings.values().some((m) => m.sourceGroupId === source.id)) {
    throw invalid('A group push mapping already exists for this source group.', ['sourceGroupId: already pushed by this app']);
  }
  const hub = hubFor(ctx, app);
  let hubGroup: SimGroup | undefined;
  let mirror: SimGroup | undefined;
  if (hasId) {
    // targetGroupId names the Spoke's APP_GROUP that stands for a Hub group, never a Hub group.
    mirror = ctx.org.groups.get(body.targetGroupId as string);
    hubGroup = mirror?.mirrorOf?.appId === app.id ? hub.groups.get(mirror.mirrorOf.hubGroupId) : undefined;
    if (!hubGroup)
      throw invalid('targetGroupId', [`targetGroupId: ${String(body.targetGroupId)} is not a group this app imported from the target org`]);
  } else {
    const name = body.targetGroupName as string;
    hubGroup = hub.findGroupByName(name);
    if (hubGroup) {
      // Linking to an existing Hub group needs the Hub's groups imported into this org first.
      mirror = ctx.org.findMirror(app.id, hubGroup.id);
      if (!mirror) {
        throw invalid('targetGroupName', [
          `A group named "${name}" already exists in the target org, but it has not been imported into this org: import the target org's groups (the app's Import tab) before linking to it.`,
        ]);
      }
    } else {
      // targetGroupName creates the Hub group (and its APP_GROUP here).
      hubGroup = inHub(app, hub, () => hub.addGroup(name, null));
    }
  }
  mirror ??= mirrorHubGroup(ctx.org, app, hubGroup);
  const now = nowIso();
  const mapping = app.pushMappings.add({
    id: ctx.org.newId('gpm'),
    seq: 0,
    sourceGroupId: source.id,
    targetGroupId: mirror.id,
    hubGroupId: hubGroup.id,
    targetOrg: hub.name,
    status: status as 'ACTIVE' | 'INACTIVE',
    errorSummary: null,
    lastPush: null,
    created: now,
    lastUpdated: now,
  });
  pushMapping(ctx.world, ctx.org, app, mapping);
  // Recorded: 200 (the spec says 201).
  return ok(mappingView(ctx, app, mapping));
}

function findMapping(ctx: RequestContext, app: SimApp): SimPushMapping {
  const m = app.pushMappings.get(ctx.params.mappingId!);
  if (!m) throw notFound(ctx.params.mappingId);
  return m;
}

function getPushMapping(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  requireProvisioning(app);
  return ok(mappingView(ctx, app, findMapping(ctx, app)));
}

function patchPushMapping(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  requireProvisioning(app);
  const m = findMapping(ctx, app);
  const body = objectBody(ctx);
  if (body.status !== 'ACTIVE' && body.status !== 'INACTIVE') throw invalid('status', ['status: must be ACTIVE or INACTIVE']);
  m.status = body.status;
  m.lastUpdated = nowIso();
  pushMapping(ctx.world, ctx.org, app, m);
  return ok(mappingView(ctx, app, m));
}

function deletePushMapping(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  requireProvisioning(app);
  const m = findMapping(ctx, app);
  const flag = ctx.query.get('deleteTargetGroup');
  if (flag !== 'true' && flag !== 'false')
    throw invalid('deleteTargetGroup', ['deleteTargetGroup: query parameter is required (true or false)']);
  if (m.status === 'ACTIVE')
    throw invalid('The group push mapping must be INACTIVE before it can be deleted.', ['status: deactivate the mapping first']);
  app.pushMappings.delete(m.id);
  if (flag === 'true') {
    const hub = ctx.world.orgs.get(m.targetOrg);
    const target = hub?.groups.get(m.hubGroupId);
    if (hub && target) {
      // The Hub logs the group's deletion (its members go with it, as when an admin deletes a group).
      inHub(app, hub, () => {
        for (const userId of [...target.members]) hub.removeMember(target, hub.users.get(userId)!);
        hub.deleteGroup(target);
      });
    }
    const mirror = ctx.org.groups.get(m.targetGroupId);
    if (mirror) ctx.org.deleteGroup(mirror);
  }
  // Recorded: 200 with no body (the spec says 204).
  return { status: 200 };
}

const A = '/api/v1/apps';
const route = (method: string, template: string, handler: RouteSpec['handler'], write = method !== 'GET'): RouteSpec => ({
  method,
  template,
  handler,
  write,
  resource: 'apps',
  bucket: template === `${A}/{appId}` ? 'app' : 'apps',
});

export const APP_ROUTES: RouteSpec[] = [
  route('GET', A, listApps),
  route('POST', A, createApp),
  route('GET', `${A}/{appId}`, (ctx) => ok(appJson(ctx.org, findApp(ctx)))),
  route('PUT', `${A}/{appId}`, replaceApp),
  route('DELETE', `${A}/{appId}`, deleteApp),
  route('POST', `${A}/{appId}/lifecycle/activate`, appLifecycle('ACTIVE')),
  route('POST', `${A}/{appId}/lifecycle/deactivate`, appLifecycle('INACTIVE')),
  route('GET', `${A}/{appId}/connections/default`, (ctx) => ok(connectionJson(ctx.org, findApp(ctx)))),
  route('POST', `${A}/{appId}/connections/default`, setConnection),
  route('POST', `${A}/{appId}/connections/default/lifecycle/activate`, connectionLifecycle(true)),
  route('POST', `${A}/{appId}/connections/default/lifecycle/deactivate`, connectionLifecycle(false)),
  route('GET', `${A}/{appId}/connections/default/jwks`, connectionJwks),
  route('GET', `${A}/{appId}/credentials/keys`, listKeys),
  route('GET', `${A}/{appId}/credentials/keys/{keyId}`, getKey),
  route('POST', `${A}/{appId}/credentials/keys/generate`, generateKey),
  route('GET', `${A}/{appId}/features`, listFeatures),
  route('GET', `${A}/{appId}/features/{featureName}`, getFeature),
  route('PUT', `${A}/{appId}/features/{featureName}`, updateFeature),
  route('GET', `${A}/{appId}/users`, listAppUsers),
  route('POST', `${A}/{appId}/users`, assignAppUser),
  route('GET', `${A}/{appId}/users/{userId}`, getAppUser),
  route('POST', `${A}/{appId}/users/{userId}`, updateAppUser),
  route('DELETE', `${A}/{appId}/users/{userId}`, unassignAppUser),
  route('GET', `${A}/{appId}/groups`, listAppGroups),
  route('GET', `${A}/{appId}/groups/{groupId}`, getAppGroup),
  route('PUT', `${A}/{appId}/groups/{groupId}`, assignAppGroup),
  route('DELETE', `${A}/{appId}/groups/{groupId}`, unassignAppGroup),
  route('GET', `${A}/{appId}/group-push/mappings`, listPushMappings),
  route('POST', `${A}/{appId}/group-push/mappings`, createPushMapping),
  route('GET', `${A}/{appId}/group-push/mappings/{mappingId}`, getPushMapping),
  route('PATCH', `${A}/{appId}/group-push/mappings/{mappingId}`, patchPushMapping),
  route('DELETE', `${A}/{appId}/group-push/mappings/{mappingId}`, deletePushMapping),
];
