/**
 * The plan as JSON (the `--out` plan file and `--format json`): 2-space indent, stable key
 * order — the plan's and each change's keys in a fixed reading order, everything nested in
 * alphabetical order — so the same plan always gives the same bytes.
 */
import { addressOf } from '../plan/address.js';
import type { Change, PlanFile, WrittenChange } from '../plan/types.js';
import { sortKeys } from './plan-lines.js';

const PLAN_KEYS = [
  'formatVersion',
  'tool',
  'createdAt',
  'config',
  'git',
  'hubUrl',
  'summary',
  'errored',
  'empty',
  'allowances',
  'guards',
  'diagnostics',
  'spokes',
  'fingerprints',
];
const SPOKE_KEYS = ['name', 'url', 'mode', 'changes', 'diagnostics'];
const CHANGE_KEYS = [
  'address',
  'spoke',
  'kind',
  'action',
  'name',
  'before',
  'after',
  'attributes',
  'instructions',
  'dependsOn',
  'liveFingerprint',
  'writes',
  'op',
];

export function renderPlanJson(plan: PlanFile): string {
  const spokes = plan.spokes.map((spoke) =>
    ordered({ ...spoke, changes: spoke.changes.map((c) => ordered(written(c), CHANGE_KEYS)) }, SPOKE_KEYS),
  );
  return `${JSON.stringify(ordered({ ...plan, spokes }, PLAN_KEYS), null, 2)}\n`;
}

/** A change as the file has it: its resource as its address, Spoke and kind, all made from it here. */
function written({ resource, ...change }: Change): WrittenChange {
  return { address: addressOf({ resource }), spoke: resource.spoke, kind: resource.kind, ...change };
}

/** Known keys first in the given order, unknown ones after them sorted; values sorted deeply. */
function ordered(object: Record<string, unknown> | object, known: string[]): Record<string, unknown> {
  const source = object as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of known) {
    if (source[key] !== undefined) out[key] = alreadyOrdered(key, source[key]);
  }
  for (const key of Object.keys(source).sort()) {
    if (!known.includes(key) && source[key] !== undefined) out[key] = sortKeys(source[key]);
  }
  return out;
}

/** `spokes` and `changes` were ordered by the caller; everything else is sorted here. */
function alreadyOrdered(key: string, value: unknown): unknown {
  return key === 'spokes' || key === 'changes' ? value : sortKeys(value);
}
