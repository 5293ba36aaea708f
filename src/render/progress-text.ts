/**
 * The words of progress output, shared by the plain lines (CI logs, pipes) and the Ink view, so
 * that both say the same thing: "✓ created …", "waiting 12 s for Okta's rate-limit reset (apps
 * bucket, emea)", the summary. Pure: callers pass the clock and whether to colour.
 */
import type { ApplyResult, HubVerification } from '../apply/types.js';
import type { Action, Change } from '../plan/types.js';
import { inert } from '../inert.js';
import { colorize, type Tone } from './ansi.js';
import { formatCount } from './plan-lines.js';
import { addressOf } from '../plan/address.js';

export type Style = 'ok' | 'fail' | 'skip' | 'wait' | 'dim' | 'bold';

const TONE: Record<Style, Tone> = { ok: 'green', fail: 'red', skip: 'yellow', wait: 'cyan', dim: 'dim', bold: 'bold' };

export function paint(text: string, style: Style, color: boolean): string {
  return colorize(text, TONE[style], color);
}

/** 80 → "80 ms", 1234 → "1.2 s", 75000 → "1 min 15 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

const DONE_VERB: Record<Action, string> = { create: 'created', update: 'updated', delete: 'deleted', manual: 'done', noop: 'unchanged' };
const RUNNING_VERB: Record<Action, string> = {
  create: 'creating',
  update: 'updating',
  delete: 'deleting',
  manual: 'waiting on',
  noop: 'checking',
};

/** A finished change, as one row: what happened, to which address, and why when it did not. */
export type FinishedRow =
  | { outcome: 'applied'; change: Change; ms: number }
  | { outcome: 'failed'; change: Change; message: string }
  | { outcome: 'skipped'; change: Change; reason: string };

// Verbs padded to one width so addresses line up in a long log.
const VERB_WIDTH = 7;

export function finishedRowText(row: FinishedRow, color: boolean): string {
  switch (row.outcome) {
    case 'applied':
      return `${paint('✓', 'ok', color)} ${DONE_VERB[row.change.action].padEnd(VERB_WIDTH)} ${inert(addressOf(row.change))} ${paint(`(${formatDuration(row.ms)})`, 'dim', color)}`;
    case 'failed':
      return `${paint('✗', 'fail', color)} ${paint('failed'.padEnd(VERB_WIDTH), 'fail', color)} ${inert(addressOf(row.change))}: ${oneLine(row.message)}`;
    case 'skipped':
      return `${paint('↷', 'skip', color)} ${'skipped'.padEnd(VERB_WIDTH)} ${inert(addressOf(row.change))}: ${oneLine(row.reason)}`;
  }
}

/** A change in flight (after the spinner). */
export function runningText(change: Change): string {
  return `${RUNNING_VERB[change.action]} ${inert(addressOf(change))}`;
}

/** Okta messages can span lines and carry anything; a row must stay one inert line in a log. */
function oneLine(text: string): string {
  return inert(text).replace(/\s+/g, ' ').trim();
}

/** A wait the client (or apply) reported: until when an org's bucket is held. */
export interface RateLimitWait {
  org: string;
  bucket: string;
  /** Epoch ms. */
  until: number;
  /** Okta's concurrency limit rather than a bucket's reset: a short back-off. */
  concurrency: boolean;
}

