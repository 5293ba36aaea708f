/**
 * The plan as a pull-request comment. Per spoke: a hidden marker (`<!-- org2org:spoke=emea -->`)
 * a CI step can find to update its comment, a summary table by resource kind, errors and
 * warnings, then the changes folded in `<details>` as a diff block. GitHub refuses comments over
 * 65,536 characters, so the output is kept under `maxChars`: every spoke's marker and summary
 * are always there, and the remaining room is shared out among the spokes' diagnostics and
 * details, with a note wherever something was cut.
 */
import type { Change, Diagnostic, Plan, SpokePlan } from '../plan/types.js';
import {
  changeLines,
  costLine,
  countsOf,
  hubEffectsCount,
  diagnosticText,
  listedChanges,
  localAddress,
  NO_CHANGES,
  repeatedNotes,
  repeatedNoteText,
  summaryLine,
} from './plan-lines.js';

export interface MarkdownOptions {
  /** Upper bound on the output's length; default 65,000 (GitHub's limit is 65,536). */
  maxChars?: number;
  /** Where reviewers find the whole plan (a CI run's page with its artifacts), named in truncation notes. */
  fullPlanUrl?: string;
}

/** Where the rest of a cut plan is: the run's artifacts when known (reviewers can't run `org2org plan`). */
function fullPlanHint(options: MarkdownOptions): string {
  return options.fullPlanUrl
    ? `the full plan is in [this run's artifacts](${options.fullPlanUrl})`
    : 'the full plan is in the CI job that made this comment (`--out plan.json`)';
}

export const DEFAULT_MARKDOWN_MAX_CHARS = 65000;

const KIND_LABEL: Record<Change['kind'], string> = {
  app: 'App',
  connection: 'Provisioning connection',
  'features.toApp': 'To App features',
  'features.toOkta': 'To Okta import',
  profileSourcing: 'Profile Sourcing',
  'assignment.user': 'User assignments',
  'assignment.group': 'Group assignments',
  pushMapping: 'Push groups',
  serviceApp: 'Hub service app',
  'serviceApp.grant': 'Hub service app grants',
  'serviceApp.role': 'Hub service app roles',
};

/** Room kept for the truncation notes and closing tags of one spoke's body. */
const CLOSING_RESERVE = 400;

export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MARKDOWN_MAX_CHARS;
  const head = headLines(plan).join('\n');
  const tail = tailLines(plan).join('\n');
  const sections = plan.spokes.map((spoke) => ({ spoke, heading: spokeHeading(spoke).join('\n') }));

  // Fixed parts first; what is left is shared out, and a spoke that needs less passes its share on.
  const fixed = head.length + tail.length + sections.reduce((n, s) => n + s.heading.length + 4, 0) + 4;
  let room = Math.max(0, maxChars - fixed);
  const parts: string[] = [head];
  sections.forEach((section, i) => {
    const share = Math.floor(room / (sections.length - i));
    // Each body notes its own cuts ("… not shown (comment size limit)").
    const body = spokeBody(section.spoke, share, fullPlanHint(options));
    room -= body.text.length;
    parts.push(section.heading, body.text);
  });
  parts.push(tail);
  const out = `${parts.filter((p) => p !== '').join('\n\n')}\n`;
  if (out.length <= maxChars) return out;
  // Only when even the fixed parts don't fit (a tiny maxChars or hundreds of spokes).
  const note = `\n\n_Truncated: the plan is too long for one comment; ${fullPlanHint(options)}._\n`;
  return out.slice(0, Math.max(0, maxChars - note.length)) + note;
}

function headLines(plan: Plan): string[] {
  const lines = ['## org2org plan', ''];
  if (plan.errored) lines.push('**The plan has errors and cannot be applied.**', '');
  const { remove } = plan.summary;
  const hub = hubEffectsCount(plan.summary);
  if (remove > 0 || hub) {
    // GitHub renders this as a yellow alert box: removals and Hub effects must not hide in a fold.
    const parts = [];
    if (remove > 0) parts.push(`**removes ${remove} ${remove === 1 ? 'object' : 'objects'}**`);
    if (hub) parts.push(`**${hub}** (see "in the Hub:" below)`);
    lines.push('> [!WARNING]', `> This plan ${parts.join(' and ')}.`, '');
  }
  lines.push(plan.empty && !plan.errored ? NO_CHANGES : `**${summaryLine(plan.summary)}** ${costLine(plan.summary)}`);
  for (const d of plan.diagnostics ?? []) lines.push('', diagnosticItem(d));
  return lines;
}

function tailLines(plan: Plan): string[] {
  const parts = [`org2org ${plan.tool.version}`, `config ${plan.config.file} (${plan.config.digest.slice(0, 12)})`];
  if (plan.git) parts.push(`commit ${plan.git.commit.slice(0, 12)}${plan.git.dirty ? ' with uncommitted changes' : ''}`);
  if (plan.createdAt) parts.push(`planned ${plan.createdAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}`);
  return [`<sub>${parts.join(' · ')}</sub>`];
}

