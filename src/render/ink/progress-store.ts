/**
 * What the Ink progress view shows, kept outside React: events go in as they come (before the
 * Ink app has even loaded), the view reads a snapshot on each render. A version number is the
 * React snapshot, so an apply of thousands of changes never copies growing arrays per event.
 */
import { INTERRUPTED_REASON, type ApplyEvent, type ApplyResult } from '../../apply/types.js';
import type { ClientEvent } from '../../okta/types.js';
import type { Change } from '../../plan/types.js';
import type { ReadEvent } from '../../state/types.js';
import { counted } from '../plan-lines.js';
import { RateLimitWaits, type FinishedRow } from '../progress-text.js';
import { addressOf } from '../../plan/address.js';

export interface CollectionRead {
  collection: string;
  count: number;
  done: boolean;
}

export interface OrgRead {
  org: string;
  collections: Map<string, CollectionRead>;
}

/** Rows that scroll up and stay: finished changes and messages, appended only (Ink's <Static>). */
export type LogEntry = { kind: 'row'; row: FinishedRow } | { kind: 'message'; text: string };
export type LogItem = LogEntry & { id: number };

export interface ApplyCounts {
  total: number;
  startedAt: number;
  applied: number;
  failed: number;
  skipped: number;
}

export interface ProgressSnapshot {
  orgs: Map<string, OrgRead>;
  apply: ApplyCounts | undefined;
  running: Map<string, { change: Change; startedAt: number }>;
  log: LogItem[];
  waits: RateLimitWaits;
  waitProgress: { message: string; done: number; total: number } | undefined;
  result: { result: ApplyResult; elapsedMs: number | undefined } | undefined;
  requests: number;
  /**
   * Requests sent and not yet answered (a slot was free and the bucket allowed it): the changes
   * started beyond these are queued in the client, for a slot or the rate limit.
   */
  inFlight: number;
  retries: number;
  /** The run is over: draw the last frame without spinners. */
  stopped: boolean;
}

export interface ProgressStore {
  readonly state: ProgressSnapshot;
  readonly now: () => number;
  read(event: ReadEvent): void;
  client(event: ClientEvent): void;
  apply(event: ApplyEvent): void;
  message(text: string): void;
  stop(): void;
  /** For React's useSyncExternalStore. */
  subscribe(listener: () => void): () => void;
  version(): number;
}

export function createProgressStore(now: () => number = Date.now): ProgressStore {
  const state: ProgressSnapshot = {
    orgs: new Map(),
    apply: undefined,
    running: new Map(),
    log: [],
    waits: new RateLimitWaits(),
    waitProgress: undefined,
    result: undefined,
    requests: 0,
    inFlight: 0,
    retries: 0,
    stopped: false,
  };
  const listeners = new Set<() => void>();
  let version = 0;
  let nextId = 0;
  const changed = (): void => {
    version += 1;
    for (const listener of listeners) listener();
  };
  const append = (entry: LogEntry): void => {
    state.log.push({ ...entry, id: nextId++ });
  };
  return {
    state,
    now,
    read(event) {
      noteRead(state, event);
      changed();
    },
    client(event) {
      if (noteClientEvent(state, event, now)) changed();
    },
    apply(event) {
      noteApplyEvent(state, event, now, append);
      changed();
    },
    message(text) {
      append({ kind: 'message', text });
      changed();
    },
    stop() {
      state.stopped = true;
      changed();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    version: () => version,
  };
}

function noteRead(state: ProgressSnapshot, event: ReadEvent): void {
  let org = state.orgs.get(event.org);
  if (!org) {
    org = { org: event.org, collections: new Map() };
    state.orgs.set(event.org, org);
  }
  const count = event.type === 'read-start' ? 0 : event.count;
  org.collections.set(event.collection, { collection: event.collection, count, done: event.type === 'read-done' });
}

/** Whether the event changed what is shown (requests, retries and rate-limit waits do). */
function noteClientEvent(state: ProgressSnapshot, event: ClientEvent, now: () => number): boolean {
  if (event.type === 'request') state.inFlight += 1;
  else if (event.type === 'response') {
    state.requests += 1;
    state.inFlight = Math.max(0, state.inFlight - 1);
  } else if (event.type === 'retry') {
    state.retries += 1;
    // A retry after a network failure had no response: its request is no longer in flight.
    if (!event.rateLimit && !/^HTTP \d/.test(event.reason)) state.inFlight = Math.max(0, state.inFlight - 1);
  } else if (event.type === 'rate-limit-wait') {
    state.waits.note({ org: event.org, bucket: event.bucket, until: event.until, concurrency: event.reason === 'concurrency' }, now());
  } else return false;
  return true;
}

function noteApplyEvent(state: ProgressSnapshot, event: ApplyEvent, now: () => number, append: (entry: LogEntry) => void): void {
  const finished = (row: FinishedRow, count: 'applied' | 'failed' | 'skipped', shown = true): void => {
    state.running.delete(addressOf(row.change));
    if (state.apply) state.apply[count] += 1;
    if (shown) append({ kind: 'row', row });
  };
  switch (event.type) {
    case 'apply-start':
      // Reads end when writes begin: their per-org totals move up into the log, above the rows.
      for (const line of readSummaryLines(state.orgs)) append({ kind: 'message', text: line });
      state.orgs.clear();
      state.apply = { total: event.total, startedAt: now(), applied: 0, failed: 0, skipped: 0 };
      state.result = undefined;
      return;
    case 'change-start':
      state.running.set(addressOf(event.change), { change: event.change, startedAt: now() });
      return;
    case 'change-done':
      return finished({ outcome: 'applied', change: event.change, ms: event.ms }, 'applied');
    case 'change-failed':
      return finished({ outcome: 'failed', change: event.change, message: event.message }, 'failed');
    case 'change-skipped':
      // Skipped for a failed dependency: it never started. A manual change did.
      return finished({ outcome: 'skipped', change: event.change, reason: event.reason }, 'skipped', event.reason !== INTERRUPTED_REASON);
    case 'rate-limit-wait':
      state.waits.note({ org: event.org, bucket: event.bucket, until: event.until, concurrency: event.reason === 'concurrency' }, now());
      return;
    case 'wait-progress':
      state.waitProgress = { message: event.message, done: event.done, total: event.total };
      return;
    case 'apply-end':
      state.running.clear();
      state.inFlight = 0;
      state.waitProgress = undefined;
      // apply-end may come again after --wait (with the Hub's verification): the apply took
      // as long as the first one said.
      state.result = {
        result: event.result,
        elapsedMs: state.result?.elapsedMs ?? (state.apply ? now() - state.apply.startedAt : undefined),
      };
      return;
  }
}

export interface OrgTotals {
  org: string;
  objects: number;
  collections: number;
  done: number;
  running: CollectionRead[];
}

export function orgTotals(org: OrgRead): OrgTotals {
  let objects = 0;
  let done = 0;
  const running: CollectionRead[] = [];
  for (const c of org.collections.values()) {
    objects += c.count;
    if (c.done) done += 1;
    else running.push(c);
  }
  return { org: org.org, objects, collections: org.collections.size, done, running };
}

/** "emea: 2,431 objects in 9 collections" per org whose reads have finished. */
export function readSummaryLines(orgs: Map<string, OrgRead>): string[] {
  return [...orgs.values()].map((org) => {
    const t = orgTotals(org);
    const tail = t.running.length > 0 ? ` (${t.running.length} unfinished)` : '';
    return `read ${t.org}: ${counted(t.objects, 'object')} in ${counted(t.collections, 'collection')}${tail}`;
  });
}
