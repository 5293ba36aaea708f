/**
 * The plan as a pull-request comment (and a step summary when the text plan is too big), built
 * to a byte budget: GitHub refuses a comment over 65,536 characters and a UTF-8 byte count is
 * never below the character count, so a comment within 65,536 bytes always posts. What matters
 * comes first and is never cut for what matters less:
 *   1. the marker (first line), the title, what failed (bounded), the summary per Spoke and kind
 *      (counts, Hub effects, guards, manual steps);
 *   2. per Spoke: errors, then warnings; every change that is not a bulk assignment (app,
 *      connection, features, Profile Sourcing, service app, grants, roles, push mappings) in one
 *      diff block — at least its header line, in full while room lasts;
 *   3. bulk assignment lists, grouped by Spoke, kind and action and folded in `<details>`, cut
 *      at whole entries with the count not shown and where it is (the artifact, `org2org show`).
 * Every piece is a balanced block (a fence or a `<details>` is closed in the block that opens
 * it), so cutting whole blocks or whole entries always leaves valid Markdown. Every untrusted
 * string passes src/inert.ts: prose through mdText, names through mdCode, diff lines inert
 * inside a fence no content can close.
 */
import { createHash } from 'node:crypto';
import { fenceFor, htmlText, inert, inertBlock, MAX_NAME, MAX_TEXT, mdCode, mdText } from '../inert.js';
import { addressOf } from '../plan/address.js';
import { KINDS } from '../plan/kinds.js';
import type { Change, Diagnostic, Plan, ResourceKind, SpokePlan } from '../plan/types.js';
import {
  changeLines,
  costLine,
  countsOf,
  formatCount,
  guardLines,
  hubEffectsCount,
  listedChanges,
  localAddress,
  NO_CHANGES,
  repeatedNotes,
  repeatedNoteText,
  summaryLine,
} from './plan-lines.js';

/** GitHub's limit on one issue or pull-request comment. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** GitHub's limit on what one step writes to $GITHUB_STEP_SUMMARY. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;
export const DEFAULT_MARKDOWN_MAX_CHARS = GITHUB_COMMENT_LIMIT;

export interface MarkdownOptions {
  /** Upper bound on the output in UTF-8 bytes (so also in characters); default 65,536. */
  maxChars?: number;
  /** The CI run's page (its artifacts hold the saved plan), linked where something was cut. */
  fullPlanUrl?: string;
  /** Name of the CI artifact the saved plan is uploaded as (`plan --artifact`). */
  artifact?: string;
  /** The saved plan file (`plan --out`), for `org2org show FILE`. */
  planFile?: string;
  /** The comment's first line (`commentMarker`), so a workflow finds and updates its own comment. */
  marker?: string;
  /** Text of what failed (an error that stopped the run), shown first, bounded. */
  failure?: string;
  /** The Spokes the run was for, in the title when there is no plan to name them. */
  spokes?: readonly string[];
  /**
   * `<!-- org2org:spoke=NAME -->` before each Spoke (`plan/show --format markdown`), for
   * workflows that still find their comment that way; `marker` is the unforgeable one.
   */
  spokeMarkers?: boolean;
}

/**
 * The comment's first line, the same for every run of one config path and Spoke selection and
 * nothing a name can write (names are escaped and this is matched at the start of a comment):
 * `<!-- org2org:plan v1 DIGEST -->`, DIGEST the first 16 hex digits of the SHA-256 of
 * `org2org-comment-v1\n<config path as given>\n<--spoke names sorted, joined by ",", or "*">`.
 */
export function commentMarker(configPath: string, spokes: readonly string[]): string {
  const selection = spokes.length === 0 ? '*' : [...new Set(spokes)].sort().join(',');
  const digest = createHash('sha256').update(`org2org-comment-v1\n${configPath}\n${selection}`).digest('hex').slice(0, 16);
  return `<!-- org2org:plan v1 ${digest} -->`;
}

/** Changes folded into lists: one per assigned user or group, thousands in a large Spoke. */
export const BULK_KINDS: ReadonlySet<ResourceKind> = new Set(['assignment.user', 'assignment.group']);

