/**
 * Who changed an object and when, from the org's System Log (`GET /api/v1/logs`), for the drift
 * a `propose` run turns into a pull request. Asked by target id (never by event type, whose names
 * for push mappings and settings are not settled: docs/okta-fidelity.md), as a bounded query
 * (`until` given: a query without it is a polling query that never ends its `next` links), newest
 * first, one page of up to 1,000 events per 20 ids. A token that may not read the log (or an org
 * that refuses) makes it `unreadable`, never an error: the drift is real without it.
 */
import { OktaApiError } from '../okta/errors.js';
import type { OktaClient } from '../okta/types.js';

export interface LastChange {
  /** The actor's login (alternateId), or its display name. */
  actor: string;
  /** ISO time of the event. */
  published: string;
  eventType: string;
}

export interface ChangeHistory {
  /** The newest event of each target id that has one. */
  byTarget: Map<string, LastChange>;
  /** Why the log could not be read (then byTarget is empty). */
  unreadable?: string;
}

const IDS_PER_QUERY = 20;
/** Okta's default window when `since` is not given; the log keeps 90 days. */
const LOOK_BACK_MS = 7 * 24 * 3600_000;

interface LogEventJson {
  published?: string;
  eventType?: string;
  actor?: { alternateId?: string; displayName?: string };
  target?: { id?: string }[];
}

export async function readChangeHistory(client: OktaClient, targetIds: readonly string[], now: Date): Promise<ChangeHistory> {
  const byTarget = new Map<string, LastChange>();
  const ids = [...new Set(targetIds)].filter((id) => /^[A-Za-z0-9_-]+$/.test(id));
  const until = now.toISOString();
  const since = new Date(now.getTime() - LOOK_BACK_MS).toISOString();
  try {
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY);
      const filter = chunk.map((id) => `target.id eq "${id}"`).join(' or ');
      const events = await client.get<LogEventJson[]>('/api/v1/logs', { since, until, filter, sortOrder: 'DESCENDING', limit: 1000 });
      for (const event of Array.isArray(events) ? events : []) {
        for (const target of event.target ?? []) {
          if (!target.id || !chunk.includes(target.id) || byTarget.has(target.id)) continue;
          byTarget.set(target.id, {
            actor: event.actor?.alternateId ?? event.actor?.displayName ?? 'unknown',
            published: event.published ?? '',
            eventType: event.eventType ?? '',
          });
        }
      }
    }
  } catch (err) {
    if (!(err instanceof OktaApiError)) throw err;
    return {
      byTarget: new Map(),
      unreadable: `the System Log could not be read (${err.status}${err.errorSummary ? `: ${err.errorSummary}` : ''})`,
    };
  }
  return { byTarget };
}
