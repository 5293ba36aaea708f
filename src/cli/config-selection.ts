/**
 * The config a command works on: the loader's signature (tests inject their own) and the config
 * restricted to the Spokes named with --spoke.
 */
import type { DesiredState } from '../config/types.js';
import { UsageError, type SourceProblem } from '../errors.js';
import type { Env } from './io.js';

export type LoadConfig = (
  file: string,
  options: { env?: Env; requireSecrets: boolean; spokes?: readonly string[] },
) => Promise<{ desired: DesiredState; warnings: SourceProblem[] }>;

/** The config restricted to the named Spokes (all when none are named); unknown names are a usage error. */
export function selectSpokes(desired: DesiredState, names: readonly string[]): DesiredState {
  if (names.length === 0) return desired;
  const known = desired.spokes.map((s) => s.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    const list = unknown.map((n) => `"${n}"`).join(', ');
    throw new UsageError(`no spoke named ${list} in ${desired.file} (spokes: ${known.join(', ') || 'none'}).`);
  }
  return { ...desired, spokes: desired.spokes.filter((s) => names.includes(s.name)) };
}
