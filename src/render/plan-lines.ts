/**
 * Plain-text pieces shared by the text and Markdown renderers: how a change, an attribute and
 * a value are written. Everything is read from the Plan; nothing here compares live and desired
 * except to lay out a structured value as a line diff (made with the `diff` package).
 */
import { diffLines } from 'diff';
import { inert, MAX_NAME } from '../inert.js';
import { addressInSpoke } from '../plan/address.js';
import { allowanceFlags } from '../plan/guards.js';
import type { Action, AttributeChange, Change, Diagnostic, Plan, PlanSummary } from '../plan/types.js';

export const SYMBOL: Record<Action, string> = { create: '+', update: '~', delete: '-', manual: '!', noop: '=' };

/** A line of output with the role that decides its colour (the text renderer) or nothing (Markdown). */
export interface Line {
  text: string;
  role?: Action | 'added' | 'removed' | 'note' | 'heading' | 'error' | 'warning';
  /** Prose that may be word-wrapped whatever its role (a Hub consequence is a sentence). */
  prose?: boolean;
}

/** A scalar as the plan shows it: strings quoted, nothing as "(none)", sensitive values verbatim. */
export function formatValue(value: unknown, sensitive = false): string {
  if (sensitive) return inert(String(value ?? '(none)'));
  if (value === null || value === undefined) return '(none)';
  // JSON escapes control characters; inert takes the bidi overrides JSON leaves and bounds it.
  return inert(JSON.stringify(value));
}

function isStructured(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** Pretty JSON with keys sorted, so a line diff shows content changes, not key order. */
function prettyJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** Lines for one attribute: `name: before → after`, or a line diff when either side is structured. */
export function attributeLines(attribute: AttributeChange, action: Action, indent: string): Line[] {
  const { name, before, after } = attribute;
  if (!attribute.sensitive && (isStructured(before) || isStructured(after))) {
    const lines: Line[] = [{ text: `${indent}${inert(name, MAX_NAME)}:` }];
    const oldText = before === null || before === undefined ? '' : prettyJson(before);
    const newText = after === null || after === undefined ? '' : prettyJson(after);
    for (const part of diffLines(oldText, newText)) {
      const mark = part.added ? '+' : part.removed ? '-' : ' ';
      const role = part.added ? 'added' : part.removed ? 'removed' : undefined;
      for (const text of part.value
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => inert(l))) {
        lines.push(role ? { text: `${indent}  ${mark} ${text}`, role } : { text: `${indent}  ${mark} ${text}` });
      }
    }
    return lines;
  }
  const shownAfter = formatValue(after, attribute.sensitive);
  const label = inert(name, MAX_NAME);
  if (action === 'create' && (before === null || before === undefined)) return [{ text: `${indent}${label}: ${shownAfter}` }];
  return [{ text: `${indent}${label}: ${formatValue(before, attribute.sensitive)} → ${shownAfter}` }];
}

/** Short resource path within its spoke: `assignment.user["alice@acme.com"]`. */
export function localAddress(change: Change): string {
  return inert(addressInSpoke(change.resource), ADDRESS_MAX);
}

/** An address is a kind and a name: room for a bounded name and its quoting. */
const ADDRESS_MAX = MAX_NAME + 100;

/** A note given on this many changes of one spoke or more is said once, under the spoke. */
export const REPEATED_NOTE_MIN = 3;

/** Notes (not console steps) that `REPEATED_NOTE_MIN` or more of these changes carry → their local addresses. */
export function repeatedNotes(changes: Change[]): Map<string, string[]> {
  const byNote = new Map<string, string[]>();
  for (const change of changes) {
    if (change.action === 'manual') continue;
    for (const note of change.instructions ?? []) {
      const list = byNote.get(note);
      if (list) list.push(localAddress(change));
      else byNote.set(note, [localAddress(change)]);
    }
  }
  for (const [note, addresses] of byNote) if (addresses.length < REPEATED_NOTE_MIN) byNote.delete(note);
  return byNote;
}

/** A repeated note, once: how many changes carry it and the first few of them. */
export function repeatedNoteText(note: string, addresses: string[]): string {
  const shown = addresses.slice(0, 3).join(', ');
  const more = addresses.length > 3 ? `, … ${formatCount(addresses.length - 3)} more` : '';
  return `note on ${formatCount(addresses.length)} changes (${shown}${more}): ${inert(note)}`;
}

const numberFormat = new Intl.NumberFormat('en-US');

/** 1486 → "1,486": every count the plan and the progress print. */
export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** "1 object", "2,431 objects": a count and its noun, in agreement. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A change as lines: symbol and address, attributes, notes or console steps. Notes in `said` are left out (said once elsewhere). */
export function changeLines(change: Change, indent = '  ', said?: ReadonlyMap<string, unknown>): Line[] {
  const lines: Line[] = [{ text: `${indent}${SYMBOL[change.action]} ${localAddress(change)}${headerDetail(change)}`, role: change.action }];
  const inner = `${indent}    `;
  for (const attribute of change.attributes) lines.push(...attributeLines(attribute, change.action, inner));
  if (change.action === 'delete' && change.before) {
    for (const [name, value] of Object.entries(change.before))
      lines.push({ text: `${inner}${inert(name, MAX_NAME)}: ${formatValue(value)}` });
  }
  for (const effect of change.hubEffects ?? []) lines.push({ text: `${inner}in the Hub: ${inert(effect)}`, role: 'removed', prose: true });
  if (change.instructions) {
    change.instructions.forEach((step, i) => {
      if (change.action !== 'manual' && said?.has(step)) return;
      const text = change.action === 'manual' ? `${inner}${i + 1}. ${inert(step)}` : `${inner}note: ${inert(step)}`;
      lines.push({ text, role: 'note' });
    });
  }
  return lines;
}