const ACTION_LABEL: Record<Change['action'], string> = {
  create: 'to add',
  update: 'to change',
  delete: 'to remove',
  manual: 'manual',
  noop: 'notes',
};

/** Bytes, the unit of the budget. */
function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Blocks are joined by a blank line. */
const SEP = 2;

/** Where the rest of a cut list is: the artifact and `org2org show`, and the run when known. */
function whereHint(options: MarkdownOptions): string {
  const file = options.planFile ?? 'plan.json';
  const run = options.fullPlanUrl && /^https:\/\/[^\s()<>[\]]+$/.test(options.fullPlanUrl) ? ` of [this run](${options.fullPlanUrl})` : '';
  const where = options.artifact ? `the artifact ${mdCode(options.artifact)}${run}` : `the saved plan${run}`;
  return `${where}; \`org2org show ${file.replace(/`/g, '')}\` prints it all`;
}

function diagnosticItem(d: Diagnostic): string {
  const icon = d.severity === 'error' ? '❌' : '⚠️';
  const where = d.file !== undefined && d.line !== undefined ? `${mdCode(`${inert(d.file, MAX_NAME)}:${d.line}:${d.col ?? 1}`)} ` : '';
  return `- ${icon} ${d.severity}: ${where}${mdText(d.message)}`;
}

/** Errors before warnings, each in the order found. */
function ordered(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics.filter((d) => d.severity === 'error'), ...diagnostics.filter((d) => d.severity !== 'error')];
}

/**
 * Lines taken while they fit `limit` bytes (each costs its length + 1), then a note saying how
 * many did not. The note's room is kept back so it always fits.
 */
function takeLines(lines: readonly string[], limit: number, note: (left: number) => string): string[] {
  const out: string[] = [];
  let used = 0;
  const reserve = bytes(note(lines.length)) + 1;
  for (let i = 0; i < lines.length; i++) {
    const cost = bytes(lines[i]!) + 1;
    const last = i === lines.length - 1;
    if (used + cost > limit - (last ? 0 : reserve)) {
      out.push(note(lines.length - i));
      return out;
    }
    out.push(lines[i]!);
    used += cost;
  }
  return out;
}

/** A fenced block of `lines` (a fence none of them can close). */
function fenced(info: string, lines: readonly string[]): string {
  const fence = fenceFor(lines.join('\n'));
  return [`${fence}${info}`, ...lines, fence].join('\n');
}

/** The failure text as a fenced block, cut at whole lines to `limit` bytes. */
function failureBlock(text: string, limit: number): string {
  const lines = inertBlock(text).split('\n');
  const head = '**What failed:**\n\n';
  const fence = fenceFor(lines.join('\n'));
  const room = limit - bytes(head) - 2 * (fence.length + 5);
  const kept = takeLines(lines, room, (n) => `… ${formatCount(n)} more ${n === 1 ? 'line' : 'lines'} (the job log has them)`);
  return `${head}${fence}text\n${kept.join('\n')}\n${fence}`;
}

interface SpokeSection {
  spoke: SpokePlan;
  heading: string;
  diagnostics: string[];
  notes: string[];
  /** Non-bulk changes: their header line and their full lines. */
  changes: { header: string; full: string[] }[];
  fence: string;
  bulk: BulkGroup[];
}

interface BulkGroup {
  summary: string;
  /** One entry per change: its lines joined. */
  entries: string[];
  fence: string;
  /** e.g. "user assignments to add in emea". */
  what: string;
}