/** Whole seconds left, rounded up, so a countdown never shows "0 s" while still waiting. */
export function secondsLeft(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

export function waitText(wait: RateLimitWait, now: number): string {
  const s = secondsLeft(wait.until, now);
  if (wait.concurrency) return `waiting ${s} s: at ${wait.org}'s concurrency limit (${wait.bucket} bucket)`;
  return `waiting ${s} s for Okta's rate-limit reset (${wait.bucket} bucket, ${wait.org})`;
}

/**
 * Keeps the rate-limit waits in progress and tells whether an event starts a new one. The
 * scheduler reports a wait each time a request finds its bucket held, and a command may feed
 * the same wait twice (as a ClientEvent and as the ApplyEvent made from it): one wait, one line.
 */
export class RateLimitWaits {
  private readonly waits = new Map<string, RateLimitWait>();

  /** Records the wait; true when it is news (no wait on that org and bucket was running). */
  note(wait: RateLimitWait, now: number): boolean {
    const key = `${wait.org}\u0000${wait.bucket}`;
    const current = this.waits.get(key);
    if (current && current.until > now) {
      current.until = Math.max(current.until, wait.until);
      return false;
    }
    this.waits.set(key, { ...wait });
    return wait.until > now;
  }

  /** Waits still running, longest first. */
  active(now: number): RateLimitWait[] {
    return [...this.waits.values()].filter((w) => w.until > now).sort((a, b) => b.until - a.until || a.org.localeCompare(b.org));
  }
}

/** The apply's closing lines: counts, time, the failures again (a long log scrolls), the Hub check. */
export function summaryLines(result: ApplyResult, elapsedMs: number | undefined, color: boolean): string[] {
  const counts = [
    `${formatCount(result.applied)} applied`,
    `${formatCount(result.failed)} failed`,
    `${formatCount(result.skipped)} skipped`,
  ];
  const time = elapsedMs === undefined ? '' : ` in ${formatDuration(elapsedMs)}`;
  const lines: string[] = [];
  if (result.interrupted) {
    const notStarted = result.results.filter((r) => r.outcome === 'skipped').length;
    lines.push(paint(`Apply interrupted: ${counts.join(', ')}${time}; the changes in flight were let finish.`, 'fail', color));
    lines.push(
      `  ${formatCount(notStarted)} ${notStarted === 1 ? 'change was' : 'changes were'} not made. Run \`org2org apply\` again: it plans what is left.`,
    );
  } else if (result.failed > 0) {
    lines.push(paint(`Apply finished with errors: ${counts.join(', ')}${time}.`, 'fail', color));
  } else {
    lines.push(paint(`Apply complete: ${counts.join(', ')}${time}.`, 'bold', color));
  }
  if (result.failed > 0) {
    const failures = result.results.filter((r) => r.outcome === 'failed');
    for (const r of failures.slice(0, MAX_LISTED))
      lines.push(`  ${paint('✗', 'fail', color)} ${inert(r.address)}: ${oneLine(r.message ?? 'failed')}`);
    if (failures.length > MAX_LISTED) lines.push(`  … and ${formatCount(failures.length - MAX_LISTED)} more failures (listed above)`);
  }
  if (result.verification) lines.push(...verificationLines(result.verification, color));
  return lines;
}

const MAX_LISTED = 10;

function verificationLines(checks: HubVerification[], color: boolean): string[] {
  const users = checks.filter((c) => c.kind === 'user');
  const groups = checks.filter((c) => c.kind === 'group');
  const okUsers = users.filter((c) => c.ok).length;
  const okGroups = groups.filter((c) => c.ok).length;
  const attributes = checks.filter((c) => c.kind === 'attribute');
  const okAttributes = attributes.filter((c) => c.ok).length;
  const allOk = okUsers === users.length && okGroups === groups.length && okAttributes === attributes.length;
  const parts: string[] = [];
  if (users.length > 0) parts.push(`${formatCount(okUsers)} of ${plural(users.length, 'user')}`);
  if (groups.length > 0) parts.push(`${formatCount(okGroups)} of ${plural(groups.length, 'pushed group')}`);
  if (attributes.length > 0) parts.push(`${formatCount(okAttributes)} of ${plural(attributes.length, 'carried attribute')}`);
  if (parts.length === 0) return [];
  const head = `Hub: ${parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]} as expected.`;
  const lines = [allOk ? `${paint('✓', 'ok', color)} ${head}` : `${paint('✗', 'fail', color)} ${head}`];
  const problems = checks.filter((c) => !c.ok);
  for (const c of problems.slice(0, MAX_LISTED))
    lines.push(`  ${paint('✗', 'fail', color)} ${c.kind} ${inert(c.name)} (${inert(c.spoke)}): ${oneLine(c.detail)}`);
  if (problems.length > MAX_LISTED) lines.push(`  … and ${formatCount(problems.length - MAX_LISTED)} more`);
  return lines;
}

/** "read emea app users: 1,200 (0.8 s)" — one finished read collection. */
export function readDoneText(org: string, collection: string, count: number, ms: number, color: boolean): string {
  return `read ${org} ${collection}: ${formatCount(count)} ${paint(`(${formatDuration(ms)})`, 'dim', color)}`;
}
