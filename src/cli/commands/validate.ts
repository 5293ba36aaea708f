/**
 * `org2org validate`: the config file checked offline (schema and rules), without secrets.
 * Problems are this command's data, so they go to stdout in the chosen format.
 */
import { inert } from '../../inert.js';
import { counted } from '../../render/plan-lines.js';
import { githubAnnotation } from '../annotations.js';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { loadConfig } from '../../config/load.js';
import { ConfigError, UsageError, type SourceProblem } from '../../errors.js';

export const HELP = `Usage: org2org validate [-c FILE] [--format text|json|github] [--strict]

Check the config file offline: YAML, the JSON Schema and the semantic rules. Environment
variables are not needed: validate runs where secrets are not given (a pull request from a
fork) and says nothing about unset ones unless --strict.

Options:
      --format FORMAT text (default), json, or github (annotations; the default when
                      GITHUB_ACTIONS=true)
      --strict        also require every referenced environment variable to be set, as
                      plan, apply and check do (an unset one is an error)

${GLOBAL_HELP}

Exit codes: 0 valid, 1 invalid.`;

type Format = 'text' | 'json' | 'github';

/** The loader's reminder that a referenced variable is unset (src/config/build-desired.ts reportUnset). */
const UNSET_VARIABLE = /^environment variable \S+ is not set — plan, apply and check will need it$/;
const FORMATS: readonly Format[] = ['text', 'json', 'github'];

function parseValidateArgs(argv: string[]): { file: string; format: Format; help: boolean; strict: boolean } {
  const parsed = parseCommandArgs('validate', argv, { format: { type: 'string' }, strict: { type: 'boolean' } });
  const given = parsed.string('format');
  const format = (given ?? (process.env.GITHUB_ACTIONS === 'true' ? 'github' : 'text')) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown --format "${given}" — use text, json or github.`);
  return { file: parsed.global.config, format, help: parsed.global.help, strict: parsed.flag('strict') };
}

export function formatProblem(p: SourceProblem, format: 'text' | 'github'): string {
  if (format === 'github') return githubAnnotation(p);
  return `${inert(p.file)}:${p.line}:${p.col} ${p.severity}: ${inert(p.message)}`;
}

function plural(n: number, word: string): string {
  return counted(n, word);
}

export async function run(argv: string[]): Promise<number> {
  return validateConfigFile(argv, (text) => process.stdout.write(text));
}

/** The command with its output sink injectable (tests capture it without touching process.stdout). */
export async function validateConfigFile(argv: string[], write: (text: string) => void): Promise<number> {
  const { file, format, help, strict } = parseValidateArgs(argv);
  if (help) {
    write(HELP + '\n');
    return 0;
  }
  let problems: SourceProblem[];
  let summary: string;
  let valid: boolean;
  try {
    const loaded = await loadConfig(file, { requireSecrets: strict });
    const { desired } = loaded;
    // Offline, unset variables are expected (CI on forks has no secrets): said only with --strict.
    const warnings = loaded.warnings.filter((w) => !UNSET_VARIABLE.test(w.message));
    problems = warnings;
    valid = true;
    const assignments = desired.spokes.reduce((n, s) => n + s.assignments.users.length + s.assignments.groups.length, 0);
    summary =
      `✓ valid: ${plural(desired.spokes.length, 'spoke')}, ${plural(assignments, 'assignment')}` +
      (warnings.length ? `, ${plural(warnings.length, 'warning')}` : '');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = err.problems;
    valid = false;
    const errors = problems.filter((p) => p.severity === 'error').length;
    summary = `✗ invalid: ${plural(errors, 'error')} in ${file}`;
  }
  if (format === 'json') {
    const errors = problems.filter((p) => p.severity === 'error');
    const warnings = problems.filter((p) => p.severity === 'warning');
    write(JSON.stringify({ valid, file, errors, warnings }, null, 2) + '\n');
  } else {
    for (const p of problems) write(formatProblem(p, format) + '\n');
    write(summary + '\n');
  }
  return valid ? 0 : 1;
}