function spokeSection(spoke: SpokePlan, options: MarkdownOptions): SpokeSection {
  const listed = listedChanges(spoke.changes);
  const repeatedMap = repeatedNotes(listed);
  const nonBulk = listed.filter((c) => !BULK_KINDS.has(c.resource.kind));
  const bulk = listed.filter((c) => BULK_KINDS.has(c.resource.kind));
  const changes = nonBulk.map((change) => {
    const full = changeLines(change, '', repeatedMap).map((l) => l.text);
    return { header: full[0]!, full };
  });
  const observe = spoke.mode === 'observe' ? ' (observe: read and report only)' : '';
  const groups = new Map<string, Change[]>();
  for (const change of bulk) {
    const key = `${change.resource.kind}\u0000${change.action}`;
    const list = groups.get(key);
    if (list) list.push(change);
    else groups.set(key, [change]);
  }
  const bulkGroups = [...groups.values()].map((list) => {
    const first = list[0]!;
    const entries = list.map((c) =>
      changeLines(c, '', repeatedMap)
        .map((l) => l.text)
        .join('\n'),
    );
    const what = `${KINDS[first.resource.kind].label.toLowerCase()} ${ACTION_LABEL[first.action]} in ${mdCode(spoke.name)}`;
    return {
      summary: `${KINDS[first.resource.kind].label} ${ACTION_LABEL[first.action]} in ${htmlText(spoke.name, MAX_NAME)}: ${formatCount(list.length)}`,
      entries,
      fence: fenceFor(entries.join('\n')),
      what,
    };
  });
  return {
    spoke,
    heading: [
      ...(options.spokeMarkers && /^[A-Za-z0-9_.-]+$/.test(spoke.name) ? [`<!-- org2org:spoke=${spoke.name} -->`] : []),
      `### Spoke ${mdCode(spoke.name)}${observe}`,
      '',
      mdCode(spoke.url),
    ].join('\n'),
    diagnostics: ordered(spoke.diagnostics).map(diagnosticItem),
    // A note many changes carry is said once, here, and left out of their entries.
    notes: [
      ...[...repeatedMap].map(([note, addresses]) => `- ℹ️ ${mdText(repeatedNoteText(note, addresses), 2 * MAX_TEXT)}`),
      ...(spoke.notes ?? []).map((n) => `- ℹ️ ${mdText(n)}`),
    ],
    changes,
    fence: fenceFor(changes.flatMap((c) => c.full).join('\n')),
    bulk: bulkGroups,
  };
}

