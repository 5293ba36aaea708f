/**
 * A saved plan is a record of what was reviewed, never an instruction. `apply plan.json`
 * recomputes the plan from the config and the live orgs and carries out the recomputed one, and
 * only when its changes are exactly the saved ones (same actions, targets and bodies). A plan
 * file anyone edited — a user id, a profile value, a token variable, a base URL, a forged
 * change — therefore differs from the recomputation and is refused. Pure: no I/O.
 */
import { parseAddress } from '../plan/address.js';
import type { Change, Plan } from '../plan/types.js';
import { computePhases } from './order.js';

/** Differences shown in full; the rest are counted. */
const MAX_LISTED = 20;

/**
 * Problems with the shape of a parsed plan file, as `path: what is wrong`; empty when every
 * field apply reads has the type it expects (so a hand-made file can't crash it).
 */
export function savedPlanProblems(value: unknown): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, path: string, what: string): boolean => {
    if (!ok) problems.push(`${path} ${what}`);
    return ok;
  };
  if (!need(isObject(value), 'the file', 'must be a JSON object')) return problems;
  const plan = value as Record<string, unknown>;
  if (need(isObject(plan.config), 'config', 'must be an object')) {
    const config = plan.config as Record<string, unknown>;
    need(typeof config.file === 'string', 'config.file', 'must be a string');
    need(typeof config.digest === 'string', 'config.digest', 'must be a string');
  }
  need(typeof plan.hubUrl === 'string', 'hubUrl', 'must be a string');
  if (need(isObject(plan.fingerprints), 'fingerprints', 'must be an object')) {
    for (const [address, fp] of Object.entries(plan.fingerprints as Record<string, unknown>))
      need(typeof fp === 'string', `fingerprints[${JSON.stringify(address)}]`, 'must be a string');
  }
  if (!need(Array.isArray(plan.spokes), 'spokes', 'must be a list')) return problems;
  const names = new Set<string>();
  const addresses = new Set<string>();
  (plan.spokes as unknown[]).forEach((spoke, i) => {
    const at = `spokes[${i}]`;
    if (!need(isObject(spoke), at, 'must be an object')) return;
    const s = spoke as Record<string, unknown>;
    if (need(typeof s.name === 'string', `${at}.name`, 'must be a string')) {
      need(!names.has(s.name as string), `${at}.name`, `repeats the spoke ${JSON.stringify(s.name)}`);
      names.add(s.name as string);
    }
    need(typeof s.url === 'string', `${at}.url`, 'must be a string');
    need(s.mode === 'managed' || s.mode === 'observe', `${at}.mode`, 'must be "managed" or "observe"');
    need(Array.isArray(s.diagnostics), `${at}.diagnostics`, 'must be a list');
    if (!need(Array.isArray(s.changes), `${at}.changes`, 'must be a list')) return;
    (s.changes as unknown[]).forEach((change, j) => {
      const cat = `${at}.changes[${j}]`;
      if (!need(isObject(change), cat, 'must be an object')) return;
      const c = change as Record<string, unknown>;
      for (const field of ['address', 'spoke', 'kind', 'action', 'name'])
        need(typeof c[field] === 'string', `${cat}.${field}`, 'must be a string');
      if (typeof c.address === 'string') {
        need(!addresses.has(c.address), `${cat}.address`, `repeats ${JSON.stringify(c.address)}`);
        need(parseAddress(c.address) !== undefined, `${cat}.address`, `${JSON.stringify(c.address)} is not an address org2org makes`);
        addresses.add(c.address);
      }
      need(c.spoke === s.name, `${cat}.spoke`, `must be its spoke's name ${JSON.stringify(s.name)}`);
      need(
        ['create', 'update', 'delete', 'noop', 'manual'].includes(c.action as string),
        `${cat}.action`,
        'must be create, update, delete, noop or manual',
      );
      need(
        Array.isArray(c.dependsOn) && c.dependsOn.every((d) => typeof d === 'string'),
        `${cat}.dependsOn`,
        'must be a list of addresses',
      );
      need(c.liveFingerprint === undefined || typeof c.liveFingerprint === 'string', `${cat}.liveFingerprint`, 'must be a string');
      if (need(isObject(c.op), `${cat}.op`, 'must be an object'))
        need(typeof (c.op as Record<string, unknown>).type === 'string', `${cat}.op.type`, 'must be a string');
    });
  });
  if (problems.length > 0) return problems;
  for (const [i, spoke] of (plan.spokes as { changes: Change[] }[]).entries()) {
    try {
      computePhases(spoke.changes);
    } catch (error) {
      problems.push(`spokes[${i}].changes: ${(error as Error).message}`);
    }
  }
  return problems;
}

/**
 * Every way the recomputed plan's changes differ from the saved plan's, in words; empty when
 * they are the same changes (noops aside: they write nothing).
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
      if (!other) {
        differences.push(`${address}: the plan would ${change.action} it, but the config and the live orgs call for no such change now`);
        continue;
      }
      const paths = differingPaths(
        { kind: change.kind, action: change.action, op: change.op },
        { kind: other.kind, action: other.action, op: other.op },
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
  return new Map(changes.filter((c) => c.action !== 'noop').map((c) => [c.address, c]));
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
