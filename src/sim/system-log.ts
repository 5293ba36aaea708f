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
import { randomUUID } from 'node:crypto';
import { compileExpression, ExpressionError } from './filter-expression.js';
import { nowIso, type SimOrg } from './org-state.js';
import { invalid, readLimit, type Reply, type RequestContext, type Route, type RouteSpec } from './router.js';

export type LogEvent = Record<string, unknown> & { published: string; uuid: string; target: LogTarget[] };

interface LogTarget {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
  detailEntry: null;
}

const SEVEN_DAYS_MS = 7 * 24 * 3600_000;

/** What a write did, in the System Log's words; undefined for writes the log of this simulator doesn't keep. */
function describe(ctx: RequestContext, route: Route): { eventType: string; displayMessage: string; targets: LogTarget[] } | undefined {
  const { org, params } = ctx;
  const app = params.appId ? org.apps.get(params.appId) : undefined;
  const appTarget = (): LogTarget[] =>
    app ? [{ id: app.id, type: 'AppInstance', alternateId: app.label, displayName: app.label, detailEntry: null }] : [];
  const userTarget = (id: string | undefined): LogTarget[] => {
    const user = id ? org.users.get(id) : undefined;
    if (!user) return [];
    const name = `${String(user.profile.firstName ?? '')} ${String(user.profile.lastName ?? '')}`.trim();
    return [{ id: user.id, type: 'User', alternateId: user.profile.login, displayName: name || user.profile.login, detailEntry: null }];
  };
  const groupTarget = (id: string | undefined): LogTarget[] => {
    const group = id ? org.groups.get(id) : undefined;
    return group ? [{ id: group.id, type: 'UserGroup', alternateId: 'unknown', displayName: group.profile.name, detailEntry: null }] : [];
  };
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  const A = '/api/v1/apps/{appId}';
  switch (`${route.method} ${route.template}`) {
    case `POST ${A}/users`:
      return {
        eventType: 'application.user_membership.add',
        displayMessage: 'Add user to application membership',
        targets: [...userTarget(body.id as string), ...appTarget()],
      };
    case `POST ${A}/users/{userId}`:
      return {
        eventType: 'application.user_membership.update',
        displayMessage: 'Update user application membership',
        targets: [...userTarget(params.userId), ...appTarget()],
      };
    case `DELETE ${A}/users/{userId}`:
      return {
        eventType: 'application.user_membership.remove',
        displayMessage: 'Remove user from application membership',
        targets: [...userTarget(params.userId), ...appTarget()],
      };
    case `PUT ${A}/groups/{groupId}`:
      return {
        eventType: 'group.application_assignment.add',
        displayMessage: 'Add assigned application to group',
        targets: [...groupTarget(params.groupId), ...appTarget()],
      };
    case `DELETE ${A}/groups/{groupId}`:
      return {
        eventType: 'group.application_assignment.remove',
        displayMessage: 'Remove assigned application from group',
        targets: [...groupTarget(params.groupId), ...appTarget()],
      };
    case `POST ${A}/group-push/mappings`:
      return {
        eventType: 'application.provision.group_push.mapping.created',
        displayMessage: 'Create group push mapping',
        targets: [...groupTarget(body.sourceGroupId as string), ...appTarget()],
      };
    case `PATCH ${A}/group-push/mappings/{mappingId}`:
    case `DELETE ${A}/group-push/mappings/{mappingId}`: {
      const mapping = app?.pushMappings.get(params.mappingId!);
      const source = mapping?.sourceGroupId;
      const verb = route.method === 'DELETE' ? 'deleted' : 'updated';
      return {
        eventType: `application.provision.group_push.mapping.${verb}`,
        displayMessage: `Group push mapping ${verb}`,
        targets: [...groupTarget(source), ...appTarget()],
      };
    }
    case `PUT ${A}/features/{featureName}`:
    case `POST ${A}/connections/default`:
    case `POST ${A}/connections/default/lifecycle/activate`:
    case `POST ${A}/connections/default/lifecycle/deactivate`:
    case `PUT ${A}`:
      return { eventType: 'application.lifecycle.update', displayMessage: 'Update application', targets: appTarget() };
    case `POST ${A}/lifecycle/activate`:
      return { eventType: 'application.lifecycle.activate', displayMessage: 'Activate application', targets: appTarget() };
    case `POST ${A}/lifecycle/deactivate`:
      return { eventType: 'application.lifecycle.deactivate', displayMessage: 'Deactivate application', targets: appTarget() };
    default:
      return undefined;
  }
}

