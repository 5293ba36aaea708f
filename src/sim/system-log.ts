/**
 * The System Log (`GET /api/v1/logs`): one LogEvent per successful write to an Org2Org app's
 * assignments, push mappings, features, connection or lifecycle, with its actor (the token's
 * owner, or the console admin a console change names), time and targets, in the spec's LogEvent
 * shape (its ListLogs example: actor, client, displayMessage, eventType, outcome, published,
 * severity, debugContext, transaction, uuid, version, request, target).
 *
 * Fidelity: no recorded `/api/v1/logs` traffic exists (none here, none in the Terraform
 * provider's cassettes), so the shape follows the spec's example. The event type names for
 * assignments are Okta's published ones (`application.user_membership.add|remove`,
 * `group.application_assignment.add|remove`); those for push mappings and feature settings are
 * UNKNOWN (docs/okta-fidelity.md): org2org never depends on an event type, it asks by target id.
 * Paging: a query without `until` is a polling query, and Okta then always answers with a `next`
 * link (its docs); a bounded one (`until` given) ends.
 */
import { compileExpression, ExpressionError } from './filter-expression.js';
import {
  type Acting,
  appTarget,
  clientActor,
  currentActing,
  groupTarget,
  type LogEvent,
  type LogTarget,
  logEvent,
  userActor,
  userTarget,
} from './log-events.js';
import type { SimOrg } from './org-state.js';
import { invalid, readLimit, type Reply, type RequestContext, type Route, type RouteSpec } from './router.js';
import { simNow } from './clock.js';

export { MAX_EVENTS, type LogEvent } from './log-events.js';

const SEVEN_DAYS_MS = 7 * 24 * 3600_000;

interface Described {
  eventType: string;
  displayMessage: string;
  /** Named before the write (a deleted object), or from its answer (a created one). */
  targets: LogTarget[] | ((reply: Reply) => LogTarget[]);
}

/**
 * What a write route did, in the System Log's words, for writes no state primitive logs
 * (log-events.ts): app settings, push mappings, service apps, grants, roles, schemas, mappings,
 * keys, IdPs. Names are Okta's published event types; those whose use here is a guess are
 * UNKNOWN rows in docs/okta-fidelity.md.
 */
