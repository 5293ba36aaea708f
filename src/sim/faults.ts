/**
 * Fault injection: a seeded RNG, the rules that pick requests to fail, and the `--faults` syntax.
 *
 *   SPEC  := RULE ("," RULE)*
 *   RULE  := KIND ["@" PROBABILITY] ["x" TIMES] [":" [METHOD " "] PATH]
 *   KIND  := 500 | 502 | 503 | 504 | reset | slow=MS
 * e.g. `503@0.05`, `reset@0.01:GET /api/v1/apps/*`, `slow=2000@0.1`, `500x3:POST /api/v1/apps/{appId}/users`.
 */
import type { FaultRule } from './types.js';

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function parseFaultSpec(spec: string): FaultRule[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text) => {
      const m = /^(\d{3}|reset|slow=(\d+))(?:@([0-9.]+))?(?:x(\d+))?(?::\s*(?:([A-Za-z]+)\s+)?(\S+))?$/.exec(text);
      if (!m)
        throw new Error(
          `bad fault rule "${text}": expected KIND[@PROBABILITY][xTIMES][:[METHOD ]PATH], KIND = 500|502|503|504|reset|slow=MS`,
        );
      const [, kind, slowMs, prob, times, method, path] = m;
      const rule: FaultRule =
        kind === 'reset'
          ? { kind: 'reset' }
          : slowMs !== undefined
            ? { kind: 'slow', delayMs: Number(slowMs) }
            : { kind: 'error', status: Number(kind) };
      if (rule.kind === 'error' && (rule.status! < 500 || rule.status! > 599))
        throw new Error(`bad fault rule "${text}": status must be 5xx`);
      if (prob !== undefined) {
        const p = Number(prob);
        if (!(p >= 0 && p <= 1)) throw new Error(`bad fault rule "${text}": probability must be between 0 and 1`);
        rule.probability = p;
      }
      if (times !== undefined) rule.times = Number(times);
      if (method) rule.method = method.toUpperCase();
      if (path) rule.path = path;
      return rule;
    });
}

interface CompiledRule {
  rule: FaultRule;
  pathPattern: RegExp | undefined;
  used: number;
  /** Requests held at a barrier rule, released together. */
  held: (() => void)[];
}

/** Decides, per request, which fault (if any) applies. */
export class FaultInjector {
  private readonly rules: CompiledRule[];

  constructor(
    rules: FaultRule[],
    private readonly rng: () => number,
  ) {
    this.rules = rules.map((rule) => ({ rule, pathPattern: rule.path ? globToRegExp(rule.path) : undefined, used: 0, held: [] }));
  }

  /** A request that hit barrier `rule`: resolves once `count` have arrived, or its longest hold passed. */
  arrive(rule: FaultRule): Promise<void> {
    const c = this.rules.find((r) => r.rule === rule);
    if (!c) return Promise.resolve();
    return new Promise((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        // Nobody else came: go on alone, and stop counting this request.
        c.held.splice(c.held.indexOf(release), 1);
        resolve();
      }, rule.delayMs ?? 10_000);
      c.held.push(release);
      if (c.held.length >= (rule.count ?? 2)) for (const r of c.held.splice(0)) r();
    });
  }

  pick(org: string, method: string, path: string, template: string | undefined): FaultRule[] {
    const hits: FaultRule[] = [];
    for (const c of this.rules) {
      const r = c.rule;
      if (r.org && r.org !== org) continue;
      if (r.method && r.method !== method) continue;
      if (c.pathPattern && !c.pathPattern.test(path) && !(template !== undefined && c.pathPattern.test(template))) continue;
      if (r.times !== undefined && c.used >= r.times) continue;
      if (this.rng() >= (r.probability ?? 1)) continue;
      c.used++;
      hits.push(r);
    }
    return hits;
  }
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  // `{appId}` in a rule matches one path segment of a real path, or itself in a template.
  return new RegExp('^' + escaped.replace(/\{[^}]+\}/g, (m) => `(?:[^/]+|\\{${m.slice(1, -1)}\\})`) + '$');
}
