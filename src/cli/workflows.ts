/**
 * The GitHub Actions workflows of a config repository, written by `org2org init` from the examples
 * this package ships (examples/github-actions/*.yml, the one copy of what the workflows do), fitted
 * to a config: the matrix lists its Spokes, and the step environments hand each job exactly the
 * variables the config refers to — the Hub's and those several Spokes share to every job, a
 * Spoke's own only to its own job (`matrix.spoke == 'emea' && secrets.X || ''`). URLs come from
 * repository variables (`vars.`), everything else from secrets. A step environment of a template
 * that hands no apply-only secret (the plan and drift jobs) hands none of the config's either, and
 * one that maps credentials onto read-only secrets maps the config's the same way.
 */
import { readFileSync } from 'node:fs';
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
  /**
   * What it is for: an org's URL, org2org's own credential for an org (`auth`: what a read needs),
   * or something only apply uses (a connection's provisioning token, a security answer, a key).
   */
  role: 'url' | 'auth' | 'apply';
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
    shared: [...sharedNames].map((name) => merged.get(name)!),
    bySpoke: Object.fromEntries(spokes.map((s) => [s.name, [...s.vars.values()].filter((v) => !sharedNames.has(v.name))])),
  };
}

/**
 * name → the variable, in the order of first reference. A name used for a URL anywhere is a
 * repository variable; a name used under `auth` (and nowhere only apply reads) is a credential.
 */
function collect(node: unknown, path: string[] = [], into = new Map<string, Variable>()): Map<string, Variable> {
  if (typeof node === 'string') {
    const key = path.at(-1);
    const role: Variable['role'] = key === 'url' ? 'url' : path.includes('auth') ? 'auth' : 'apply';
    for (const name of referencedNames(node)) {
      const seen = into.get(name);
      // url beats everything; apply beats auth (a read can't be handed what apply needs).
      const rank = { url: 2, apply: 1, auth: 0 } as const;
      if (!seen || rank[role] > rank[seen.role]) into.set(name, { name, from: role === 'url' ? 'vars' : 'secrets', role });
    }
  } else if (Array.isArray(node)) {
    for (const item of node) collect(item, path, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) collect(v, [...path, k], into);
  }
  return into;
}

/**
 * The secret a read-only job hands an org credential from: OKTA_HUB_ADMIN_TOKEN → OKTA_HUB_READ_TOKEN,
 * OKTA_EMEA_TOKEN → OKTA_EMEA_READ_TOKEN; a name that already says READ stays.
 */
export function readOnlySecret(name: string): string {
  if (/(^|_)READ(_|$)/.test(name)) return name;
  if (name.endsWith('_ADMIN_TOKEN')) return `${name.slice(0, -'_ADMIN_TOKEN'.length)}_READ_TOKEN`;
  if (name.endsWith('_TOKEN')) return `${name.slice(0, -'_TOKEN'.length)}_READ_TOKEN`;
  return `${name}_READ`;
}

/**
 * `${{ vars.X }}`, `${{ secrets.X }}` or `${{ matrix.spoke == 'S' && secrets.X || '' }}` (the forms the
 * templates use); group 1 is X.
 */
const CONFIG_VARIABLE = /^\$\{\{\s*(?:matrix\.spoke == '[^']*' && )?(?:vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)(?: \|\| '')?\s*\}\}$/;

/** The variables the root org2org.config.yaml refers to: the templates are written for it. */
const TEMPLATE_CONFIG_FILE = fileURLToPath(new URL('../../org2org.config.yaml', import.meta.url));

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

/**
 * How a template's step environment hands the config's variables over, learnt from the template
 * itself (written for the root config): whether it hands apply-only secrets at all, and whether it
 * maps credentials onto read-only secrets (`OKTA_EMEA_TOKEN: secrets.OKTA_EMEA_READ_TOKEN`).
 */
interface EnvPolicy {
  apply: boolean;
  readOnly: boolean;
}

function envPolicy(entries: Array<{ key: string; source: string }>, template: ConfigVariables): EnvPolicy {
  const roles = new Map([...template.shared, ...Object.values(template.bySpoke).flat()].map((v) => [v.name, v.role]));
  return {
    apply: entries.some((e) => roles.get(e.key) === 'apply'),
    readOnly: entries.some((e) => e.key !== e.source),
  };
}

let templateVariables: ConfigVariables | undefined;

function replaceConfigVariables(doc: ReturnType<typeof parseDocument>, env: YAMLMap<Scalar, Scalar>, vars: ConfigVariables): void {
  const sourceOf = (p: Pair<Scalar, Scalar>): string | undefined =>
    isScalar(p.value) ? CONFIG_VARIABLE.exec(String(p.value.value))?.[1] : undefined;
  const at = env.items.findIndex((p) => isPair(p) && sourceOf(p) !== undefined);
  if (at < 0) return;
  templateVariables ??= configVariables(readFileSync(TEMPLATE_CONFIG_FILE, 'utf8'));
  const policy = envPolicy(
    env.items.filter((p) => sourceOf(p) !== undefined).map((p) => ({ key: String(p.key.value), source: sourceOf(p)! })),
    templateVariables,
  );
  const handed = (v: Variable): boolean => v.role !== 'apply' || policy.apply;
  const source = (v: Variable): string => `${v.from}.${policy.readOnly && v.role === 'auth' ? readOnlySecret(v.name) : v.name}`;
  const kept = env.items.filter((p) => sourceOf(p) === undefined);
  const entry = (key: string, value: string): Pair<Scalar, Scalar> => doc.createPair(key, value) as Pair<Scalar, Scalar>;
  const fresh: Pair<Scalar, Scalar>[] = vars.shared.filter(handed).map((v) => entry(v.name, `\${{ ${source(v)} }}`));
  let first = true;
  for (const spoke of vars.spokes) {
    for (const v of (vars.bySpoke[spoke] ?? []).filter(handed)) {
      const pair = entry(v.name, `\${{ matrix.spoke == '${spoke}' && ${source(v)} || '' }}`);
      if (first)
        (pair.key as Scalar).commentBefore = " A Spoke's own variables reach only its own job; elsewhere they are empty and unread.";
      first = false;
      fresh.push(pair);
    }
  }
  const before = kept.filter((p) => env.items.indexOf(p) < at);
  env.items = [...before, ...fresh, ...kept.slice(before.length)];
}
