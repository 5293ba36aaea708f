/**
 * The plan for a terminal or a CI log: per spoke a header, each change with its symbol
 * (`+` create, `~` update, `-` delete, `!` manual), diagnostics, then the summary line and the
 * API-write estimate. Colour is plain ANSI, only when asked for.
 */
import { inert, MAX_NAME } from '../inert.js';
import type { Diagnostic, Plan } from '../plan/types.js';
import { colorize, type Tone } from './ansi.js';
import {
  changeLines,
  costLine,
  diagnosticText,
  formatCount,
  guardLines,
  hubEffectsCount,
  hubEffectsLine,
  listedChanges,
  NO_CHANGES,
  repeatedNotes,
  repeatedNoteText,
  summaryLine,
  type Line,
} from './plan-lines.js';

export interface TextOptions {
  color: boolean;
  /** Wrap diagnostics and notes at this many columns; unset: no wrapping. */
  width?: number;
}

const TONE: Record<NonNullable<Line['role']>, Tone> = {
  create: 'green',
  added: 'green',
  update: 'yellow',
  delete: 'red',
  removed: 'red',
  manual: 'magenta',
  noop: 'dim',
  note: 'dim',
  heading: 'bold',
  error: 'red',
  warning: 'yellow',
};

export function renderPlanText(plan: Plan, options: TextOptions): string {
  const lines: Line[] = [];
  const push = (line: Line): void => {
    lines.push(...wrap(line, options.width));
  };

  for (const diagnostic of plan.diagnostics ?? []) push(diagnosticLine(diagnostic, ''));
  if ((plan.diagnostics ?? []).length > 0) lines.push({ text: '' });

  for (const spoke of plan.spokes) {
    const observe = spoke.mode === 'observe' ? ' [observe: read and report only]' : '';
    const heading = `Spoke ${inert(spoke.name, MAX_NAME)} (${inert(spoke.url, MAX_NAME)})${observe}`;
    const changes = listedChanges(spoke.changes);
    const notes = spoke.notes ?? [];
    if (changes.length === 0 && spoke.diagnostics.length === 0 && notes.length === 0) {
      // Unchanged is silent: one line per Spoke, however large it is.
      lines.push({ text: `${heading}: no changes`, role: 'heading' });
      continue;
    }
    lines.push({ text: heading, role: 'heading' });
    const repeated = repeatedNotes(changes);
    for (const change of changes) for (const line of changeLines(change, '  ', repeated)) push(line);
    for (const [note, addresses] of repeated) push({ text: `  ${repeatedNoteText(note, addresses)}`, role: 'note' });
    for (const note of notes) push({ text: `  note: ${inert(note)}`, role: 'note' });
    for (const diagnostic of ordered(spoke.diagnostics)) push(diagnosticLine(diagnostic, '  '));
    lines.push({ text: '' });
  }
  if (lines.length > 0 && lines[lines.length - 1]!.text !== '') lines.push({ text: '' });

  if (plan.empty && !plan.errored) {
    lines.push({ text: NO_CHANGES, role: 'heading' });
  } else {
    lines.push({ text: summaryLine(plan.summary), role: 'heading' });
    // A plan with errors can't be applied: its Hub effects are counted, not put up for review.
    const hub = plan.errored ? hubEffectsCount(plan.summary) : hubEffectsLine(plan.summary);
    if (hub) lines.push({ text: plan.errored ? `${hub}.` : hub, role: 'warning' });
    lines.push({ text: costLine(plan.summary) });
  }
  for (const line of guardLines(plan)) push(line);
  const { errors, warnings } = plan.summary;
  if (errors > 0 || warnings > 0) {
    const text = `${formatCount(errors)} ${errors === 1 ? 'error' : 'errors'}, ${formatCount(warnings)} ${warnings === 1 ? 'warning' : 'warnings'}.`;
    lines.push(errors > 0 ? { text: `${text} The plan has errors and cannot be applied.`, role: 'error' } : { text, role: 'warning' });
  }
  return `${lines.map((l) => paint(l, options.color)).join('\n')}\n`;
}

/** Errors before warnings, each group in the order the planner found them. */
function ordered(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics.filter((d) => d.severity === 'error'), ...diagnostics.filter((d) => d.severity !== 'error')];
}

function diagnosticLine(diagnostic: Diagnostic, indent: string): Line {
  return { text: `${indent}${diagnosticText(diagnostic)}`, role: diagnostic.severity };
}

function paint(line: Line, color: boolean): string {
  return line.role ? colorize(line.text, TONE[line.role], color) : line.text;
}

/** Word-wrap long lines with a hanging indent; structured diff lines are never wrapped. */
function wrap(line: Line, width: number | undefined): Line[] {
  if (width === undefined || width < 20 || line.text.length <= width) return [line];
  if (!line.prose && line.role !== 'note' && line.role !== 'error' && line.role !== 'warning') return [line];
  const indent = /^\s*/.exec(line.text)![0];
  const hanging = `${indent}    `;
  const out: Line[] = [];
  let current = '';
  for (const word of line.text.slice(indent.length).split(' ')) {
    const prefix = out.length === 0 ? indent : hanging;
    if (current !== '' && prefix.length + current.length + 1 + word.length > width) {
      out.push({ ...line, text: prefix + current });
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  out.push({ ...line, text: (out.length === 0 ? indent : hanging) + current });
  return out;
}