function describe(ctx: RequestContext, route: Route): Described | undefined {
  const { org, params } = ctx;
  const created = (reply: Reply): LogTarget[] => {
    const made = reply.body as { id?: unknown; client_id?: unknown } | undefined;
    const id = typeof made?.id === 'string' ? made.id : typeof made?.client_id === 'string' ? made.client_id : undefined;
    const app = id ? (org.apps.get(id) ?? org.oauthClient(id)) : undefined;
    return app ? [appTarget(app)] : [];
  };
  const client = params.clientId ? org.oauthClient(params.clientId) : undefined;
  const clientT = (): LogTarget[] => (client ? [appTarget(client)] : []);
  const app = params.appId ? org.apps.get(params.appId) : undefined;
  const appT = (): LogTarget[] => (app ? [appTarget(app)] : []);
  const userT = (id: string | undefined): LogTarget[] => {
    const user = id ? org.users.get(id) : undefined;
    return user ? [userTarget(user)] : [];
  };
  const groupT = (id: string | undefined): LogTarget[] => {
    const group = id ? org.groups.get(id) : undefined;
    return group ? [groupTarget(group)] : [];
  };
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  const A = '/api/v1/apps/{appId}';
  switch (`${route.method} ${route.template}`) {
    case `POST ${A}/users/{userId}`:
      return {
        eventType: 'application.user_membership.update',
        displayMessage: 'Update user application membership',
        targets: [...userT(params.userId), ...appT()],
      };
    case `PUT ${A}/groups/{groupId}`:
      return {
        eventType: 'group.application_assignment.add',
        displayMessage: 'Add assigned application to group',
        targets: [...groupT(params.groupId), ...appT()],
      };
    case `DELETE ${A}/groups/{groupId}`:
      return {
        eventType: 'group.application_assignment.remove',
        displayMessage: 'Remove assigned application from group',
        targets: [...groupT(params.groupId), ...appT()],
      };
    case `POST ${A}/group-push/mappings`:
      return {
        eventType: 'application.provision.group_push.mapping.created',
        displayMessage: 'Create group push mapping',
        targets: [...groupT(body.sourceGroupId as string), ...appT()],
      };
    case `PATCH ${A}/group-push/mappings/{mappingId}`:
    case `DELETE ${A}/group-push/mappings/{mappingId}`: {
      const mapping = app?.pushMappings.get(params.mappingId!);
      const source = mapping?.sourceGroupId;
      const verb = route.method === 'DELETE' ? 'deleted' : 'updated';
      return {
        eventType: `application.provision.group_push.mapping.${verb}`,
        displayMessage: `Group push mapping ${verb}`,
        targets: [...groupT(source), ...appT()],
      };
    }
    case `PUT ${A}/features/{featureName}`:
    case `POST ${A}/connections/default`:
    case `POST ${A}/connections/default/lifecycle/activate`:
    case `POST ${A}/connections/default/lifecycle/deactivate`:
    case `PUT ${A}`:
      return { eventType: 'application.lifecycle.update', displayMessage: 'Update application', targets: appT() };
    case `POST ${A}/lifecycle/activate`:
      return { eventType: 'application.lifecycle.activate', displayMessage: 'Activate application', targets: appT() };
    case `POST ${A}/lifecycle/deactivate`:
      return { eventType: 'application.lifecycle.deactivate', displayMessage: 'Deactivate application', targets: appT() };
    case 'POST /api/v1/apps':
      return { eventType: 'application.lifecycle.create', displayMessage: 'Create application', targets: created };
    case `DELETE ${A}`:
      return { eventType: 'application.lifecycle.delete', displayMessage: 'Delete application', targets: appT() };
    case `POST ${A}/credentials/keys/generate`:
      return { eventType: 'app.keys.generate', displayMessage: 'Generate application key', targets: appT() };
    case `POST ${A}/grants`:
      return { eventType: 'app.oauth2.admin.consent.grant', displayMessage: 'Admin consent granted', targets: appT() };
    case `DELETE ${A}/grants/{grantId}`:
      return { eventType: 'app.oauth2.admin.consent.revoke', displayMessage: 'Admin consent revoked', targets: appT() };
    case 'POST /oauth2/v1/clients':
      return { eventType: 'app.oauth2.client.lifecycle.create', displayMessage: 'Create OAuth client', targets: created };
    case 'PUT /oauth2/v1/clients/{clientId}':
      return { eventType: 'app.oauth2.client.lifecycle.update', displayMessage: 'Update OAuth client', targets: clientT() };
    case 'DELETE /oauth2/v1/clients/{clientId}':
      return { eventType: 'app.oauth2.client.lifecycle.delete', displayMessage: 'Delete OAuth client', targets: clientT() };
    case 'POST /oauth2/v1/clients/{clientId}/roles':
      return { eventType: 'app.oauth2.client.privilege.grant', displayMessage: 'Grant admin role to OAuth client', targets: clientT() };
    case 'DELETE /oauth2/v1/clients/{clientId}/roles/{roleAssignmentId}':
      return { eventType: 'app.oauth2.client.privilege.revoke', displayMessage: 'Revoke admin role from OAuth client', targets: clientT() };
    case 'POST /api/v1/meta/schemas/apps/{appId}/default':
      return { eventType: 'directory.app_user_profile.update', displayMessage: 'Update app user profile schema', targets: appT() };
    case 'POST /api/v1/meta/schemas/user/default':
      return {
        eventType: 'directory.user_profile.update',
        displayMessage: 'Update user profile schema',
        targets: [{ id: org.userTypeId, type: 'UserType', alternateId: 'user', displayName: 'User', detailEntry: null }],
      };
    case 'POST /api/v1/mappings/{mappingId}': {
      const mapping = org.mappings.get(params.mappingId!);
      const ends = mapping ? [mapping.source, mapping.target].map((end) => org.apps.get(end.id)).filter((a) => a !== undefined) : [];
      return {
        eventType: 'directory.mapping.update',
        displayMessage: 'Update profile mapping',
        targets: [
          ...(mapping
            ? [
                {
                  id: mapping.id,
                  type: 'Mapping',
                  alternateId: `${mapping.source.name} → ${mapping.target.name}`,
                  displayName: 'Profile mapping',
                  detailEntry: null,
                },
              ]
            : []),
          ...ends.map(appTarget),
        ],
      };
    }
    case 'POST /api/v1/idps/credentials/keys':
      return {
        eventType: 'system.idp.key.create',
        displayMessage: 'Create IdP key credential',
        targets: (reply) => {
          const kid = (reply.body as { kid?: unknown } | undefined)?.kid;
          return typeof kid === 'string' ? [{ id: kid, type: 'IdpKey', alternateId: kid, displayName: 'IdP key', detailEntry: null }] : [];
        },
      };
    case 'PUT /api/v1/idps/{idpId}': {
      const idp = org.idps.get(params.idpId!);
      return {
        eventType: 'system.idp.lifecycle.update',
        displayMessage: 'Update identity provider',
        targets: idp ? [{ id: idp.id, type: 'IdentityProvider', alternateId: idp.name, displayName: idp.name, detailEntry: null }] : [],
      };
    }
    default:
      return undefined;
  }
}

