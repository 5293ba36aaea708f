/**
 * Is a saved plan still about the world as it is? Pure: compares the plan with a freshly read
 * LiveState and the config it was made from, and lists every difference in words. A non-empty
 * list means the plan is stale and must be refused (StalePlanError).
 */
import type { DesiredState } from '../config/types.js';
import { addressOf, liveFingerprintOf, parseAddress, type ResourceKey } from '../plan/address.js';
import type { PlanFile } from '../plan/types.js';
import type { LiveState } from '../state/types.js';

/**
 * Fingerprint of the live object a resource key names, `null` when that object does not exist now,
 * `undefined` when its Spoke was not read now or the kind has no fingerprinted objects (not
 * compared, rather than refusing every plan over a naming detail).
 */
function fingerprintNow(resource: ResourceKey, live: LiveState): string | null | undefined {
  const spoke = live.spokes[resource.spoke];
  return spoke ? liveFingerprintOf(spoke, resource) : undefined;
}

/**
 * `remaining`: when finishing a saved plan, the addresses it still has to change (see
 * savedPlanProgress). Only their objects must be as the plan read them: the others were changed by
 * the plan's own apply (or agree with the config by now), and the recomputed plan judges those.
 */
export function checkStale(plan: PlanFile, desired: DesiredState, live: LiveState, remaining?: ReadonlySet<string>): string[] {
  const differences: string[] = [];
  if (plan.config.digest !== desired.digest) {
    differences.push(
      `the config file ${desired.file} changed since the plan (digest ${short(plan.config.digest)} → ${short(desired.digest)})`,
    );
  }
  for (const spoke of plan.spokes) {
    if (!live.spokes[spoke.name]) differences.push(`spoke ${spoke.name} is in the plan but was not read now`);
  }

  const seen = new Set<string>();
  for (const [address, fingerprint] of Object.entries(plan.fingerprints)) {
    seen.add(address);
    if (remaining && !remaining.has(address)) continue;
    // An address that is not one org2org makes is not compared, rather than refusing the plan.
    const resource = parseAddress(address);
    const now = resource && fingerprintNow(resource, live);
    if (now === undefined) continue;
    if (now === null) differences.push(`${address} was removed since the plan`);
    else if (now !== fingerprint) differences.push(`${address} changed since the plan`);
  }

  // A change the plan computed without a live object (a create) is stale if the object now exists,
  // and a change with a live fingerprint the plan forgot to list is still checked.
  for (const spoke of plan.spokes) {
    if (!live.spokes[spoke.name]) continue;
    for (const change of spoke.changes) {
      const address = addressOf(change);
      if (seen.has(address) || (remaining && !remaining.has(address))) continue;
      const now = fingerprintNow(change.resource, live);
      if (now === undefined) continue;
      if (change.liveFingerprint === undefined) {
        if (now !== null) differences.push(`${address} was created since the plan`);
      } else if (now === null) {
        differences.push(`${address} was removed since the plan`);
      } else if (now !== change.liveFingerprint) {
        differences.push(`${address} changed since the plan`);
      }
    }
  }
  return differences;
}

function short(digest: string): string {
  return digest.slice(0, 12);
}