/** The summary table: one row per Spoke and kind with changes. */
function summaryRows(plan: Plan): string[] {
  const rows: string[] = [];
  // The flag each change's guard needs, as the planner decided it (plan.guards), not decided again here.
  const flagAt = new Map((plan.guards ?? []).flatMap((g) => (g.address !== undefined ? [[g.address, g.allowWith] as const] : [])));
  for (const spoke of plan.spokes) {
    const changes = listedChanges(spoke.changes).filter((c) => c.action !== 'noop');
    // By the kinds table's label: kinds of one object (the app and its activation) share a row.
    const byLabel = new Map<string, Change[]>();
    for (const change of changes) {
      const label = KINDS[change.resource.kind].label;
      const list = byLabel.get(label);
      if (list) list.push(change);
      else byLabel.set(label, [change]);
    }
    for (const [label, list] of byLabel) {
      const c = countsOf(list);
      const hub = list.filter((x) => (x.hubEffects?.length ?? 0) > 0).length;
      const guards = [...new Set(list.map((x) => flagAt.get(addressOf(x))).filter((g): g is string => g !== undefined))];
      const n = (v: number): string => (v === 0 ? '' : formatCount(v));
      rows.push(
        `| ${mdCode(spoke.name)} | ${label} | ${n(c.add)} | ${n(c.change)} | ${n(c.remove)} | ${n(c.manual)} | ${n(hub)} | ${guards.map((g) => `\`${g}\``).join(' ')} |`,
      );
    }
  }
  return rows;
}

function titleOf(plan: Plan | undefined, options: MarkdownOptions): string {
  const names = plan ? plan.spokes.map((s) => s.name) : [...(options.spokes ?? [])];
  const which = names.length > 0 && names.length <= 5 ? ` for ${names.map((n) => mdCode(n)).join(', ')}` : '';
  if (!plan) return `## ❌ org2org plan failed${which}`;
  if (plan.errored) return `## ❌ org2org plan${which}: errors, cannot be applied`;
  return `## org2org plan${which}`;
}

/** The top of the comment: everything but the Spokes' sections and the footer. Each entry is a block. */
function topBlocks(plan: Plan | undefined, options: MarkdownOptions, budget: number): string[] {
  const blocks: string[] = [];
  if (options.marker) blocks.push(`${options.marker}\n${titleOf(plan, options)}`);
  else blocks.push(titleOf(plan, options));
  if (options.failure !== undefined && options.failure.trim() !== '') blocks.push(failureBlock(options.failure, Math.floor(budget / 4)));
  if (!plan) {
    blocks.push('No plan was made, and nothing was written to any org.');
    return blocks;
  }
  const { remove } = plan.summary;
  const hub = hubEffectsCount(plan.summary);
  if (remove > 0 || hub) {
    // GitHub renders this as a yellow alert box: removals and Hub effects must not hide in a fold.
    const removes = remove > 0 ? `This plan **removes ${formatCount(remove)} ${remove === 1 ? 'object' : 'objects'}**` : '';
    const effects = hub ? `**${hub}** (see "in the Hub:" below)` : '';
    blocks.push(`> [!WARNING]\n> ${removes && effects ? `${removes} and ${effects}` : removes || effects}.`);
  }
  blocks.push(plan.empty && !plan.errored ? NO_CHANGES : `**${summaryLine(plan.summary)}** ${costLine(plan.summary)}`);
  // What apply will refuse, and what the plan's own flags allowed: in the summary, never cut (bounded by guardLines).
  const guards = guardLines(plan);
  if (guards.length > 0)
    blocks.push(
      guards
        .map((line) => {
          const icon = line.role === 'error' ? '⛔' : line.role === 'warning' ? '🔓' : 'ℹ️';
          return `- ${icon} ${mdText(line.text, 2 * MAX_TEXT).replace(/(^|\s)(--[a-z-]+(?: \d+)?)(?=[\s;.,]|$)/g, '$1`$2`')}`;
        })
        .join('\n'),
    );
  const global = ordered(plan.diagnostics ?? []).map(diagnosticItem);
  if (global.length > 0)
    blocks.push(
      takeLines(global, Math.floor(budget / 8), (n) => `- _… ${formatCount(n)} more not shown: ${whereHint(options)}._`).join('\n'),
    );
  const rows = summaryRows(plan);
  if (rows.length > 0) {
    const head = ['| Spoke | Resource | Add | Change | Remove | Manual | Hub effects | Apply needs |', '|---|---|--:|--:|--:|--:|--:|---|'];
    const kept = takeLines(rows, Math.floor(budget / 6), (n) => `| _… ${formatCount(n)} more rows_ | | | | | | | |`);
    blocks.push([...head, ...kept].join('\n'));
  }
  const manual = plan.spokes.flatMap((s) => s.changes.filter((c) => c.action === 'manual'));
  if (manual.length > 0) {
    const items = manual.map((change) =>
      [
        `- ❗ **Manual step** in ${mdCode(change.resource.spoke)}: ${mdCode(localAddress(change))}`,
        ...(change.instructions ?? []).map((s, i) => `  ${i + 1}. ${mdText(s)}`),
      ].join('\n'),
    );
    blocks.push(
      takeLines(items, Math.floor(budget / 8), (n) => `- _… ${formatCount(n)} more manual steps: ${whereHint(options)}._`).join('\n'),
    );
  }
  return blocks;
}

function footerOf(plan: Plan): string {
  const parts = [
    `org2org ${inert(plan.tool.version, 40)}`,
    `config ${mdCode(plan.config.file)} (${inert(plan.config.digest.slice(0, 12), 12)})`,
  ];
  if (plan.git) parts.push(`commit ${inert(plan.git.commit.slice(0, 12), 12)}${plan.git.dirty ? ' with uncommitted changes' : ''}`);
  if (plan.createdAt) parts.push(`planned ${inert(plan.createdAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'), 40)}`);
  return `<sub>${parts.join(' · ')}</sub>`;
}

/** The non-bulk diff block of a Spoke: each change in full while `room` lasts, else its header line. */
function changesBlock(section: SpokeSection, room: number, hint: string): { text: string; used: number } {
  if (section.changes.length === 0) return { text: '', used: 0 };
  const fence = section.fence;
  const shell = fence.length + 5 + fence.length + 1;
  const headers = section.changes.reduce((n, c) => n + bytes(c.header) + 1, 0);
  let left = room - shell - headers;
  const lines: string[] = [];
  // When even the headers don't fit, as many as fit and a count of the rest.
  if (left < 0) {
    const all = section.changes.map((c) => c.header);
    const kept = takeLines(all, Math.max(0, room - shell), (n) => `# … ${formatCount(n)} more changes not shown: see ${hint}`);
    const text = fenced('diff', kept);
    return { text, used: bytes(text) };
  }
  let cut = 0;
  for (const change of section.changes) {
    const extra = change.full.slice(1).reduce((n, l) => n + bytes(l) + 1, 0);
    lines.push(change.header);
    if (extra <= left) {
      lines.push(...change.full.slice(1));
      left -= extra;
    } else if (change.full.length > 1) cut++;
  }
  if (cut > 0) {
    const note = `# details of ${formatCount(cut)} ${cut === 1 ? 'change' : 'changes'} not shown (comment size limit)`;
    if (bytes(note) + 1 <= left) lines.push(note);
  }
  const text = [`${fence}diff`, ...lines, fence].join('\n');
  return { text, used: bytes(text) };
}

/** A bulk group folded in `<details>`, its entries cut to `room` bytes with an honest count. */
function bulkBlock(group: BulkGroup, room: number, options: MarkdownOptions): string | undefined {
  const open = `<details><summary>${group.summary}</summary>\n\n`;
  const close = '\n\n</details>';
  const note = (n: number): string => `_… ${formatCount(n)} more ${group.what} not shown (comment size limit): ${whereHint(options)}._`;
  const longestNote = note(group.entries.length);
  const fenceCost = 2 * (group.fence.length + 5);
  let left = room - bytes(open) - bytes(close) - fenceCost - bytes(longestNote) - SEP;
  if (left < 0) {
    // Not even one entry: the fold with the note alone, when that fits.
    const bare = `${open}${note(group.entries.length)}${close}`;
    return bytes(bare) <= room ? bare : undefined;
  }
  const shown: string[] = [];
  for (const entry of group.entries) {
    const cost = bytes(entry) + 1;
    if (cost > left) break;
    shown.push(entry);
    left -= cost;
  }
  if (shown.length === 0) return `${open}${note(group.entries.length)}${close}`;
  const rest = group.entries.length - shown.length;
  const list = `${group.fence}diff\n${shown.join('\n')}\n${group.fence}`;
  return `${open}${list}${rest > 0 ? `\n\n${note(rest)}` : ''}${close}`;
}

/**
 * The comment for `plan` (or for a run that made none: `failure` says why), within
 * `options.maxChars` bytes.
 */
export function renderPlanMarkdown(plan: Plan | undefined, options: MarkdownOptions = {}): string {
  const budget = options.maxChars ?? DEFAULT_MARKDOWN_MAX_CHARS;
  const hint = whereHint(options);
  const top = topBlocks(plan, options, budget);
  const footer = plan ? footerOf(plan) : '';
  const sections = plan ? plan.spokes.map((s) => spokeSection(s, options)) : [];

  // 1. What is always shown: the top, the footer, each Spoke's heading.
  let left = budget - 1 - [...top, footer].reduce((n, b) => n + bytes(b) + SEP, 0);
  left -= sections.reduce((n, s) => n + bytes(s.heading) + SEP, 0);

  // 2. Every non-bulk change at least as its header line: room kept for them all before anything else.
  const headerRoom = sections.map((s) =>
    s.changes.length === 0 ? 0 : s.changes.reduce((n, c) => n + bytes(c.header) + 1, 0) + 2 * (s.fence.length + 5) + SEP,
  );
  left -= headerRoom.reduce((a, b) => a + b, 0);

  // 3. Diagnostics (errors first), shared among the Spokes: half of what is left, or more when
  //    what comes after them (details, notes, lists) needs less than the other half.
  const diagnostics = sections.map(() => '');
  const after = sections.reduce(
    (n, s) =>
      n +
      s.changes.reduce((m, c) => m + bytes(c.full.join('\n')) - bytes(c.header), 0) +
      s.notes.reduce((m, l) => m + bytes(l) + 1, 0) +
      s.bulk.reduce((m, g) => m + g.entries.reduce((k, e) => k + bytes(e) + 1, 0) + 400, 0),
    0,
  );
  let diagRoom = Math.max(0, Math.floor(left / 2), left - after);
  sections.forEach((s, i) => {
    if (s.diagnostics.length === 0) return;
    const share = Math.floor(diagRoom / sections.slice(i).filter((x) => x.diagnostics.length > 0).length);
    const text = takeLines(s.diagnostics, share - SEP, (n) => `- _… ${formatCount(n)} more not shown: ${hint}._`).join('\n');
    diagnostics[i] = text;
    diagRoom -= bytes(text) + SEP;
    left -= bytes(text) + SEP;
  });

  // 4. The non-bulk changes in full while room lasts (their header room is already counted).
  const changeBlocks = sections.map((s, i) => {
    if (s.changes.length === 0) return '';
    const { text, used } = changesBlock(s, Math.max(0, left) + headerRoom[i]! - SEP, hint);
    left -= used + SEP - headerRoom[i]!;
    return text;
  });

  // 5. Notes, then the bulk lists sharing what is left (a list that needs less passes its share on).
  const notes = sections.map((s) => {
    if (s.notes.length === 0) return '';
    const text = takeLines(s.notes, Math.max(0, Math.floor(left / 4)) - SEP, (n) => `- _… ${formatCount(n)} more notes_`).join('\n');
    left -= bytes(text) + SEP;
    return text;
  });
  const groups = sections.flatMap((s, i) => s.bulk.map((g) => ({ i, g })));
  const bulkBlocks = sections.map((): string[] => []);
  groups.forEach(({ i, g }, k) => {
    const share = Math.floor(Math.max(0, left) / (groups.length - k));
    const block = bulkBlock(g, share - SEP, options);
    if (block === undefined) return;
    bulkBlocks[i]!.push(block);
    left -= bytes(block) + SEP;
  });

  const parts = [...top];
  sections.forEach((s, i) => {
    parts.push(s.heading, diagnostics[i]!, notes[i]!, changeBlocks[i]!, ...bulkBlocks[i]!);
    // A bulk group with no room at all still says that it exists.
    const dropped = s.bulk.length - bulkBlocks[i]!.length;
    if (dropped > 0) parts.push(`_${formatCount(dropped)} assignment lists not shown (comment size limit): ${hint}._`);
  });
  parts.push(footer);
  const out = `${parts.filter((p) => p !== '').join('\n\n')}\n`;
  return bytes(out) <= budget
    ? out
    : lastResort(
        parts.filter((p) => p !== ''),
        budget,
        hint,
      );
}

/** Only when the fixed parts alone overflow (hundreds of Spokes in a tiny budget): whole blocks from the top. */
function lastResort(blocks: string[], budget: number, hint: string): string {
  const note = `_Cut: the plan is too long for one comment; ${hint}._`;
  const kept: string[] = [];
  let used = bytes(note) + 1;
  for (const block of blocks) {
    if (used + bytes(block) + SEP > budget) break;
    kept.push(block);
    used += bytes(block) + SEP;
  }
  return `${[...kept, note].join('\n\n')}\n`;
}

/**
 * The step summary: the title, what failed, and the whole text plan in a fence when it fits
 * GitHub's 1 MiB; otherwise the comment's Markdown built to that budget.
 */
export function renderStepSummary(plan: Plan | undefined, text: string | undefined, options: MarkdownOptions = {}): string {
  const budget = options.maxChars ?? STEP_SUMMARY_LIMIT;
  const base = { ...options, marker: undefined, maxChars: budget };
  if (plan && text !== undefined) {
    const lines = inertBlock(text, 10_000, Number.MAX_SAFE_INTEGER).replace(/\n+$/, '').split('\n');
    const head = [titleOf(plan, base)];
    if (options.failure !== undefined && options.failure.trim() !== '') head.push(failureBlock(options.failure, Math.floor(budget / 8)));
    const out = `${[...head, fenced('text', lines)].join('\n\n')}\n`;
    if (bytes(out) <= budget) return out;
  }
  return renderPlanMarkdown(plan, base);
}
