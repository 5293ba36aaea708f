/**
 * Who is acting, and the one place a System Log event is recorded (`logEvent`). Every write the
 * simulator makes runs inside an acting context: a request (the server sets it around its
 * handler: the token's owner, the service app, or the console admin a console change names), or
 * Org2Org provisioning into a Hub (the Spoke connection's token owner or OAuth client, set by
 * provisioning.ts), or a provisioning step that finishes later (the context it was scheduled in).
 * State changed outside any context — a seed describing the world as it already is, a test poking
 * an org behind the API's back — is not logged, as Okta logs nothing it didn't do.
 *
 * The state primitives (SimOrg.addUser, setUserStatus, updateUserProfile, addGroup, addMember, …)
 * call `logEvent` themselves, so a write is logged however it is reached (a route, a console
 * change, a provisioning side effect); the route table (system-log.ts `describe`) logs the
 * app-level writes that have no primitive.
 *
 * Handlers are synchronous, so a module-level context can't leak between requests or simulators.
 */
import { randomUUID } from 'node:crypto';
import type { SimApp, SimGroup, SimOrg, SimUser } from './org-state.js';
import { simNow } from './clock.js';

export interface LogTarget {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
  detailEntry: null;
}

export type LogActor = LogTarget;

export type LogEvent = Record<string, unknown> & {
  published: string;
  uuid: string;
  eventType: string;
  target: LogTarget[];
  /** Epoch ms from which GET /api/v1/logs shows the event (published + the sim's log lag); not in the JSON. */
  visibleAt?: number;
};

export interface Acting {
  actor: LogActor;
  /** A console session (a browser) rather than an API client. */
  console: boolean;
  /** The request path the writes come from, when there is one. */
  requestUri?: string;
}

let acting: Acting | undefined;

/** Run `fn` with `who` acting (undefined: nobody — nothing it writes is logged); the previous context is restored. */
export function actingAs<T>(who: Acting | undefined, fn: () => T): T {
  const before = acting;
  acting = who;
  try {
    return fn();
  } finally {
    acting = before;
  }
}

export function currentActing(): Acting | undefined {
  return acting;
}

/** Events the simulator keeps per org (Okta keeps 90 days). */
export const MAX_EVENTS = 10_000;

export interface EventSpec {
  eventType: string;
  displayMessage: string;
  targets: LogTarget[];
  /** Who did it (default: the acting context). */
  by?: Acting;
  /** ISO time (default: now). */
  published?: string;
  /** What came of it (default SUCCESS): a push that failed is logged as FAILURE. */
  outcome?: 'SUCCESS' | 'FAILURE';
}

// Parts every event shares, made once (a 50,000-user apply logs hundreds of thousands of events); frozen, as answers never change them.
const deepFreeze = <T>(o: T): T => {
  for (const v of Object.values(o as object)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
};
const client = (inBrowser: boolean) =>
  deepFreeze({
    userAgent: {
      rawUserAgent: inBrowser ? 'Mozilla/5.0 (org2org simulator console)' : 'org2org',
      os: 'Unknown',
      browser: inBrowser ? 'CHROME' : 'UNKNOWN',
    },
    zone: null,
    device: inBrowser ? 'Computer' : 'Unknown',
    id: null,
    ipAddress: '127.0.0.1',
    geographicalContext: null,
  });
const CONSOLE_CLIENT = client(true);
const API_CLIENT = client(false);
const SUCCESS = deepFreeze({ result: 'SUCCESS', reason: null });
const FAILURE = deepFreeze({ result: 'FAILURE', reason: null });
const SECURITY_CONTEXT = deepFreeze({ asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null });
const REQUEST = deepFreeze({ ipChain: [{ ip: '127.0.0.1', geographicalContext: null, version: 'V4', source: null }] });

/** Log lag per org (ms): an event becomes visible to `GET /api/v1/logs` this long after it is published. */
const lagOf = new WeakMap<SimOrg, number>();

export function setLogLag(org: SimOrg, ms: number): void {
  lagOf.set(org, ms);
}

/**
 * Records one event in `org`'s System Log, unless nobody is acting. `insertAt`: the index it goes
 * to (a route's event recorded after the side effects it caused, placed before them).
 */
export function logEvent(org: SimOrg, spec: EventSpec, insertAt?: number): void {
  const who = spec.by ?? acting;
  if (!who) return;
  const requestId = randomUUID().replace(/-/g, '');
  const published = spec.published ?? new Date(simNow()).toISOString();
  const event: LogEvent = {
    actor: who.actor,
    client: who.console ? CONSOLE_CLIENT : API_CLIENT,
    authenticationContext: {
      authenticationProvider: null,
      credentialProvider: null,
      credentialType: null,
      issuer: null,
      interface: null,
      authenticationStep: 0,
      externalSessionId: who.console ? `idx${requestId.slice(0, 22)}` : `trs${requestId.slice(0, 22)}`,
    },
    displayMessage: spec.displayMessage,
    eventType: spec.eventType,
    outcome: spec.outcome === 'FAILURE' ? FAILURE : SUCCESS,
    published,
    securityContext: SECURITY_CONTEXT,
    severity: 'INFO',
    debugContext: { debugData: { requestId, requestUri: who.requestUri ?? null, url: who.requestUri ?? null } },
    legacyEventType: null,
    transaction: { type: who.console ? 'WEB' : 'JOB', id: requestId, detail: {} },
    uuid: randomUUID(),
    version: '0',
    request: REQUEST,
    target: spec.targets,
  };
  const lag = lagOf.get(org) ?? 0;
  if (lag > 0) event.visibleAt = Date.parse(published) + lag;
  const log = org.systemLog;
  if (insertAt !== undefined && insertAt >= 0 && insertAt < log.length) log.splice(insertAt, 0, event);
  else log.push(event);
  // Bounded, so a 50,000-user apply in a benchmark doesn't hold a log it never reads; what a test reads is recent.
  if (log.length > MAX_EVENTS + MAX_EVENTS / 5) log.splice(0, log.length - MAX_EVENTS);
}

function displayName(user: SimUser): string {
  const name = `${String(user.profile.firstName ?? '')} ${String(user.profile.lastName ?? '')}`.trim();
  return name || user.profile.login;
}

export function userTarget(user: SimUser): LogTarget {
  return { id: user.id, type: 'User', alternateId: user.profile.login, displayName: displayName(user), detailEntry: null };
}

export function groupTarget(group: SimGroup): LogTarget {
  return { id: group.id, type: 'UserGroup', alternateId: 'unknown', displayName: group.profile.name, detailEntry: null };
}

export function appTarget(app: SimApp): LogTarget {
  return { id: app.id, type: 'AppInstance', alternateId: app.label, displayName: app.label, detailEntry: null };
}

/** An admin user as an actor. */
export function userActor(user: SimUser): LogActor {
  return userTarget(user);
}

/** An OAuth 2.0 client (a service app) as an actor: Okta names it by client id, typed PublicClientApp. */
export function clientActor(clientId: string, label?: string): LogActor {
  return { id: clientId, type: 'PublicClientApp', alternateId: clientId, displayName: label ?? 'OAuth client', detailEntry: null };
}

/** A console admin signing in (state-neutral noise the incremental read must skip), the admin as its actor. */
export function logSessionStart(org: SimOrg, who: Acting): void {
  logEvent(org, {
    eventType: 'user.session.start',
    displayMessage: 'User login to Okta',
    targets: [],
    by: { ...who, requestUri: '/login/signin' },
  });
}
