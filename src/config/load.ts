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
import { checkSchema } from './schema-check.js';
import { positionOf, problemAt, readConfigSource } from './source-file.js';
import type { DesiredState } from './types.js';

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** plan/apply/check need every referenced variable set; validate (offline, maybe without secrets) doesn't. */
  requireSecrets: boolean;
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
  const source = await readConfigSource(file);
  const schemaProblems = checkSchema(source);
  if (schemaProblems.length > 0) {
    // The rules assume the schema's shapes; run them only on a well-formed document.
    throw new ConfigError(summarize(file, schemaProblems), sortProblems(schemaProblems));
  }
  const digest = createHash('sha256').update(source.bytes).digest('hex');
  const built = buildDesiredState(source, source.data as RawConfig, digest, {
    env: options.env ?? process.env,
    requireSecrets: options.requireSecrets,
  });
  const problems = [...built.problems];
  const report = (pointer: string, message: string): void => {
    const { line, col } = positionOf(source, pointer);
    problems.push(problemAt(file, line, col, pointer, message));
  };
  for (const rule of [...RULES, connectionCredentials(built.connections)]) {
    rule({ desired: built.desired, unresolved: built.unresolved }, report);
  }
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = sortProblems(problems.filter((p) => p.severity === 'warning'));
  if (errors.length > 0) throw new ConfigError(summarize(file, errors), sortProblems([...errors, ...warnings]));
  return { desired: built.desired, warnings };
}
