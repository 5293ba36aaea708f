/**
 * Creates Okta can't make conditional — the Spoke's Org2Org app (found by label) and the Hub's
 * service app (found by name) — followed by a uniqueness check, so that two applies racing
 * through the same create (an admin's and CI's) leave one, with no lock service.
 *
 * Invariant: after its POST, each apply lists the objects that answer to the same identity. When
 * there are several, every process picks the same survivor by one rule — earliest creation time,
 * then lowest id — whatever order it saw things in; an apply whose object lost removes it
 * (deactivate, then delete) before anything depends on it (the create's dependents wait for the
 * create, which then fails and skips them), and says what happened. The survivor's apply goes on;
 * the next plan (or a second apply started mid-way) sees the survivor and builds on it.
 */
import { sameLabel, ORG2ORG_APP_NAME } from '../state/app-identity.js';
import type { OktaClient } from '../okta/types.js';
import { readOrg2OrgApps } from '../state/find-app.js';

type Json = Record<string, unknown>;

export interface Made {
  id: string;
  /** Creation time in ms since the epoch (NaN when Okta gave none: sorts last). */
  createdMs: number;
}

/** The object every process keeps: earliest creation time, then lowest id (ties broken the same everywhere). */
export function survivor(made: readonly Made[]): Made {
  const time = (m: Made): number => (Number.isFinite(m.createdMs) ? m.createdMs : Number.POSITIVE_INFINITY);
  return [...made].sort((a, b) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0]!;
}

/** The objects of one identity after this process's create: the listing, with its own added if the list lags. */
function withOwn(listed: Made[], own: Made): Made[] {
  return listed.some((m) => m.id === own.id) ? listed : [...listed, own];
}

/** Thrown by the losing apply: its object is gone again, the other one stays. */
export class LostCreateRace extends Error {
  override name = 'LostCreateRace';
}

/**
 * After `POST /api/v1/apps` made `created`: the Spoke's Org2Org apps with the same label, and
 * this apply's app removed when another one is the survivor.
 */
export async function settleAppCreate(client: OktaClient, label: string, created: Json): Promise<void> {
  const own: Made = { id: String(created.id), createdMs: Date.parse(String(created.created ?? '')) };
  const listed = (await readOrg2OrgApps(client))
    .filter((a) => a.name === ORG2ORG_APP_NAME && typeof a.label === 'string' && sameLabel(a.label, label))
    .map((a): Made => ({ id: String(a.id), createdMs: Date.parse(String(a.created ?? '')) }));
  const all = withOwn(listed, own);
  const kept = survivor(all);
  if (kept.id === own.id) return;
  const path = `/api/v1/apps/${encodeURIComponent(own.id)}`;
  await removeOwn(
    `the Org2Org app "${label}" (${own.id})`,
    kept.id,
    async () => {
      await client.request('POST', `${path}/lifecycle/deactivate`, { idempotent: true });
      await client.request('DELETE', path);
    },
    'app',
  );
}

/**
 * After `POST /oauth2/v1/clients` made `created`: the Hub's clients with the same name, and this
 * apply's client removed when another one is the survivor. Okta dates a client to the second
 * (`client_id_issued_at`); the id settles a tie.
 */
export async function settleServiceAppCreate(hub: OktaClient, name: string, created: Json): Promise<void> {
  const madeOf = (c: Json): Made => ({
    id: String(c.client_id),
    createdMs: typeof c.client_id_issued_at === 'number' ? c.client_id_issued_at * 1000 : Number.NaN,
  });
  const own = madeOf(created);
  const listed = await hub.get<Json[]>('/oauth2/v1/clients', { q: name, limit: 200 });
  const all = withOwn((Array.isArray(listed) ? listed : []).filter((c) => c.client_name === name).map(madeOf), own);
  const kept = survivor(all);
  if (kept.id === own.id) return;
  const id = encodeURIComponent(own.id);
  await removeOwn(
    `the Hub's service app "${name}" (${own.id})`,
    kept.id,
    async () => {
      // A client made through /oauth2/v1/clients is also an app under the same id.
      await hub.request('POST', `/api/v1/apps/${id}/lifecycle/deactivate`, { idempotent: true });
      await hub.request('DELETE', `/oauth2/v1/clients/${id}`);
    },
    'service app',
  );
}

async function removeOwn(what: string, keptId: string, remove: () => Promise<void>, noun: string): Promise<void> {
  try {
    await remove();
  } catch (error) {
    throw new LostCreateRace(
      `another apply created the same ${noun} at the same time (${keptId}, kept); ${what}, made by this apply, could not be removed (${(error as Error).message}): delete it in the Admin Console, then plan again`,
    );
  }
  throw new LostCreateRace(
    `another apply created the same ${noun} at the same time (${keptId}, kept); ${what}, made by this apply, was removed again. Nothing depends on it; plan again to continue on the kept one`,
  );
}
