/**
 * An incremental read: what a full read saw, kept in a snapshot, reused for every org the System
 * Log proves unchanged since, and each other org read again. Whenever completeness can't be shown
 * the read is a full one, and says why (`fallback`).
 *
 * Soundness, org by org:
 * - Each org's log is asked (`GET /api/v1/logs`, a bounded query) BEFORE that org is read, so
 *   every event the answer holds is reflected in the read that follows. The snapshot keeps, per
 *   org, the server's time of that answer (its `Date` header) and the ids of the events it held.
 * - The next run asks each org's log from that time minus an overlap (the log's lag) minus the
 *   `Date` header's whole-second rounding; an event it returns that the snapshot did not already
 *   hold is a change since the read.
 * - What the new events say changed is read again, object by object (src/state/delta-read.ts):
 *   an app user, a group's members, the app's group or push-mapping list, the Hub users the plan
 *   looks up. An org whose app, groups or schemas changed is read whole; the Hub is read whole
 *   when a Spoke is. An event type this module does not know means a full read; sign-ins and token
 *   grants are known to change nothing it reads.
 * - An app user the snapshot shows in flight (SYNCING) is read again: its outcome lands later, in
 *   the Spoke and in the Hub, and Okta need not log it.
 * - Token checks always run (a token's validity is not in the log).
 * The snapshot never holds a secret: LiveState holds none (src/state/types.ts), and the config is
 * kept only as a digest.
 */
import { createHash } from 'node:crypto';
import type { DesiredState } from '../config/types.js';
import { OktaApiError } from '../okta/errors.js';
import type { OktaClient, Query } from '../okta/types.js';
import { readLiveState, type LiveClients, type ReadOptions } from './read-live-state.js';
import { Org2OrgError } from '../errors.js';
import {
  classify,
  noChanges,
  patchHub,
  patchSpoke,
  spokeNeedsWholeRead,
  WholeReadNeeded,
  type LogEntry,
  type OrgChanges,
} from './delta-read.js';
import type { LiveHub, LiveSpoke, LiveState } from './types.js';

export const SNAPSHOT_FORMAT = 'org2org-snapshot';
export const SNAPSHOT_VERSION = 1;

/** Where one org's log was asked, just before the org was read. */
export interface LogCursor {
  /** The server's time of the log's answer (its `Date` header), ISO. */
  at: string;
  /** Ids (uuid) of the events that answer held near `at`: already reflected in the read. */
  seen: string[];
}

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** sha256 of the loaded config (secrets as their variable names only): a config change can need objects the snapshot lacks. */
  configDigest: string;
  cursors: { hub?: LogCursor; spokes: Record<string, LogCursor> };
  hub?: LiveHub;
  spokes: Record<string, { live: LiveSpoke; notes: LiveState['readProblems'] }>;
  /** sha256 over the rest, as written. */
  integrity: string;
}

export interface IncrementalOptions extends Pick<ReadOptions, 'onEvent'> {
  /** The log's lag the read allows for (default 5 minutes, Okta's log is near real time but not instant). */
  overlapMs?: number;
  /** A snapshot older than this is not used (default 7 days; Okta keeps the log 90 days). */
  maxAgeMs?: number;
  /** Local clock (tests). */
  now?: () => number;
}

export interface IncrementalResult {
  live: LiveState;
  /** The snapshot to keep for the next run (absent when an org's log could not be read). */
  snapshot?: Snapshot;
  /** The same, as its file holds it (sealed when the read ended: what the plan does with the state after can't change it). */
  snapshotText?: string;
  /** 'incremental': some org was reused; 'full': every org was read. */
  mode: 'full' | 'incremental';
  /** Why the read was full (also 'no snapshot yet' when none was given). */
  fallback?: string;
  /** Orgs read again whole, orgs brought up to date object by object, and orgs reused from the snapshot as they were ('hub' for the Hub). */
  read: string[];
  patched: string[];
  reused: string[];
  /** Why no snapshot could be written. */
  noSnapshot?: string;
}

const DEFAULT_OVERLAP_MS = 5 * 60_000;
const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600_000;
/** The `Date` header's whole-second rounding, and then some. */
const ROUNDING_MS = 2_000;
/** `until` is this far past the local clock; a server clock beyond it is refused (a bounded query must reach the present). */
const UNTIL_AHEAD_MS = 10 * 60_000;
/** More log pages than this since the snapshot: a full read is as cheap and surely complete. */
const MAX_LOG_PAGES = 10;
const LOG_PAGE = 1000;

export function configDigest(desired: DesiredState): string {
  return createHash('sha256')
    .update(`org2org-snapshot-config\n${JSON.stringify(desired)}`)
    .digest('hex');
}

function integrityOf(body: Omit<Snapshot, 'integrity'>): string {
  return createHash('sha256')
    .update(`org2org-snapshot\n${JSON.stringify(body)}`)
    .digest('hex');
}