/**
 * Who a request acts as: the console admin it names (`x-org2org-sim-console`), else the token's
 * owner, else the service app its access token was issued to.
 */
export function requestActing(ctx: RequestContext, consoleActor: string | undefined): Acting {
  const { org } = ctx;
  const user = consoleActor ? org.findUser(consoleActor) : ctx.principal?.userId ? org.users.get(ctx.principal.userId) : undefined;
  const clientId = ctx.principal?.clientId;
  const actor = user ? userActor(user) : clientActor(clientId ?? 'unknown', clientId ? org.oauthClient(clientId)?.label : undefined);
  return { actor, console: consoleActor !== undefined, requestUri: ctx.path };
}

/**
 * Called (in the request's acting context) before a write is handled, so a deleted object can
 * still be named: returns what records the route's own event once the write succeeded, placed
 * before the events of the side effects it caused (a group assigned, then its members).
 */
export function logWrite(ctx: RequestContext, route: Route): (reply: Reply) => void {
  const what = route.write ? describe(ctx, route) : undefined;
  if (!what) return () => {};
  const log = ctx.org.systemLog;
  const before = log.length;
  const by = currentActing();
  const published = new Date(simNow()).toISOString();
  return (reply) => {
    if (reply.status >= 300) return;
    // Events the side effects added sit at the end; the bound may have trimmed the front meanwhile.
    const added = Math.max(0, Math.min(log.length, log.length - before));
    const targets = typeof what.targets === 'function' ? what.targets(reply) : what.targets;
    if (by) logEvent(ctx.org, { ...what, targets, published, by }, log.length - added);
  };
}

/** When an event became (or becomes) visible to queries: its persistence time, `published` plus the org's log lag. */
function persistedAt(e: LogEvent): number {
  return e.visibleAt ?? Date.parse(e.published);
}

/**
 * `GET /api/v1/logs`, as the spec documents it: a bounded query (`until` given) bounds `published`
 * by `since`..`until` and ends (a `next` link only while pages remain); a polling query (no
 * `until`) bounds the persistence time by `since`..now and always answers a `next` link, from
 * which a poller later finds what was persisted since. Either way only persisted events show:
 * an event published within the log lag of now is not there yet (not even to a bounded query).
 */