function spokeHeading(spoke: SpokePlan): string[] {
  const changes = listedChanges(spoke.changes).filter((c) => c.action !== 'noop');
  const counts = countsOf(changes);
  const observe = spoke.mode === 'observe' ? ' (observe: read and report only)' : '';
  const lines = [
    `<!-- org2org:spoke=${spoke.name} -->`,
    `### Spoke \`${spoke.name}\`${observe}`,
    '',
    `${spoke.url} — ${counts.add} to add, ${counts.change} to change, ${counts.remove} to remove, ${counts.manual} manual`,
  ];
  if (changes.length === 0) return lines;
  lines.push('', '| Resource | Add | Change | Remove | Manual |', '|---|---:|---:|---:|---:|');
  const byKind = new Map<Change['kind'], Change[]>();
  for (const change of changes) {
    const list = byKind.get(change.kind);
    if (list) list.push(change);
    else byKind.set(change.kind, [change]);
  }
  for (const [kind, list] of byKind) {
    const c = countsOf(list);
    lines.push(`| ${KIND_LABEL[kind]} | ${c.add} | ${c.change} | ${c.remove} | ${c.manual} |`);
  }
  return lines;
}

function diagnosticItem(d: Diagnostic): string {
  const icon = d.severity === 'error' ? '❌' : '⚠️';
  return `- ${icon} ${escapeMarkdown(diagnosticText(d))}`;
}

/** Keep Okta's and users' text from opening HTML or ending our markers. */
function escapeMarkdown(text: string): string {
  return text.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Lines that fit in a character budget: `fits` before `add`. */
class Budgeted {
  readonly lines: string[] = [];
  private used = 0;
  constructor(private readonly limit: number) {}
  fits(text: string): boolean {
    return this.used + text.length + 1 <= this.limit;
  }
  add(...texts: string[]): void {
    for (const text of texts) {
      this.lines.push(text);
      this.used += text.length + 1;
    }
  }
}

/** Diagnostics, then the details block, cut to `budget` characters with a note when cut. */
function spokeBody(spoke: SpokePlan, budget: number, hint: string): { text: string } {
  const out = new Budgeted(Math.max(0, budget - CLOSING_RESERVE));
  addDiagnostics(out, spoke.diagnostics);
  // Manual steps are work for a person: shown outside the folded details.
  for (const change of spoke.changes.filter((c) => c.action === 'manual')) {
    const steps = [
      `- ❗ **Manual:** ${escapeMarkdown(change.name)} (\`${localAddress(change)}\`)`,
      ...(change.instructions ?? []).map((s, i) => `  ${i + 1}. ${escapeMarkdown(s)}`),
    ];
    const item = steps.join('\n');
    if (out.fits(item)) out.add(item);
  }
  for (const note of spoke.notes ?? []) {
    const item = `- ℹ️ ${escapeMarkdown(note)}`;
    if (out.fits(item)) out.add(item);
  }
  addDetails(out, spoke, hint);
  return { text: out.lines.join('\n') };
}

/** Errors first, then warnings, and how many did not fit. */
function addDiagnostics(out: Budgeted, all: Diagnostic[]): void {
  const diagnostics = [...all.filter((d) => d.severity === 'error'), ...all.filter((d) => d.severity !== 'error')];
  let shown = 0;
  for (const d of diagnostics) {
    const item = diagnosticItem(d);
    if (!out.fits(item)) break;
    out.add(item);
    shown++;
  }
  if (shown < diagnostics.length) out.add(`- _… ${diagnostics.length - shown} more not shown (comment size limit)._`);
}

/** The folded diff of the Spoke's changes, as many as fit, and how many did not. */
function addDetails(out: Budgeted, spoke: SpokePlan, hint: string): void {
  const changes = listedChanges(spoke.changes);
  if (changes.length === 0) return;
  if (out.lines.length > 0) out.add('');
  const real = changes.filter((c) => c.action !== 'noop').length;
  const summary = real === 0 ? `Notes on ${spoke.name}` : `Details: ${real} ${real === 1 ? 'change' : 'changes'} in ${spoke.name}`;
  const open = [`<details><summary>${summary}</summary>`, '', '```diff'];
  if (!out.fits(open.join('\n'))) {
    out.add(`_${changes.length} changes not shown (comment size limit): ${hint}._`);
    return;
  }
  for (const line of open) out.add(line);
  const repeated = repeatedNotes(changes);
  for (const [note, addresses] of repeated) {
    const line = `# ${repeatedNoteText(note, addresses).replace(/```/g, "'''")}`;
    if (out.fits(line)) out.add(line);
  }
  let shown = 0;
  for (const change of changes) {
    // The diff block's first column is the line's kind: `+`/`-`/`!` so GitHub colours them.
    // A value with a code fence in it must not end the diff block early.
    const block = changeLines(change, '', repeated)
      .map((l) => l.text.replace(/```/g, "'''"))
      .join('\n');
    if (!out.fits(block)) break;
    out.add(block);
    shown++;
  }
  out.add('```');
  if (shown < changes.length) out.add('', `_… ${changes.length - shown} more changes not shown (comment size limit): ${hint}._`);
  out.add('', '</details>');
}