function headerDetail(change: Change): string {
  const key = localAddress(change);
  if (key.includes(inert(JSON.stringify(change.name), ADDRESS_MAX))) return '';
  if (change.resource.kind === 'app' || change.resource.kind === 'app.status') return ` (${inert(change.name, MAX_NAME)})`;
  return '';
}

export function diagnosticText(d: Diagnostic): string {
  const where = d.file !== undefined && d.line !== undefined ? `${inert(d.file, MAX_NAME)}:${d.line}:${d.col ?? 1}: ` : '';
  return `${d.severity}: ${where}${inert(d.message)}`;
}

export function summaryLine(summary: PlanSummary): string {
  const n = formatCount;
  return `Plan: ${n(summary.add)} to add, ${n(summary.change)} to change, ${n(summary.remove)} to remove, ${n(summary.manual)} manual.`;
}

/** "2 changes act on the Hub through Okta's provisioning"; undefined when none do. */
export function hubEffectsCount(summary: PlanSummary): string | undefined {
  const n = summary.hubEffects ?? 0;
  if (n === 0) return undefined;
  return `${formatCount(n)} ${n === 1 ? 'change acts' : 'changes act'} on the Hub through Okta's provisioning`;
}

/** The Hub-side consequences, counted, with where to look; undefined when there are none. */
export function hubEffectsLine(summary: PlanSummary): string | undefined {
  const count = hubEffectsCount(summary);
  if (count === undefined) return undefined;
  return `${count} (marked "in the Hub:"): review ${summary.hubEffects === 1 ? 'it' : 'them'} before applying.`;
}

export function costLine(summary: PlanSummary): string {
  const writes = `${formatCount(summary.apiWrites)} API ${summary.apiWrites === 1 ? 'write' : 'writes'}`;
  if (summary.apiWrites === 0) return `${writes}.`;
  return `${writes}, at least ${formatEstimate(summary.minSeconds)} at the orgs' current rate limits.`;
}

/** A plan's time estimate in whole seconds: "45 s", "2 min 5 s", "1 h 3 min". */
export function formatEstimate(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

export const NO_CHANGES = 'No changes. The live orgs match the config.';

/** Changes a renderer lists: everything but silent noops (a noop with a note is shown as a note). */
export function listedChanges(changes: Change[]): Change[] {
  return changes.filter((c) => c.action !== 'noop' || (c.instructions?.length ?? 0) > 0);
}

export function countsOf(changes: Change[]): { add: number; change: number; remove: number; manual: number } {
  const counts = { add: 0, change: 0, remove: 0, manual: 0 };
  for (const c of changes) {
    if (c.action === 'create') counts.add++;
    else if (c.action === 'update') counts.change++;
    else if (c.action === 'delete') counts.remove++;
    else if (c.action === 'manual') counts.manual++;
  }
  return counts;
}

export function allDiagnostics(plan: Plan): Diagnostic[] {
  return [...(plan.diagnostics ?? []), ...plan.spokes.flatMap((s) => s.diagnostics)];
}

/** Guards listed one by one at most; the rest are counted (a plan may delete many Hub groups). */
const MAX_GUARDS_LISTED = 20;

/**
 * The plan's guards, for the summary of every format: what apply will refuse and the flag that
 * allows it, then what the plan's own flags allowed (the reviewers must see both). Empty when the
 * plan meets no guard and allows nothing beyond the defaults.
 */
export function guardLines(plan: Plan): Line[] {
  const guards = plan.guards ?? [];
  const lines: Line[] = [];
  const refused = guards.filter((g) => !g.allowed);
  const allowed = guards.filter((g) => g.allowed);
  for (const g of refused.slice(0, MAX_GUARDS_LISTED))
    lines.push({ text: `apply will refuse this plan: ${g.message}; to allow it, plan with ${g.allowWith}`, role: 'error', prose: true });
  if (refused.length > MAX_GUARDS_LISTED)
    lines.push({
      text: `apply will refuse this plan for ${refused.length - MAX_GUARDS_LISTED} more guarded changes (see the plan file)`,
      role: 'error',
    });
  for (const g of allowed.slice(0, MAX_GUARDS_LISTED))
    lines.push({ text: `allowed by ${g.allowWith} given to plan: ${g.message}`, role: 'warning', prose: true });
  if (allowed.length > MAX_GUARDS_LISTED)
    lines.push({ text: `… and ${allowed.length - MAX_GUARDS_LISTED} more guarded changes allowed (see the plan file)`, role: 'warning' });
  const flags = plan.allowances ? allowanceFlags(plan.allowances) : [];
  if (flags.length > 0)
    lines.push({ text: `Allowances recorded in this plan (apply honours exactly these): ${flags.join(' ')}`, role: 'note' });
  return lines;
}