function listLogEvents(ctx: RequestContext): Reply {
  const { query, org } = ctx;
  const now = simNow();
  const until = query.get('until');
  const untilMs = until ? Date.parse(until) : now;
  const sinceMs = query.get('since') ? Date.parse(query.get('since')!) : untilMs - SEVEN_DAYS_MS;
  if (Number.isNaN(untilMs) || Number.isNaN(sinceMs)) throw invalid('since/until', ['since, until: must be ISO 8601 timestamps']);
  const order = query.get('sortOrder') ?? 'ASCENDING';
  if (order !== 'ASCENDING' && order !== 'DESCENDING') throw invalid('sortOrder', ['sortOrder: ASCENDING or DESCENDING']);
  let match: (e: LogEvent) => boolean = () => true;
  const filter = query.get('filter');
  if (filter) {
    let predicate: ReturnType<typeof compileExpression>;
    try {
      predicate = compileExpression(filter);
    } catch (err) {
      if (err instanceof ExpressionError) throw invalid('filter', [`filter: ${err.message}`]);
      throw err;
    }
    // `target` is a list: a condition on `target.*` holds when it holds for one of the targets.
    match = (e) => predicate(e) || e.target.some((t) => predicate({ ...e, target: t }));
  }
  const q = query.get('q')?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
  const polling = until === null;
  const timeOf = polling ? persistedAt : (e: LogEvent): number => Date.parse(e.published);
  let events = org.systemLog.filter((e) => {
    if (persistedAt(e) > now) return false;
    const at = timeOf(e);
    if (at < sinceMs || at > untilMs) return false;
    if (q.length > 0 && !q.every((word) => JSON.stringify(answer(e)).toLowerCase().includes(word))) return false;
    return match(e);
  });
  // Sorted by the time the query bounds (stable: events of one moment keep the order they were logged in).
  events = events
    .map((e, i) => [e, i] as const)
    .sort((x, y) => timeOf(x[0]) - timeOf(y[0]) || x[1] - y[1])
    .map(([e]) => e);
  if (order === 'DESCENDING') events = events.reverse();
  const limit = readLimit(query, 100, 1000);
  const after = query.get('after');
  const start = after === null ? 0 : resume(events, after, timeOf, order === 'DESCENDING');
  const page = events.slice(start, start + limit);
  const base = `${org.url}${ctx.path}`;
  const links = [`<${base}?${query.toString()}>; rel="self"`];
  const more = start + limit < events.length;
  if (more || polling) {
    const next = new URLSearchParams(query);
    const last = page.at(-1);
    const cursor = last ? `${timeOf(last)}.${last.uuid}` : after;
    if (cursor) next.set('after', cursor);
    links.push(`<${base}?${next.toString()}>; rel="next"`);
  }
  return { status: 200, body: page.map(answer), headers: { link: links.join(', ') } };
}

/**
 * Where a page after cursor `after` (`<time ms>.<uuid>` of the last event served; opaque to clients) starts: just past
 * that event, or, when the log no longer holds it (the simulator keeps the last 10,000), at its time: an event of that
 * same millisecond may come again, none is skipped.
 */
function resume(events: LogEvent[], after: string, timeOf: (e: LogEvent) => number, descending: boolean): number {
  const dot = after.indexOf('.');
  const uuid = after.slice(dot + 1);
  const at = events.findIndex((e) => e.uuid === uuid);
  if (at >= 0) return at + 1;
  const time = Number(after.slice(0, dot));
  if (dot < 0 || !Number.isFinite(time)) throw invalid('after', ['after: not a cursor this log answered']);
  const past = events.findIndex((e) => (descending ? timeOf(e) <= time : timeOf(e) >= time));
  return past < 0 ? events.length : past;
}

/** An event as the API shows it (without the simulator's own bookkeeping). */
function answer(e: LogEvent): Record<string, unknown> {
  const { visibleAt: _visibleAt, ...shown } = e;
  return shown;
}

export const LOG_ROUTES: RouteSpec[] = [
  { method: 'GET', template: '/api/v1/logs', bucket: 'default', resource: 'logs', write: false, handler: listLogEvents },
];

/** The org's System Log, oldest first (tests). */
export function systemLog(org: SimOrg): readonly LogEvent[] {
  return org.systemLog;
}
