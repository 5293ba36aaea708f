/**
 * The one output sanitizer: every string that came from a config or from Okta (names, logins,
 * labels, URLs, errorSummary, error bodies) passes here before it is printed or written, in
 * this order, always:
 *   1. strip control characters (ESC sequences whole, C0 but \n and \t, DEL, C1, bare CR, bidi
 *      overrides and isolates, line/paragraph separators, BOM): no terminal tricks, no forged lines;
 *   2. scrub every secret value the process holds (after 1, so a token split by an ANSI sequence
 *      is whole again and caught);
 *   3. bound the length (a 20,000-character summary is cut, saying how much was);
 *   4. escape for the medium the caller writes to (Markdown prose, inline code, HTML, a GitHub
 *      workflow command); plain text needs nothing more.
 * Under GitHub Actions the CLI's streams also pass `guardWorkflowCommands`, so no line org2org
 * prints can start a workflow command unless `annotation` wrote it.
 */
import { StringDecoder } from 'node:string_decoder';
import { scrubSecrets } from './credentials.js';

/** Longest untrusted piece in one line of output (a message, an Okta summary). */
export const MAX_TEXT = 1000;
/** Longest name, login or label shown (Okta's own limits are lower; a hostile server's aren't). */
export const MAX_NAME = 300;

const ESCAPE_SEQUENCE = new RegExp(
  [
    '\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)?', // OSC (window title, hyperlinks) to BEL or ST
    '\\u001b[P^_X][^\\u001b]*(?:\\u001b\\\\)?', // DCS, PM, APC, SOS to ST
    '\\u001b\\[[0-?]*[ -/]*[@-~]?', // CSI (colours, cursor moves, screen clears)
    '\\u001b[ -/]*[0-~]?', // two-character sequences (ESC c resets the terminal)
    '\\u009b[0-?]*[ -/]*[@-~]?', // 8-bit CSI
  ].join('|'),
  'g',
);

// C0 but \t and \n, DEL, C1, Arabic letter mark, LRM/RLM, bidi embeddings/overrides/isolates, LS/PS, BOM.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g;

/** Step 1: control characters removed; `\n` and `\t` kept (the caller decides what a line is). */
export function stripControls(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/** Step 3: at most `max` characters (never half a surrogate pair), saying how many were cut. */
export function bound(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}… (${text.length - cut} more characters)`;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return String(value);
}

/** One line of untrusted text made inert: strip → scrub → newlines and tabs to spaces → bound. */
export function inert(value: unknown, max = MAX_TEXT): string {
  const text = scrubSecrets(stripControls(asText(value))).replace(/[\t\n]+/g, ' ');
  return bound(text, max);
}

/** Untrusted text that may span lines (an error message): as `inert`, but `\n` kept and each line bounded. */
export function inertBlock(value: unknown, maxLine = 2000, maxLines = 200): string {
  const lines = scrubSecrets(stripControls(asText(value)))
    .replace(/\t/g, '  ')
    .split('\n')
    .map((l) => bound(l, maxLine));
  if (lines.length <= maxLines) return lines.join('\n');
  return [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`].join('\n');
}

