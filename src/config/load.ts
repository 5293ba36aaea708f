/**
 * loadConfig: the config file → DesiredState. Steps: read and parse YAML with positions
 * (source-file), JSON Schema (schema-check), build with `${NAME}` expansion and defaults
 * (build-desired), then the semantic rules (rules). Every problem found is reported at once in a
 * ConfigError; warnings (unset variables when secrets aren't required) come back with the result.
 */
import { createHash } from 'node:crypto';
import { ConfigError, type SourceProblem } from '../errors.js';
import { buildDesiredState, type RawConfig } from './build-desired.js';
import { connectionCredentials, RULES } from './rules.js';
import { wholeReference } from './env-refs.js';
import { checkSchema, SENSITIVE_POINTER } from './schema-check.js';
import { type ConfigSource, type ParseOptions, positionOf, problemAt, readConfigSource } from './source-file.js';
import type { DesiredState } from './types.js';

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** plan/apply/check need every referenced variable set; validate (offline, maybe without secrets) doesn't. */
  requireSecrets: boolean;
  /** `plan`: the secrets only apply sends may be unset (see BuildOptions.applySecretsOptional). */
  applySecretsOptional?: boolean;
  /** Read the environment for these Spokes only (and the Hub); the others are checked without it. */
  spokes?: readonly string[];
  /** How the YAML is parsed (tests and the bench only; see ParseOptions). */
  parse?: ParseOptions;
}

export interface LoadResult {
  desired: DesiredState;
  warnings: SourceProblem[];
}

export function sortProblems(problems: SourceProblem[]): SourceProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message));
}

function summarize(file: string, errors: SourceProblem[]): string {
  return `${file} has ${errors.length} problem${errors.length === 1 ? '' : 's'}.`;
}

export async function loadConfig(file: string, options: LoadOptions): Promise<LoadResult> {
  const source = await readConfigSource(file, options.parse);
  const schemaProblems = checkSchema(source);
  if (schemaProblems.length > 0) {
    // The rules assume the schema's shapes; run them only on a well-formed document. Literal
    // secrets are the exception: a pasted token must be flagged in the same run, whatever else is wrong.
    const all = [...schemaProblems, ...literalSecrets(source)];
    throw new ConfigError(summarize(file, all), sortProblems(all));
  }
  const digest = createHash('sha256').update(source.bytes).digest('hex');
  const built = buildDesiredState(source, source.data as RawConfig, digest, {
    env: options.env ?? process.env,
    requireSecrets: options.requireSecrets,
    ...(options.applySecretsOptional ? { applySecretsOptional: true } : {}),
    ...(options.spokes && options.spokes.length > 0 ? { spokes: options.spokes } : {}),
  });
  const problems = [...built.problems];
  const report = (pointer: string, message: string): void => {
    const { line, col } = positionOf(source, pointer);
    problems.push(problemAt(file, line, col, pointer, message));
  };
  for (const rule of [...RULES, connectionCredentials(built.connections)]) {
    rule({ desired: built.desired, unresolved: built.unresolved, written: built.written }, report);
  }
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = sortProblems(problems.filter((p) => p.severity === 'warning'));
  if (errors.length > 0) throw new ConfigError(summarize(file, errors), sortProblems([...errors, ...warnings]));
  return { desired: built.desired, warnings };
}

/** Sensitive fields (by key, anywhere in the document) whose string value is not one `${NAME}` reference. */
function literalSecrets(source: ConfigSource): SourceProblem[] {
  const found: SourceProblem[] = [];
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${pointer}/${i}`));
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (SENSITIVE_POINTER.test(at) && typeof value === 'string' && wholeReference(value) === undefined) {
        const { line, col } = positionOf(source, at);
        // Never echo the value: it may be a real secret pasted by mistake.
        found.push(
          problemAt(
            source.file,
            line,
            col,
            at,
            `${key} is a sensitive field and must be a \${NAME} environment variable reference, not a literal value — move the value to an environment variable and write \${NAME}`,
          ),
        );
      } else {
        visit(value, at);
      }
    }
  };
  visit(source.data, '');
  return found;
}
