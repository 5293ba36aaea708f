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

export { MAX_EVENTS, type LogEvent } from './log-events.js';

const SEVEN_DAYS_MS = 7 * 24 * 3600_000;

/** What a write did, in the System Log's words; undefined for writes the log of this simulator doesn't keep. */
function describe(ctx: RequestContext, route: Route): { eventType: string; displayMessage: string; targets: LogTarget[] } | undefined {
  const { org, params } = ctx;
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
  const published = new Date().toISOString();
  return (reply) => {
    if (reply.status >= 300) return;
    // Events the side effects added sit at the end; the bound may have trimmed the front meanwhile.
    const added = Math.max(0, Math.min(log.length, log.length - before));
    if (by) logEvent(ctx.org, { ...what, published, by }, log.length - added);
  };
}

function listLogEvents(ctx: RequestContext): Reply {
  const { query, org } = ctx;
  const until = query.get('until');
  const untilMs = until ? Date.parse(until) : Date.now();
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
  let events = org.systemLog.filter((e) => {
    const at = Date.parse(e.published);
    if (at < sinceMs || at > untilMs) return false;
    if (q.length > 0 && !q.every((word) => JSON.stringify(e).toLowerCase().includes(word))) return false;
    return match(e);
  });
  if (order === 'DESCENDING') events = events.reverse();
  const limit = readLimit(query, 100, 1000);
  const after = query.get('after');
  const start = after ? events.findIndex((e) => e.uuid === after) + 1 : 0;
  const page = events.slice(start, start + limit);
  const base = `${org.url}${ctx.path}`;
  const links = [`<${base}?${query.toString()}>; rel="self"`];
  const more = start + limit < events.length;
  if (more || until === null) {
    const next = new URLSearchParams(query);
    const last = page.at(-1)?.uuid ?? after;
    if (last) next.set('after', last);
    links.push(`<${base}?${next.toString()}>; rel="next"`);
  }
  return { status: 200, body: page, headers: { link: links.join(', ') } };
}

export const LOG_ROUTES: RouteSpec[] = [
  { method: 'GET', template: '/api/v1/logs', bucket: 'default', resource: 'logs', write: false, handler: listLogEvents },
];

/** The org's System Log, oldest first (tests). */
export function systemLog(org: SimOrg): readonly LogEvent[] {
  return org.systemLog;
}