export function sealSnapshot(body: Omit<Snapshot, 'integrity'>): Snapshot {
  return { ...body, integrity: integrityOf(body) };
}

/** The snapshot as its file holds it, sealed: serialized once (a 50,000-user snapshot is tens of MB). */
export function sealedSnapshotText(body: Omit<Snapshot, 'integrity'>): string {
  const text = JSON.stringify(body);
  const integrity = createHash('sha256').update(`org2org-snapshot\n${text}`).digest('hex');
  return `${text.slice(0, -1)},"integrity":"${integrity}"}`;
}

/** `text` as sealedSnapshotText wrote it: its integrity checked on the text itself, without serializing it again. */
function checkSealedText(text: string): boolean | undefined {
  const match = /,"integrity":"([0-9a-f]{64})"\}\s*$/.exec(text.slice(-100));
  if (!match) return undefined; // written otherwise: checked on the parsed object
  const body = `${text.slice(0, text.length - 100 + match.index)}}`;
  return createHash('sha256').update(`org2org-snapshot\n${body}`).digest('hex') === match[1];
}

/** The snapshot in `text`, or why it can't be used. */
export function parseSnapshot(text: string): Snapshot | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'the snapshot is not JSON (corrupt or cut short)' };
  }
  const s = value as Partial<Snapshot> | null;
  if (!s || typeof s !== 'object' || s.format !== SNAPSHOT_FORMAT) return { problem: 'the file is not an org2org snapshot' };
  if (s.version !== SNAPSHOT_VERSION) return { problem: `the snapshot's format version ${String(s.version)} is not ${SNAPSHOT_VERSION}` };
  const { integrity, ...body } = s as Snapshot;
  const sealed = text.length >= 100 ? checkSealedText(text) : undefined;
  if (sealed === false || (sealed === undefined && (typeof integrity !== 'string' || integrityOf(body) !== integrity)))
    return { problem: 'the snapshot fails its integrity check (edited or corrupt)' };
  return s as Snapshot;
}

interface LogAnswer {
  /** Server time of the first page's answer. */
  at: string;
  events: LogEntry[];
}

/** Why this org's log can't prove anything (a full read follows). */
class NoProof extends Error {}

/** Every event of the org's log from `sinceMs` to the present (a bounded query, followed to its end). */
async function readLog(client: OktaClient, sinceMs: number, localNow: number): Promise<LogAnswer> {
  const untilMs = localNow + UNTIL_AHEAD_MS;
  let query: Query = {
    since: new Date(sinceMs).toISOString(),
    until: new Date(untilMs).toISOString(),
    sortOrder: 'ASCENDING',
    limit: LOG_PAGE,
  };
  let path = '/api/v1/logs';
  let at: string | undefined;
  const events: LogAnswer['events'] = [];
  for (let page = 0; ; page++) {
    if (page >= MAX_LOG_PAGES) throw new NoProof(`${client.org}: more than ${MAX_LOG_PAGES * LOG_PAGE} log events since the snapshot`);
    let answer: Awaited<ReturnType<OktaClient['request']>>;
    try {
      answer = await client.request<unknown>('GET', path, { query });
    } catch (err) {
      if (err instanceof OktaApiError)
        throw new NoProof(
          `${client.org}: the System Log could not be read (${err.status}${err.errorSummary ? `: ${err.errorSummary}` : ''})`,
        );
      throw err;
    }
    if (at === undefined) {
      const date = Date.parse(answer.headers.get('date') ?? '');
      if (Number.isNaN(date)) throw new NoProof(`${client.org}: the System Log's answer has no Date header`);
      if (date > untilMs - 60_000) throw new NoProof(`${client.org}: this machine's clock is behind the org's by minutes`);
      at = new Date(date).toISOString();
    }
    if (!Array.isArray(answer.body)) throw new NoProof(`${client.org}: the System Log answered something other than a list`);
    for (const e of answer.body as Record<string, unknown>[]) {
      if (typeof e.uuid !== 'string' || typeof e.published !== 'string' || typeof e.eventType !== 'string')
        throw new NoProof(`${client.org}: a System Log event without uuid, published or eventType`);
      const targets = (Array.isArray(e.target) ? (e.target as Record<string, unknown>[]) : [])
        .filter((t) => t && typeof t.id === 'string' && typeof t.type === 'string')
        .map((t) => ({ id: t.id as string, type: t.type as string }));
      events.push({ uuid: e.uuid, published: e.published, eventType: e.eventType, targets });
    }
    const next = nextLink(answer.headers.get('link') ?? undefined, client);
    if (!next || (answer.body as unknown[]).length === 0) break;
    path = next.path;
    query = next.query;
  }
  return { at, events };
}