/** Safe inside HTML text or a double-quoted attribute (`<summary>`); GitHub's mentions and autolinks broken as in mdText. */
export function htmlText(value: unknown, max = MAX_TEXT): string {
  return unlinked(inert(value, max).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
}

/** GitHub links @mentions, #references and bare URLs after rendering: a zero-width space entity breaks each. */
function unlinked(text: string): string {
  return text
    .replace(/#(?=\d)/g, '#&#8203;')
    .replace(/@/g, '@&#8203;')
    .replace(/:\/\//g, ':&#8203;//')
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}&#8203;.`);
}

// Punctuation that starts Markdown syntax inline: emphasis, code, links and images (`[`), tables, strikethrough.
const MD_PUNCTUATION = /[\\`*_[\]|~]/g;

/**
 * Untrusted text inside Markdown prose (a warning, a note): it stays the words it is. No link,
 * image, autolink, HTML tag or comment, @mention, #reference, table cell break or new block.
 * GitHub links mentions and bare URLs after rendering, so those are broken with a zero-width
 * space entity (what Renovate's comments do), not with a backslash.
 */
export function mdText(value: unknown, max = MAX_TEXT): string {
  const escaped = inert(value, max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MD_PUNCTUATION, (c) => `\\${c}`);
  // It never starts a line, but a table cell or a list item might begin with it: no list, quote or underline.
  return unlinked(escaped).replace(/^([-+=]|\d+[.)])/, (m) => `\\${m}`);
}

/** Untrusted text as inline code (`` `name` ``): nothing in it renders; backticks can't close it; `|` can't split a table cell. */
export function mdCode(value: unknown, max = MAX_NAME): string {
  const text = inert(value, max).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** A backtick fence no run of backticks in `body` can close (CommonMark: a closing fence is at least as long). */
export function fenceFor(body: string): string {
  const longest = Math.max(0, ...Array.from(body.matchAll(/`{3,}/g), (m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** A GitHub Actions workflow command org2org means to write. */
export interface Annotated {
  severity: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  col?: number;
}

/** `%`, CR and LF must be escaped in the message; in properties also `:` and `,`. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Lines `annotation` produced: the command guard lets exactly these through. */
const ownCommands = new Set<string>();
const MAX_OWN_COMMANDS = 100_000;

/**
 * `::error file=…,line=…,col=…::message`: the only way org2org writes a workflow command. The
 * message is one inert line (a name's newline can't make the annotation look like two).
 */
export function annotation(p: Annotated): string {
  const where =
    p.file === undefined
      ? ''
      : ` file=${escapeProperty(inert(p.file, MAX_NAME))}${p.line !== undefined ? `,line=${p.line}` : ''}${p.col !== undefined ? `,col=${p.col}` : ''}`;
  const line = `::${p.severity}${where}::${escapeData(inert(p.message))}`;
  if (ownCommands.size < MAX_OWN_COMMANDS) ownCommands.add(line);
  return line;
}

/**
 * A filter for everything written to stdout or stderr under GitHub Actions, chunk by chunk (a
 * line may span writes). The runner takes a line as a command when, after leading whitespace,
 * it starts with `::` (and legacy `##[` anywhere): such a line is defused (`: :`, `## [`) unless
 * it is one `annotation` produced.
 */
export function guardWorkflowCommands(): (chunk: string) => string {
  // Where the current line stands: only whitespace so far, whitespace and one ':', or past it.
  let state: 'blank' | 'colon' | 'text' = 'blank';
  let hashes = 0;
  return (chunk) => {
    let out = '';
    let i = 0;
    while (i < chunk.length) {
      if (state === 'blank' && chunk[i] === ':') {
        const end = chunk.indexOf('\n', i);
        const line = chunk.slice(i, end === -1 ? chunk.length : end);
        if (end !== -1 && ownCommands.has(line)) {
          out += `${line}\n`;
          i = end + 1;
          hashes = 0;
          continue;
        }
      }
      const c = chunk[i]!;
      i++;
      if (c === '\n') {
        state = 'blank';
        hashes = 0;
        out += c;
        continue;
      }
      if (c === '[' && hashes >= 2) out += ' ';
      hashes = c === '#' ? hashes + 1 : 0;
      if (state === 'blank') {
        if (c === ':') state = 'colon';
        else if (!/\s/.test(c)) state = 'text';
      } else if (state === 'colon') {
        if (c === ':') out += ' ';
        state = 'text';
      }
      out += c;
    }
    return out;
  };
}

/** Wraps a stream's `write` so every chunk passes the guard (strings and Buffers alike). */
export function guardStream(stream: NodeJS.WriteStream): void {
  const guard = guardWorkflowCommands();
  // A Buffer may end inside a UTF-8 sequence: the decoder keeps the rest for the next write.
  const decoder = new StringDecoder('utf8');
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  (stream as unknown as { write: (chunk: unknown, ...rest: unknown[]) => boolean }).write = (chunk, ...rest) => {
    if (typeof chunk === 'string') return write(guard(chunk), ...rest);
    if (chunk instanceof Uint8Array) return write(guard(decoder.write(Buffer.from(chunk))), ...rest);
    return write(chunk, ...rest);
  };
}
