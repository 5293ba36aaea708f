/**
 * `org2org show PLAN.json`: a saved plan (`plan --out`) rendered as plan prints it — text,
 * Markdown (for a pull-request comment) or JSON — without reading the config, the environment
 * or any org. What a reviewer or a CI job posts is exactly what `apply PLAN.json` will check.
 */
import { UsageError } from '../../errors.js';
import { renderPlanJson } from '../../render/json.js';
import { renderPlanMarkdown } from '../../render/markdown.js';
import { renderPlanText } from '../../render/text.js';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { markdownOptions } from '../github-actions.js';
import { commandIo, useColor } from '../io.js';
import type { SessionIo } from '../session.js';
import { readSavedPlan, usingSavedPlan } from '../saved-plan-file.js';

const HELP = `Usage: org2org show PLAN.json [--format text|markdown|json]

Prints a plan saved with \`org2org plan --out PLAN.json\`, as plan would have printed it.
Reads nothing else: no config, no environment variable, no org.

Options:
      --format FORMAT        text (default), markdown (for a pull-request comment) or json

${GLOBAL_HELP}

Exit: 0 shown (whatever the plan holds), 1 when the file is not a readable plan.`;

/** What a test may put in place of the process's own: show needs no config, client or clock. */
export type ShowIo = Pick<SessionIo, 'env' | 'stdout' | 'stderr' | 'stdoutIsTTY'>;

export async function run(argv: string[]): Promise<number> {
  return runShow(argv);
}

export async function runShow(argv: string[], io: ShowIo = {}): Promise<number> {
  const { out, env } = commandIo(io);
  const parsed = parseCommandArgs('show', argv, { format: { type: 'string' } }, { maxPositionals: 1, positionalName: 'saved plan file' });
  if (parsed.global.help) {
    out(HELP + '\n');
    return 0;
  }
  const format = parsed.choice('format', ['text', 'markdown', 'json'], 'text');
  const file = parsed.positionals[0];
  if (file === undefined)
    throw new UsageError('show needs the saved plan file: `org2org show plan.json` (make one with `org2org plan --out plan.json`).');
  const plan = readSavedPlan(file);
  // Rendered whole before a byte is printed: a malformed plan prints nothing but its error.
  const text = usingSavedPlan(file, () => {
    if (format === 'json') return renderPlanJson(plan);
    if (format === 'markdown') return renderPlanMarkdown(plan, { ...markdownOptions(env), planFile: file, spokeMarkers: true }) + '\n';
    return renderPlanText(plan, { color: useColor(parsed.global.noColor, env, io.stdoutIsTTY ?? process.stdout.isTTY === true) });
  });
  out(text);
  return 0;
}