/** The next page's path and query; a next link elsewhere can't be followed, so nothing is proven. */
function nextLink(link: string | undefined, client: OktaClient): { path: string; query: Query } | undefined {
  const match = link
    ?.split(',')
    .find((part) => /rel="next"/.test(part))
    ?.match(/<([^>]+)>/);
  if (!match) return undefined;
  let url: URL;
  try {
    url = new URL(match[1]!);
  } catch {
    throw new NoProof(`${client.org}: the System Log's next link is not a URL`);
  }
  // Same origin only, as the client's own paging.
  if (url.origin !== new URL(client.baseUrl).origin) throw new NoProof(`${client.org}: the System Log's next link leaves the org`);
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

/** The cursor a read that starts now leaves: the answer's time, and what it held near then. */
function cursorOf(answer: LogAnswer, overlapMs: number): LogCursor {
  const from = Date.parse(answer.at) - overlapMs - 2 * ROUNDING_MS;
  return { at: answer.at, seen: answer.events.filter((e) => Date.parse(e.published) >= from).map((e) => e.uuid) };
}

/** The events of `answer` the snapshot's read did not already reflect. */
function newEvents(cursor: LogCursor, answer: LogAnswer): LogEntry[] {
  const seen = new Set(cursor.seen);
  return answer.events.filter((e) => !seen.has(e.uuid));
}

const isEmpty = (c: OrgChanges): boolean =>
  c.whole === undefined &&
  c.appUsers.size === 0 &&
  c.users.size === 0 &&
  c.memberGroups.size === 0 &&
  c.assignedGroups.size === 0 &&
  !c.mappings &&
  !c.apps;

/**
 * Read the orgs, incrementally when `previous` allows (a Snapshot, or why none can be used:
 * `{ problem }`), else in full; either way return the snapshot for the next run.
 */
export async function readWithSnapshot(
  desired: DesiredState,
  clients: LiveClients,
  previous: Snapshot | { problem: string } | undefined,
  options: IncrementalOptions = {},
): Promise<IncrementalResult> {
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const localNow = (options.now ?? Date.now)();
  const digest = configDigest(desired);
  const spokeNames = desired.spokes.map((s) => s.name).filter((n) => clients.spokes[n] !== undefined);
  // `key` tells the Hub from a Spoke named "hub" (a Spoke name can't hold "#"); `name` is what messages say.
  const HUB = '#hub';
  const orgs: { key: string; name: string; client: OktaClient; isHub: boolean }[] = [
    ...(clients.hub ? [{ key: HUB, name: 'hub', client: clients.hub, isHub: true }] : []),
    ...spokeNames.map((n) => ({ key: n, name: n, client: clients.spokes[n]!, isHub: false })),
  ];

  let fallback: string | undefined;
  if (previous === undefined) fallback = 'no snapshot yet';
  else if ('problem' in previous) fallback = previous.problem;
  else if (previous.configDigest !== digest) fallback = 'the config changed since the snapshot';
  const snapshot = previous && !('problem' in previous) && fallback === undefined ? previous : undefined;

  // Each org's log, asked before anything is read; since the snapshot's cursor, or (for a full read) just now.
  const answers = new Map<string, LogAnswer>();
  let noSnapshot: string | undefined;
  await Promise.all(
    orgs.map(async ({ key, name, client, isHub }) => {
      const cursor = isHub ? snapshot?.cursors.hub : snapshot?.cursors.spokes[name];
      const sinceMs = cursor ? Date.parse(cursor.at) - overlapMs - ROUNDING_MS : localNow - overlapMs - UNTIL_AHEAD_MS;
      try {
        answers.set(key, await readLog(client, sinceMs, localNow));
      } catch (err) {
        if (!(err instanceof NoProof)) throw err;
        if (snapshot) fallback ??= err.message;
        noSnapshot ??= err.message;
      }
    }),
  );

  const reuse: NonNullable<ReadOptions['reuse']> = { spokes: {} };
  const read = new Set(orgs.map((o) => o.key));
  if (snapshot && fallback === undefined) {
    const oldest = Math.min(
      ...[snapshot.cursors.hub, ...Object.values(snapshot.cursors.spokes)].filter((c) => c).map((c) => Date.parse(c!.at)),
    );
    if (!(localNow - oldest <= maxAgeMs)) fallback = `the snapshot is older than ${Math.round(maxAgeMs / 3600_000)} hours`;
  }
  const patched = new Set<string>();
  if (snapshot && fallback === undefined) {
    // What each org's new events say changed; an event this read can't scope makes it a full read.
    const changesOf = new Map<string, OrgChanges>();
    for (const { key, name, isHub } of orgs) {
      const cursor = isHub ? snapshot.cursors.hub : snapshot.cursors.spokes[name];
      const kept = isHub ? undefined : snapshot.spokes[name];
      if (!cursor || (!isHub && !kept) || (isHub && !snapshot.hub)) {
        changesOf.set(key, { ...noChanges(), whole: 'not in the snapshot' });
        continue;
      }
      const changes = classify(name, isHub, kept?.live.app?.id, newEvents(cursor, answers.get(key)!));
      if ('unknown' in changes) {
        fallback = changes.unknown;
        break;
      }
      changesOf.set(key, changes);
    }
    if (fallback === undefined) {
      const hubChanges = changesOf.get(HUB) ?? noChanges();
      // A Hub group created or deleted can move a push mapping's status in the Spoke without a Spoke event.
      if (hubChanges.whole !== undefined) for (const name of spokeNames) changesOf.get(name)!.mappings = true;
      await Promise.all(
        spokeNames.map(async (name) => {
          const changes = changesOf.get(name)!;
          const kept = snapshot.spokes[name];
          if (!kept || spokeNeedsWholeRead(kept.live, changes) !== undefined) return;
          const inFlight = kept.live.appUsers.some((u) => u.syncState === 'SYNCING');
          if (isEmpty(changes) && !inFlight) {
            reuse.spokes[name] = kept;
            read.delete(name);
            return;
          }
          const spoke = desired.spokes.find((s) => s.name === name)!;
          try {
            reuse.spokes[name] = await patchSpoke(spoke, clients.spokes[name]!, kept, changes, options.onEvent);
            patched.add(name);
            read.delete(name);
          } catch (err) {
            // Read whole instead: an app that turned out to need it, or a Spoke that can't be read (the read says why).
            if (!(err instanceof WholeReadNeeded) && !(err instanceof Org2OrgError)) throw err;
          }
        }),
      );
      if (hubChanges.apps && spokeNames.some((n) => snapshot.spokes[n]?.live.serviceApp !== undefined)) reuse.serviceApps = true;
      const everySpokeKept = spokeNames.every((n) => reuse.spokes[n] !== undefined);
      if (clients.hub && snapshot.hub && hubChanges.whole === undefined && everySpokeKept) {
        const anyPatched = patched.size > 0;
        if (!anyPatched && isEmpty(hubChanges)) {
          reuse.hub = snapshot.hub;
          read.delete(HUB);
        } else {
          try {
            const before = Object.fromEntries(spokeNames.map((n) => [n, snapshot.spokes[n]!.live]));
            const now = Object.fromEntries(spokeNames.map((n) => [n, reuse.spokes[n]!.live]));
            const chosen = desired.spokes.filter((s) => spokeNames.includes(s.name));
            reuse.hub = await patchHub(clients.hub, chosen, snapshot.hub, before, now, hubChanges, options.onEvent);
            patched.add(HUB);
            read.delete(HUB);
          } catch (err) {
            if (!(err instanceof Org2OrgError)) throw err; // the whole read below says why the Hub can't be read
          }
        }
      }
    }
  }
  if (fallback !== undefined) {
    reuse.spokes = {};
    delete reuse.hub;
    delete reuse.serviceApps;
    patched.clear();
    for (const o of orgs) read.add(o.key);
  }

  const spokeNotes = new Map<string, LiveState['readProblems']>();
  const live = await readLiveState(desired, clients, {
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    reuse,
    spokeNotes,
  });

  const result: IncrementalResult = {
    live,
    mode: Object.keys(reuse.spokes).length > 0 || reuse.hub ? 'incremental' : 'full',
    read: orgs.filter((o) => read.has(o.key)).map((o) => o.name),
    patched: orgs.filter((o) => patched.has(o.key)).map((o) => o.name),
    reused: orgs.filter((o) => !read.has(o.key) && !patched.has(o.key)).map((o) => o.name),
  };
  if (fallback !== undefined) result.fallback = fallback;
  if (noSnapshot !== undefined) {
    result.noSnapshot = noSnapshot;
    return result;
  }
  const cursors: Snapshot['cursors'] = { spokes: {} };
  const spokes: Snapshot['spokes'] = {};
  for (const name of spokeNames) {
    const liveSpoke = live.spokes[name];
    if (!liveSpoke) continue; // unreadable: read again next time
    cursors.spokes[name] = cursorOf(answers.get(name)!, overlapMs);
    spokes[name] = { live: liveSpoke, notes: spokeNotes.get(name) ?? reuse.spokes[name]?.notes ?? [] };
  }
  const body: Omit<Snapshot, 'integrity'> = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, configDigest: digest, cursors, spokes };
  if (clients.hub && live.hub && live.hubUnreadable === undefined) {
    cursors.hub = cursorOf(answers.get(HUB)!, overlapMs);
    body.hub = live.hub;
  }
  const text = sealedSnapshotText(body);
  result.snapshotText = text;
  result.snapshot = { ...body, integrity: text.slice(-66, -2) };
  return result;
}
