/**
 * Fingerprints of live objects: a short sha256 of a canonical JSON (keys sorted, undefined
 * dropped). The planner records them and apply's stale check recomputes them from a fresh read,
 * so the canonical form must not depend on key order or on which optional fields were present.
 *
 * Written straight to one string (no sorted copy of the object) and hashed in one call: the
 * reader fingerprints every app user, so this runs 50,000 times on a large Spoke.
 */
import * as crypto from 'node:crypto';

/** JSON with object keys sorted at every depth; `undefined` members are left out as JSON does. */
export function canonicalJson(value: unknown): string {
  return write(value, undefined);
}

/** `skip`: a top-level key left out (the fingerprint itself). */
function write(value: unknown, skip: string | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + write(value[i], undefined);
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const v = record[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol' || key === skip) continue;
    out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + write(v, undefined);
  }
  return out + '}';
}

/** One-shot `crypto.hash` where Node has it (20.12+), the same sha256 through createHash before. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');
const digest = (text: string): string => sha256Hex(text).slice(0, 16);

/** 16 hex characters (64 bits): plenty to tell two states of one object apart. */
export function fingerprintOf(value: unknown): string {
  return digest(canonicalJson(value));
}

/** The object (not a copy) with its `fingerprint` set from everything else in it. */
export function withFingerprint<T extends object>(value: T): T & { fingerprint: string } {
  const out = value as T & { fingerprint: string };
  out.fingerprint = digest(write(value, 'fingerprint'));
  return out;
}
