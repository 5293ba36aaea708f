/**
 * Is a saved plan still about the world as it is? Pure: compares the plan with a freshly read
 * LiveState and the config it was made from, and lists every difference in words. A non-empty
 * list means the plan is stale and must be refused (StalePlanError).
 */
import type { DesiredState } from '../config/types.js';
import type { Plan } from '../plan/types.js';
import type { LiveSpoke, LiveState } from '../state/types.js';

/** A plan address taken apart: `spoke.emea.assignment.user["bob@acme.com"]`. */
export interface ParsedAddress {
  spoke: string;
  kind: string;
  /** The quoted natural key, when the address has one. */
  key?: string;
}

const ADDRESS = /^spoke\.([^.]+)\.([A-Za-z.]+?)(?:\[(".*")\])?$/;

export function parseAddress(address: string): ParsedAddress | undefined {
  const match = ADDRESS.exec(address);
  if (!match) return undefined;
  const [, spoke, kind, quoted] = match;
  if (spoke === undefined || kind === undefined) return undefined;
  if (quoted === undefined) return { spoke, kind };
  try {
    const key: unknown = JSON.parse(quoted);
    return typeof key === 'string' ? { spoke, kind, key } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fingerprint of the live object an address names, `null` when that object does not exist now,
 * `undefined` when the address is not one this function knows (not compared, rather than
 * refusing every plan over a naming detail).
 */
export function liveFingerprintAt(address: string, live: LiveState): string | null | undefined {
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  const spoke = live.spokes[parsed.spoke];
  if (!spoke) return null;
  return fingerprintInSpoke(spoke, parsed);
}

/** Per-spoke lookups by natural key, built once: a plan may list 100,000 assignments. */
interface SpokeIndex {
  users: Map<string, string>;
  groups: Map<string, string>;
  mappings: Map<string, string>;
}

const indexes = new WeakMap<LiveSpoke, SpokeIndex>();

function indexOf(spoke: LiveSpoke): SpokeIndex {
  let index = indexes.get(spoke);
  if (!index) {
    const mappings = new Map<string, string>();
    // Pushed groups are named by their Spoke source group; an unresolvable source by the mapping id.
    for (const m of spoke.pushMappings) mappings.set(m.sourceGroupName ?? m.id, m.fingerprint);
    index = {
      users: new Map(spoke.appUsers.map((u) => [u.loginKey, u.fingerprint])),
      groups: new Map(spoke.appGroups.map((g) => [g.name, g.fingerprint])),
      mappings,
    };
    indexes.set(spoke, index);
  }
  return index;
}

function fingerprintInSpoke(spoke: LiveSpoke, { kind, key }: ParsedAddress): string | null | undefined {
  switch (kind) {
    case 'app':
    case 'app.status': // the planner's address for activating the app: same live object
      return spoke.app?.fingerprint ?? null;
    case 'connection':
      return spoke.connection?.fingerprint ?? null;
    case 'features.toApp':
      return spoke.features?.toApp?.fingerprint ?? null;
    case 'features.toOkta':
      return spoke.features?.inbound?.fingerprint ?? null;
    case 'assignment.user':
      return key === undefined ? undefined : (indexOf(spoke).users.get(key.toLowerCase()) ?? null);
    case 'assignment.group':
      return key === undefined ? undefined : (indexOf(spoke).groups.get(key) ?? null);
    case 'pushMapping':
      return key === undefined ? undefined : (indexOf(spoke).mappings.get(key) ?? null);
    default:
      return undefined;
  }
}

export function checkStale(plan: Plan, desired: DesiredState, live: LiveState): string[] {
  const differences: string[] = [];
  if (plan.config.digest !== desired.digest) {
    differences.push(`the config file ${desired.file} changed since the plan (digest ${short(plan.config.digest)} → ${short(desired.digest)})`);
  }
  for (const spoke of plan.spokes) {
    if (!live.spokes[spoke.name]) differences.push(`spoke ${spoke.name} is in the plan but was not read now`);
  }

  const seen = new Set<string>();
  for (const [address, fingerprint] of Object.entries(plan.fingerprints)) {
    seen.add(address);
    const now = liveFingerprintAt(address, live);
    if (now === undefined || !live.spokes[parseAddress(address)!.spoke]) continue;
    if (now === null) differences.push(`${address} was removed since the plan`);
    else if (now !== fingerprint) differences.push(`${address} changed since the plan`);
  }

  // A change the plan computed without a live object (a create) is stale if the object now exists,
  // and a change with a live fingerprint the plan forgot to list is still checked.
  for (const spoke of plan.spokes) {
    if (!live.spokes[spoke.name]) continue;
    for (const change of spoke.changes) {
      if (seen.has(change.address)) continue;
      const now = liveFingerprintAt(change.address, live);
      if (now === undefined) continue;
      if (change.liveFingerprint === undefined) {
        if (now !== null) differences.push(`${change.address} was created since the plan`);
      } else if (now === null) {
        differences.push(`${change.address} was removed since the plan`);
      } else if (now !== change.liveFingerprint) {
        differences.push(`${change.address} changed since the plan`);
      }
    }
  }
  return differences;
}

function short(digest: string): string {
  return digest.slice(0, 12);
}