/**
 * Called before a write is handled (a deleted object can't be named after): returns what records
 * it once it succeeded. `consoleActor`: the login a console change names (the request's
 * `x-org2org-sim-console`); otherwise the actor is the token's owner (or the service app).
 */
export function logWrite(ctx: RequestContext, route: Route, consoleActor: string | undefined): (reply: Reply) => void {
  const what = route.write ? describe(ctx, route) : undefined;
  return (reply) => {
    if (what && reply.status < 300) record(ctx, what, consoleActor);
  };
}

function record(ctx: RequestContext, what: NonNullable<ReturnType<typeof describe>>, consoleActor: string | undefined): void {
  const { org } = ctx;
  const actorUser = consoleActor ? org.findUser(consoleActor) : ctx.principal?.userId ? org.users.get(ctx.principal.userId) : undefined;
  const actor = actorUser
    ? {
        id: actorUser.id,
        type: 'User',
        alternateId: actorUser.profile.login,
        displayName: `${String(actorUser.profile.firstName ?? '')} ${String(actorUser.profile.lastName ?? '')}`.trim(),
        detailEntry: null,
      }
    : {
        id: ctx.principal?.clientId ?? 'unknown',
        type: 'PublicClientApp',
        alternateId: ctx.principal?.clientId ?? 'unknown',
        displayName: 'OAuth client',
        detailEntry: null,
      };
  const requestId = randomUUID().replace(/-/g, '');
  const event: LogEvent = {
    actor,
    client: {
      userAgent: {
        rawUserAgent: consoleActor ? 'Mozilla/5.0 (org2org simulator console)' : 'org2org',
        os: 'Unknown',
        browser: consoleActor ? 'CHROME' : 'UNKNOWN',
      },
      zone: null,
      device: consoleActor ? 'Computer' : 'Unknown',
      id: null,
      ipAddress: '127.0.0.1',
      geographicalContext: null,
    },
    authenticationContext: {
      authenticationProvider: null,
      credentialProvider: null,
      credentialType: null,
      issuer: null,
      interface: null,
      authenticationStep: 0,
      externalSessionId: consoleActor ? `idx${requestId.slice(0, 22)}` : 'trs' + requestId.slice(0, 22),
    },
    displayMessage: what.displayMessage,
    eventType: what.eventType,
    outcome: { result: 'SUCCESS', reason: null },
    published: nowIso(),
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    severity: 'INFO',
    debugContext: { debugData: { requestId, requestUri: ctx.path, url: ctx.path } },
    legacyEventType: null,
    transaction: { type: consoleActor ? 'WEB' : 'JOB', id: requestId, detail: {} },
    uuid: randomUUID(),
    version: '0',
    request: { ipChain: [{ ip: '127.0.0.1', geographicalContext: null, version: 'V4', source: null }] },
    target: what.targets,
  };
  org.systemLog.push(event);
  // Bounded, so a 50,000-user apply in a benchmark doesn't hold a log it never reads; what a drift test reads is recent.
  if (org.systemLog.length > MAX_EVENTS + MAX_EVENTS / 5) org.systemLog.splice(0, org.systemLog.length - MAX_EVENTS);
}

/** Events the simulator keeps per org (Okta keeps 90 days). */
export const MAX_EVENTS = 10_000;

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
