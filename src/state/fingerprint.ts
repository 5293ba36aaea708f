/**
 * Fingerprints of live objects: a short sha256 of a canonical JSON (keys sorted, undefined
 * dropped). The planner records them and apply's stale check recomputes them from a fresh read,
 * so the canonical form must not depend on key order or on which optional fields were present.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth; `undefined` members are left out as JSON does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortDeep(v);
    }
    return out;
  }
  return value;
}

/** 16 hex characters (64 bits): plenty to tell two states of one object apart. */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** The object with its `fingerprint` set from everything else in it. */
export function withFingerprint<T extends object>(value: T): T & { fingerprint: string } {
  const { fingerprint: _ignored, ...rest } = value as T & { fingerprint?: string };
  return { ...(rest as T), fingerprint: fingerprintOf(rest) };
}
