/**
 * The recorded Okta traffic in fixtures/okta-recorded (MPL-2.0, see its README), and the shape
 * arithmetic the contract tests share: a JSON value's key paths with their types.
 */
import { readFileSync } from 'node:fs';

export interface RecordedSample {
  test: string;
  interaction: number;
  method: string;
  url: string;
  request: unknown;
  code: number;
  link: string[];
  response: unknown;
}

export interface Recorded {
  kinds: Record<string, { kind: string; samples: RecordedSample[] }>;
  errors: { method: string; url: string; code: number; response: Record<string, unknown> }[];
}

export const FIXTURE = new URL('./fixtures/okta-recorded/interactions.json', import.meta.url);

export function loadRecorded(): Recorded {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Recorded;
}

export function samplesOf(recorded: Recorded, kind: string): RecordedSample[] {
  const entry = recorded.kinds[kind];
  if (!entry) throw new Error(`no recorded kind "${kind}"`);
  return entry.samples;
}

export type JsonType = 'null' | 'string' | 'number' | 'boolean' | 'object' | 'array';

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

/**
 * Every key path of a JSON value with the types seen there. Array elements share one path
 * (`items[]`), so a list's shape is the union of its elements' shapes.
 */
export function shapeOf(value: unknown, path = '', out = new Map<string, Set<JsonType>>()): Map<string, Set<JsonType>> {
  const at = out.get(path) ?? new Set<JsonType>();
  at.add(typeOf(value));
  out.set(path, at);
  if (Array.isArray(value)) for (const item of value) shapeOf(item, `${path}[]`, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) shapeOf(child, path === '' ? key : `${path}.${key}`, out);
  }
  return out;
}

/** Key paths of a request body (objects only: list elements are values, their keys are paths too). */
export function keyPaths(value: unknown): string[] {
  return [...shapeOf(value).keys()].filter((p) => p !== '');
}

/** Whether `path` is `pattern` or lies under it; `*` matches one segment. */
export function covered(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const re = new RegExp(`^${pattern.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\*/g, '[^.]+')}(\\..*|\\[\\].*)?$`);
    return re.test(path);
  });
}

export interface ShapeProblem {
  path: string;
  problem: string;
}

/**
 * The simulator's answer against the recorded ones: every path every recording has must be in
 * the simulator's answer with a type seen there (null stands for any type: Okta nulls what is
 * unset), and every path of the simulator's answer must be one some recording has. Paths under
 * `allowed` (fields org2org never reads) are not compared.
 */
export function compareShapes(recordings: unknown[], simulated: unknown, allowed: readonly string[]): ShapeProblem[] {
  const shapes = recordings.map((r) => shapeOf(r));
  const union = new Map<string, Set<JsonType>>();
  for (const shape of shapes) for (const [path, types] of shape) union.set(path, new Set([...(union.get(path) ?? []), ...types]));
  const everywhere = [...union.keys()].filter((path) => shapes.every((s) => s.has(path)));
  const sim = shapeOf(simulated);
  const problems: ShapeProblem[] = [];
  for (const path of everywhere) {
    if (covered(path, allowed)) continue;
    // A path under an empty recorded list or object can't be required of a non-empty answer, and vice versa.
    const types = sim.get(path);
    if (!types) {
      problems.push({ path, problem: 'recorded, missing in the simulator' });
      continue;
    }
    const recordedTypes = union.get(path)!;
    for (const t of types) {
      if (t === 'null' || recordedTypes.has('null') || recordedTypes.has(t)) continue;
      problems.push({ path, problem: `simulator has ${t}, recorded ${[...recordedTypes].join('|')}` });
    }
  }
  for (const path of sim.keys()) {
    if (path === '' || union.has(path) || covered(path, allowed)) continue;
    problems.push({ path, problem: 'in the simulator, never recorded' });
  }
  return problems;
}
