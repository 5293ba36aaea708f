/** The apply engine's public API: run a plan, refuse a stale or unsafe one, follow --wait. */
export { applyPlan, applyEventOfClientEvent, changesToApply, DEFAULT_APPLY_CONCURRENCY, type ApplyClients, type ApplyOptions } from './apply-plan.js';
export { checkStale, liveFingerprintAt, parseAddress, type ParsedAddress } from './stale.js';
export { checkSafety, DEFAULT_MAX_REMOVALS, type SafetyOptions } from './safety.js';
export { waitForProvisioning, hubStatusFor, type WaitOptions } from './wait.js';
export type * from './types.js';
