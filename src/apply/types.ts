/**
 * Apply's contract: `applyPlan(plan, clients, { onEvent })` (./apply-plan.ts) runs a Plan's changes
 * and reports through events; it never prints. Renderers (text and Ink) turn events into lines.
 */
import type { RateLimitReason } from '../okta/types.js';
import type { Change } from '../plan/types.js';

export type Outcome = 'applied' | 'failed' | 'skipped';

export interface ChangeResult {
  address: string;
  spoke: string;
  action: Change['action'];
  outcome: Outcome;
  /** Why it failed (Okta's message) or was skipped (which dependency failed). */
  message?: string;
  ms?: number;
}

export type ApplyEvent =
  | { type: 'apply-start'; total: number }
  | { type: 'change-start'; change: Change }
  | { type: 'change-done'; change: Change; ms: number }
  | { type: 'change-failed'; change: Change; message: string }
  | { type: 'change-skipped'; change: Change; reason: string }
  | { type: 'rate-limit-wait'; org: string; bucket: string; until: number; reason: RateLimitReason }
  | { type: 'wait-progress'; message: string; done: number; total: number }
  | { type: 'apply-end'; result: ApplyResult };

export interface HubVerification {
  /** attribute: a carried attribute's value on a sample of the Hub users this apply created. */
  kind: 'user' | 'group' | 'attribute';
  spoke: string;
  name: string;
  ok: boolean;
  /** e.g. "ACTIVE as asked by active_with_pass", or what is missing. */
  detail: string;
}

export interface ApplyResult {
  results: ChangeResult[];
  applied: number;
  failed: number;
  skipped: number;
  /** Spoke name → id of the Org2Org app created by this apply (for --wait and the summary). */
  appIds?: Record<string, string>;
  /** With --wait: what was found in the Hub. */
  verification?: HubVerification[];
  /** Stopped early (Ctrl-C): changes not started are `skipped` with INTERRUPTED_REASON. */
  interrupted?: boolean;
}

/** Why a change was not started when apply was stopped: the next apply picks it up. */
export const INTERRUPTED_REASON = 'not started: apply was interrupted';
