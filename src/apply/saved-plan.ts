/**
 * A saved plan is a record of what was reviewed, never an instruction. `apply plan.json`
 * recomputes the plan from the config and the live orgs and carries out the recomputed one, and
 * only when its changes are exactly the saved ones (same actions, targets and bodies). A plan
 * file anyone edited — a user id, a profile value, a token variable, a base URL, a forged
 * change — therefore differs from the recomputation and is refused. Pure: no I/O.
 */
import { addressOf, parseAddress } from '../plan/address.js';
import type { Change, Plan, PlanFile, WrittenPlanFile } from '../plan/types.js';
import { computePhases } from './order.js';

/** Differences shown in full; the rest are counted. */
const MAX_LISTED = 20;

/**
 * The plan a file holds, once it passed its schema (schemas/plan.schema.json): each change's
 * address parsed into its resource, once, and checked for what a schema can't say: an address
 * org2org makes, the `spoke` and `kind` beside it the ones it names, each Spoke and address once,
 * dependencies without a cycle. Otherwise the problems, as `path: what is wrong`.
 */
export function planOfFile(file: WrittenPlanFile): { plan: PlanFile; problems?: undefined } | { problems: string[] } {
  const problems: string[] = [];
  const names = new Set<string>();
  const addresses = new Set<string>();
  const spokes = file.spokes.map((spoke, i) => {
    if (names.has(spoke.name)) problems.push(`spokes[${i}].name repeats the spoke ${JSON.stringify(spoke.name)}`);
    names.add(spoke.name);
    const changes = spoke.changes.flatMap(({ address, spoke: spokeName, kind, ...rest }, j): Change[] => {
      const at = `spokes[${i}].changes[${j}]`;
      if (addresses.has(address)) problems.push(`${at}.address repeats ${JSON.stringify(address)}`);
      addresses.add(address);
      // A Hub-wide address names no Spoke: the section listing it is its carrier.
      const resource = parseAddress(address, spoke.name);
      if (resource === undefined) {
        problems.push(`${at}.address ${JSON.stringify(address)} is not an address org2org makes`);
        return [];
      }
      if (resource.spoke !== spoke.name || spokeName !== spoke.name)
        problems.push(`${at}: the address and spoke must name its spoke ${JSON.stringify(spoke.name)}`);
      if (kind !== resource.kind) problems.push(`${at}.kind must be ${JSON.stringify(resource.kind)}, the kind its address names`);
      return [{ resource, ...rest }];
    });
    return { ...spoke, changes };
  });
  if (problems.length > 0) return { problems };
  for (const [i, spoke] of spokes.entries()) {
    try {
      computePhases(spoke.changes);
    } catch (error) {
      problems.push(`spokes[${i}].changes: ${(error as Error).message}`);
    }
  }
  return problems.length > 0 ? { problems } : { plan: { ...file, spokes } };
}

/**
 * How far along a saved plan is, judged by the recomputed one: the saved changes it still makes
 * (`remaining`, the addresses), and those it no longer calls for (`inPlace`: the config, the same
 * file by its digest, and the live orgs agree on those objects now, e.g. after a partial apply).
 */
export function savedPlanProgress(saved: Plan, now: Plan): { remaining: Set<string>; inPlace: number; total: number } {
  const nowAddresses = new Set(now.spokes.flatMap((s) => [...writing(s.changes).keys()]));
  const savedAddresses = saved.spokes.flatMap((s) => [...writing(s.changes).keys()]);
  const remaining = new Set(savedAddresses.filter((a) => nowAddresses.has(a)));
  return { remaining, inPlace: savedAddresses.length - remaining.size, total: savedAddresses.length };
}

/**
 * Every way the recomputed plan's changes differ from the saved plan's, in words; empty when
 * they are the saved changes or some of them (noops aside: they write nothing). A saved change the
 * recomputation no longer calls for is in place already, not a difference: a plan applied in part
 * can be finished, and one applied whole is done. A recomputed change the saved plan lacks, or makes
 * otherwise, is a difference.
 */
export function savedPlanDifferences(saved: Plan, now: Plan): string[] {
  const differences: string[] = [];
  if (saved.hubUrl !== now.hubUrl) differences.push(`hubUrl: the plan says ${show(saved.hubUrl)}, the config ${show(now.hubUrl)}`);
  const nowSpokes = new Map(now.spokes.map((s) => [s.name, s]));
  for (const spoke of saved.spokes) {
    const current = nowSpokes.get(spoke.name);
    if (!current) {
      differences.push(`spoke ${show(spoke.name)} is in the plan but not in the config`);
      continue;
    }
    if (spoke.url !== current.url)
      differences.push(`spoke ${spoke.name}: the plan's url is ${show(spoke.url)}, the config's ${show(current.url)}`);
    if (spoke.mode !== current.mode)
      differences.push(`spoke ${spoke.name}: the plan's mode is ${show(spoke.mode)}, the config's ${show(current.mode)}`);
    const savedChanges = writing(spoke.changes);
    const nowChanges = writing(current.changes);
    for (const [address, change] of savedChanges) {
      const other = nowChanges.get(address);
      if (!other) continue; // in place already (see savedPlanProgress)
      const paths = differingPaths(
        { kind: change.resource.kind, action: change.action, op: change.op },
        { kind: other.resource.kind, action: other.action, op: other.op },
        '',
      );
      if (paths.length > 0) differences.push(`${address}: ${paths.join('; ')}`);
    }
    for (const [address, change] of nowChanges) {
      if (!savedChanges.has(address))
        differences.push(`${address}: the config and the live orgs now call for a ${change.action} the plan does not have`);
    }
  }
  const savedNames = new Set(saved.spokes.map((s) => s.name));
  for (const spoke of now.spokes)
    if (!savedNames.has(spoke.name)) differences.push(`spoke ${spoke.name} is in the config but not in the plan`);
  if (differences.length <= MAX_LISTED) return differences;
  return [...differences.slice(0, MAX_LISTED), `… and ${differences.length - MAX_LISTED} more differences`];
}

function writing(changes: Change[]): Map<string, Change> {
  return new Map(changes.filter((c) => c.action !== 'noop').map((c) => [addressOf(c), c]));
}

/** Paths (`op.userId`) where two JSON values differ, each with both values; at most three. */
function differingPaths(saved: unknown, now: unknown, path: string): string[] {
  if (isObject(saved) && isObject(now)) {
    const out: string[] = [];
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
    for (const key of keys) {
      out.push(...differingPaths(saved[key], now[key], path ? `${path}.${key}` : key));
      if (out.length >= 3) return out.slice(0, 3);
    }
    return out;
  }
  if (Array.isArray(saved) && Array.isArray(now) && saved.length === now.length) {
    const out: string[] = [];
    for (let i = 0; i < saved.length && out.length < 3; i++) out.push(...differingPaths(saved[i], now[i], `${path}[${i}]`));
    return out.slice(0, 3);
  }
  if (JSON.stringify(saved) === JSON.stringify(now)) return [];
  return [`${path} is ${show(saved)} in the plan, ${show(now)} now`];
}

/** A value from a plan file, made safe and short enough to print. */
function show(value: unknown): string {
  const text = value === undefined ? 'absent' : JSON.stringify(value);
  // JSON escapes C0 controls; C1 controls and line separators it leaves as they are.
  const safe = text.replace(/[\u007f-\u009f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return safe.length > 80 ? `${safe.slice(0, 80)}…` : safe;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
