/**
 * The GitHub Actions workflows of a config repository, written by `org2org init` from the examples
 * this package ships (examples/github-actions/*.yml, the one copy of what the workflows do), fitted
 * to a config: the matrix lists its Spokes, and the step environments hand each job exactly the
 * variables the config refers to — the Hub's and those several Spokes share to every job, a
 * Spoke's own only to its own job (`matrix.spoke == 'emea' && secrets.X || ''`). URLs come from
 * repository variables (`vars.`), everything else from secrets.
 */
import { fileURLToPath } from 'node:url';
import { isMap, isPair, isScalar, isSeq, parse, parseDocument, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { referencedNames } from '../config/env-refs.js';

/** The example workflows in this package: the files `init` writes under .github/workflows/. */
export const WORKFLOW_TEMPLATES_DIR = fileURLToPath(new URL('../../examples/github-actions/', import.meta.url));
export const WORKFLOW_FILES = ['plan-on-pr.yml', 'apply-after-merge.yml', 'drift-check.yml'] as const;

export interface Variable {
  name: string;
  /** Where CI keeps it: URLs are repository variables, the rest secrets. */
  from: 'vars' | 'secrets';
}

export interface ConfigVariables {
  spokes: string[];
  /** Referred to by the Hub's part or by more than one Spoke: every job gets them. */
  shared: Variable[];
  /** Each Spoke's own variables: only its job gets them. */
  bySpoke: Record<string, Variable[]>;
}

/** The variables a config refers to, by who needs them. `text` is the config's YAML (already valid). */
export function configVariables(text: string): ConfigVariables {
  const data = (parse(text) ?? {}) as { hub?: unknown; spokes?: Array<{ name?: unknown }> };
  const hub = collect(data.hub);
  const spokes = (data.spokes ?? []).map((s) => ({ name: String(s.name), vars: collect(s) }));
  const users = new Map<string, number>();
  for (const s of spokes) for (const v of s.vars.keys()) users.set(v, (users.get(v) ?? 0) + 1);
  const sharedNames = new Set([...hub.keys(), ...[...users].filter(([, n]) => n > 1).map(([v]) => v)]);
  const merged = new Map([...hub, ...spokes.flatMap((s) => [...s.vars])]);
  return {
    spokes: spokes.map((s) => s.name),
    shared: [...sharedNames].map((name) => ({ name, from: merged.get(name)! })),
    bySpoke: Object.fromEntries(
      spokes.map((s) => [s.name, [...s.vars].filter(([name]) => !sharedNames.has(name)).map(([name, from]) => ({ name, from }))]),
    ),
  };
}

/** name → where it comes from, in the order of first reference; a name used for a URL anywhere is a variable. */
function collect(node: unknown, key = '', into = new Map<string, Variable['from']>()): Map<string, Variable['from']> {
  if (typeof node === 'string') {
    for (const name of referencedNames(node)) {
      const from = key === 'url' ? 'vars' : 'secrets';
      if (!into.has(name) || from === 'vars') into.set(name, from);
    }
  } else if (Array.isArray(node)) {
    for (const item of node) collect(item, key, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) collect(v, k, into);
  }
  return into;
}

/** `${{ vars.X }}`, `${{ secrets.X }}` or `${{ matrix.spoke == 'S' && secrets.X || '' }}` (the forms the templates use). */
const CONFIG_VARIABLE = /^\$\{\{\s*(?:matrix\.spoke == '[^']*' && )?(?:vars|secrets)\.[A-Za-z_][A-Za-z0-9_]*(?: \|\| '')?\s*\}\}$/;

export interface RenderWorkflowOptions {
  /** `owner/repo@ref` of the org2org Action, replacing the templates' own reference to it. */
  action?: string;
}

/**
 * A template workflow fitted to `vars`: every `matrix.spoke` list becomes the config's Spokes, and
 * in every step environment that hands config variables to a step, those entries are replaced by
 * the config's own, in place (the step's other entries and the file's comments stay).
 */
export function renderWorkflow(template: string, vars: ConfigVariables, options: RenderWorkflowOptions = {}): string {
  const doc = parseDocument(template);
  const jobs = doc.get('jobs');
  if (!isMap(jobs)) return template;
  for (const pair of jobs.items) {
    const job = pair.value;
    if (!isMap(job)) continue;
    const matrix = job.getIn(['strategy', 'matrix'], true);
    if (isMap(matrix) && matrix.has('spoke')) {
      const list = doc.createNode(vars.spokes);
      list.flow = true;
      const old = matrix.get('spoke', true);
      if (isSeq(old) && old.comment) list.comment = old.comment;
      matrix.set('spoke', list);
    }
    const steps = job.get('steps');
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const uses = step.get('uses');
      if (options.action && typeof uses === 'string' && /^[^/@\s]+\/org2org@/.test(uses)) step.set('uses', options.action);
      const env = step.get('env');
      if (isMap(env)) replaceConfigVariables(doc, env as YAMLMap<Scalar, Scalar>, vars);
    }
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function replaceConfigVariables(doc: ReturnType<typeof parseDocument>, env: YAMLMap<Scalar, Scalar>, vars: ConfigVariables): void {
  const isConfigVariable = (p: Pair<Scalar, Scalar>): boolean => isScalar(p.value) && CONFIG_VARIABLE.test(String(p.value.value));
  const at = env.items.findIndex((p) => isPair(p) && isConfigVariable(p));
  if (at < 0) return;
  const kept = env.items.filter((p) => !isConfigVariable(p));
  const entry = (key: string, value: string): Pair<Scalar, Scalar> => doc.createPair(key, value) as Pair<Scalar, Scalar>;
  const fresh: Pair<Scalar, Scalar>[] = vars.shared.map((v) => entry(v.name, `\${{ ${v.from}.${v.name} }}`));
  let first = true;
  for (const spoke of vars.spokes) {
    for (const v of vars.bySpoke[spoke] ?? []) {
      const pair = entry(v.name, `\${{ matrix.spoke == '${spoke}' && ${v.from}.${v.name} || '' }}`);
      if (first)
        (pair.key as Scalar).commentBefore = " A Spoke's own variables reach only its own job; elsewhere they are empty and unread.";
      first = false;
      fresh.push(pair);
    }
  }
  const before = kept.filter((p) => env.items.indexOf(p) < at);
  env.items = [...before, ...fresh, ...kept.slice(before.length)];
}
