/**
 * Reading the config file and parsing its YAML with source positions. Every way a file can be
 * unusable (missing, a directory, too big, binary, bad YAML) becomes a ConfigError with one clear
 * problem, never a stack trace.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError, type SourceProblem } from '../errors.js';

/** Config files are hand-written: anything this big is a mistake, and parsing it would be slow. */
export const MAX_CONFIG_BYTES = 5 * 1024 * 1024;
/** Aliases are legitimate for sharing a profile; thousands of them are a "billion laughs" bomb. */
export const MAX_ALIAS_COUNT = 1000;

export interface ConfigSource {
  file: string;
  bytes: Buffer;
  text: string;
  /** Where the document's nodes are in the file, for messages (see positionOf). */
  positions: SourcePositions;
  /** The document as plain data, `${NAME}` references still unexpanded. */
  data: unknown;
}

/**
 * A long run of one-line items of a block sequence (`- { login: … }`), parsed apart from the
 * rest of the document: its items' positions are their lines, and a deeper position is found
 * by parsing that one line again when a message needs it.
 */
interface ItemRun {
  /** 1-based line of the first item. */
  firstLine: number;
  /** Offset in the text where each item's line starts (one more entry: the end of the last). */
  starts: Int32Array;
}

/**
 * The parsed document's nodes and line counter, with every long run of one-line sequence items
 * (see ItemRun) standing in the document as one marker item. Holding this instead of the whole
 * document keeps a 50,000-user config's syntax tree out of memory once it is loaded.
 */
export interface SourcePositions {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  text: string;
  runs: Map<string, ItemRun>;
}

export function problemAt(
  file: string,
  line: number,
  col: number,
  pointer: string,
  message: string,
  severity: SourceProblem['severity'] = 'error',
): SourceProblem {
  return { file, line, col, severity, pointer, message };
}

function fail(file: string, message: string, line = 1, col = 1): never {
  throw new ConfigError(`${file} is not a usable config file.`, [problemAt(file, line, col, '', message)]);
}

export interface ParseOptions {
  /**
   * Parse the whole document with the library, whatever its size, instead of a large file's runs
   * in pieces. The commands never set it: the tests and the bench compare the two ways with it.
   */
  whole?: boolean;
}

export async function readConfigSource(file: string, options: ParseOptions = {}): Promise<ConfigSource> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail(file, 'file not found — check the path, or pass another one with -c FILE');
    if (code === 'EACCES') fail(file, 'permission denied — make the file readable');
    fail(file, `cannot read the file (${code ?? 'unknown error'}) — check the path`);
  }
  if (info.isDirectory()) fail(file, 'this is a directory, not a file — pass the YAML file inside it, e.g. -c DIR/org2org.config.yaml');
  if (!info.isFile()) fail(file, 'not a regular file — pass a YAML file');
  if (info.size > MAX_CONFIG_BYTES) {
    fail(
      file,
      `file is ${(info.size / 1024 / 1024).toFixed(1)} MB, over the 5 MB limit for a config file — split it or remove generated content`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    fail(file, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'unknown error'}) — check its permissions`);
  }
  if (bytes.length > MAX_CONFIG_BYTES) fail(file, 'file is over the 5 MB limit for a config file — split it or remove generated content');
  if (bytes.length === 0 || bytes.toString('utf8').trim() === '') {
    fail(file, 'file is empty — start from examples/minimal.yaml');
  }
  if (bytes.includes(0)) fail(file, 'file is binary, not YAML text — pass the YAML config file');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(file, 'file is not UTF-8 text — save it as UTF-8');
  }
  return parseConfigText(file, bytes, text, options);
}

/** Explains YAML errors in the config's terms; the yaml package's own words stay as the fallback. */
function explainYamlError(code: string, message: string, lineText: string): string {
  if (code === 'TAB_AS_INDENT') return 'tab used for indentation — YAML needs spaces; replace the tab with spaces';
  if (code === 'DUPLICATE_KEY') return 'duplicate key — each key may appear once in a mapping; remove or merge the repeated one';
  if (/call stack/i.test(message)) return 'YAML nested too deeply to read — a config is a few levels deep; check the file';
  if (code === 'MULTIPLE_DOCS') return 'more than one YAML document — keep one config per file (remove the `---`)';
  if (/tab/i.test(message) && lineText.includes('\t')) return 'tab character in the YAML structure — use spaces';
  return `invalid YAML: ${message.replace(/\.$/, '')} — check the indentation and quoting on this line`;
}

/** Deeper than any config; the yaml parser recurses (and builds regexps) per flow level. */
const MAX_FLOW_DEPTH = 64;

/** Position of the first `[`/`{` nested deeper than MAX_FLOW_DEPTH, found in one pass before parsing. */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
    else if (c === 0x0a && depth > 0 && text.startsWith('---', i + 1)) depth = 0;
  }
  return undefined;
}

function parseConfigText(file: string, bytes: Buffer, text: string, options: ParseOptions): ConfigSource {
  // A large file is parsed in pieces when it can be (peak memory a fraction of one syntax tree of
  // it); any doubt, and every error, goes the whole-document way below, which says what is wrong.
  if (text.length >= LARGE_FILE_CHARS && !options.whole) {
    const pieces = parseInPieces(text);
    // A recursive alias is reported by the whole-document way, with its position.
    if (pieces && recursionIn(pieces.data) === undefined) return { file, bytes, text, ...pieces };
  }
  const lineCounter = new LineCounter();
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    const line = text.slice(0, deep).split('\n').length;
    fail(
      file,
      `brackets nested more than ${MAX_FLOW_DEPTH} levels deep — a config is a few levels deep; check the file`,
      line,
      deep - text.lastIndexOf('\n', deep - 1),
    );
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  } catch (err) {
    // The parser recurses per nesting level: thousands of `[[[[` overflow the stack.
    if (err instanceof RangeError) fail(file, 'YAML nested too deeply to read — a config is a few levels deep; check the file');
    throw err;
  }
  if (doc.errors.length > 0) throw new ConfigError(`${file} is not valid YAML.`, yamlSyntaxProblems(file, doc, lineCounter, text));
  const data = documentData(file, doc);
  const positions = { doc, lineCounter, text, runs: new Map<string, ItemRun>() };
  const loop = recursionIn(data);
  if (loop !== undefined) {
    const { line, col } = positionOf({ positions }, loop);
    fail(
      file,
      `a YAML alias refers to a node that contains it (at ${loop || '/'}), so the value never ends — write the value out instead`,
      line,
      col,
    );
  }
  return { file, bytes, text, positions, data };
}

/** The problems of a document that did not parse, each where it is and in a user's words. */
function yamlSyntaxProblems(file: string, doc: Document.Parsed, lineCounter: LineCounter, text: string): SourceProblem[] {
  const lines = text.split(/\r?\n/);
  const problems: SourceProblem[] = [];
  const seenLines = new Set<number>();
  // After the first syntax error the parser's later complaints are mostly echoes of it (one
  // unquoted `${X}` yields dozens); duplicate keys don't derail it, so each of those counts.
  const firstSyntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  const reported = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY' || e === firstSyntax);
  for (const err of reported) {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    const lineText = lines[line - 1] ?? '';
    // `${NAME}` unquoted inside `{ … }` or `[ … ]`: YAML reads `{` as a nested flow mapping and
    // reports something unrelated; say what actually went wrong, once per line.
    const ref = /(^|[^"'\w])(\$\{[A-Za-z_][A-Za-z0-9_]*\})/.exec(lineText);
    if (ref && /[[{]/.test(lineText.slice(0, ref.index + 1))) {
      if (seenLines.has(line)) continue;
      seenLines.add(line);
      const refCol = ref.index + ref[1]!.length + 1;
      problems.push(
        problemAt(file, line, refCol, '', `${ref[2]} inside a flow mapping { … } or list [ … ] must be quoted — quote it: "${ref[2]}"`),
      );
      continue;
    }
    problems.push(problemAt(file, line, col, '', explainYamlError(err.code, err.message, lineText)));
  }
  return problems;
}

/** The document's value; a broken or hostile use of anchors and aliases, or no content at all, is a clear error. */
function documentData(file: string, doc: Document.Parsed): unknown {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof RangeError) fail(file, 'YAML nested too deeply to read — a config is a few levels deep; check the file');
    if (err instanceof ReferenceError && /^Unresolved alias/.test(err.message)) {
      fail(
        file,
        `an alias (*name) refers to an anchor (&name) that is not defined before it — define the anchor first, or write the value out`,
      );
    }
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      fail(file, `too many YAML aliases (over ${MAX_ALIAS_COUNT} expanded) — this looks like an alias bomb; write the values out instead`);
    }
    fail(file, `invalid YAML: ${(err as Error).message} — check the anchors and aliases`);
  }
  if (data === null || data === undefined) fail(file, 'file has no content (only comments) — start from examples/minimal.yaml');
  return data;
}

/**
 * Files below this size are parsed whole: their syntax tree is small. Above it, the pieces are
 * what keeps plan L (50,000 users) under its 250 MB peak RSS: measured in `npm run bench`
 * (experiment "config parsed whole"), the library alone takes it to about 350 MB, the pieces to
 * about 210 MB (docs/benchmarks.md, "Parsing a large config").
 */
const LARGE_FILE_CHARS = 256 * 1024;
/** Runs shorter than this stay in the document. */
const MIN_RUN_ITEMS = 200;
/** Items parsed at a time: small enough that a piece's syntax tree dies young (a scavenge frees it, no full GC needed). */
const PIECE_ITEMS = 100;
/** Stands for a run in the document: no config value contains a control character. */
const RUN_MARKER = '\u0001org2org-run:';
/**
 * An item line a run may hold: indented `- ` and something on the same line, with no anchor,
 * alias or tag (those refer across lines) and no comment or block scalar starting it.
 */
const ITEM_LINE = /^( +)- +(?![#|>&*!%@`])[^&*!\r\n]*\r?$/;

/**
 * The document with its long runs of one-line sequence items parsed apart, piece by piece.
 * Undefined when the file has no such run, when a piece or the rest has any error, or when a
 * marker doesn't come out as a sequence item (the run was text inside a block scalar, say): the
 * caller then parses the whole document as one.
 */
function parseInPieces(text: string): { positions: SourcePositions; data: unknown } | undefined {
  const runs = findItemRuns(text);
  if (runs.length === 0) return undefined;
  // The rest of the document: each run's first line becomes the marker item, its other lines
  // empty, so that every line keeps its number.
  const parts: string[] = [];
  let at = 0;
  const byMarker = new Map<string, ItemRun>();
  const items = new Map<string, unknown[]>();
  for (const [i, run] of runs.entries()) {
    const first = run.starts[0]!;
    const end = run.starts[run.starts.length - 1]!;
    const indent = /^ */.exec(text.slice(first, first + 200))![0];
    const newlines = text.slice(first, end).split('\n').length - 1;
    parts.push(text.slice(at, first), `${indent}- "\\x01org2org-run:${i}"`, '\n'.repeat(newlines));
    at = end;
    const values = runItems(text, run);
    if (values === undefined) return undefined;
    byMarker.set(`${RUN_MARKER}${i}`, run);
    items.set(`${RUN_MARKER}${i}`, values);
  }
  parts.push(text.slice(at));
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  let data: unknown;
  try {
    doc = parseDocument(parts.join(''), { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
    if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return undefined;
  }
  const spliced = spliceRuns(data, items);
  if (spliced === undefined) return undefined;
  return { positions: { doc, lineCounter, text, runs: byMarker }, data: spliced };
}

/** The values of a run's items, parsed PIECE_ITEMS at a time; undefined on any error or warning. */
function runItems(text: string, run: ItemRun): unknown[] | undefined {
  const values: unknown[] = [];
  for (let k = 0; k < run.starts.length - 1; k += PIECE_ITEMS) {
    const to = Math.min(k + PIECE_ITEMS, run.starts.length - 1);
    const piece = parseDocument(text.slice(run.starts[k]!, run.starts[to]!), { uniqueKeys: true, prettyErrors: false, strict: true });
    if (piece.errors.length > 0 || piece.warnings.length > 0) return undefined;
    const list = piece.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    if (!Array.isArray(list) || list.length !== to - k) return undefined;
    for (const v of list) values.push(v);
  }
  return values;
}

/**
 * The document's value with each run's items spliced in where its marker item stands; undefined
 * when a marker is anywhere else or missing (the guess that it was a run was wrong).
 */
function spliceRuns(data: unknown, items: Map<string, unknown[]>): unknown {
  const placed = new Set<string>();
  let stray = false;
  const splice = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const item of value) {
        const run = typeof item === 'string' ? items.get(item) : undefined;
        if (run && !placed.has(item as string)) {
          placed.add(item as string);
          for (const v of run) out.push(v);
        } else out.push(splice(item));
      }
      return out;
    }
    if (typeof value === 'string') {
      if (value.includes(RUN_MARKER)) stray = true;
      return value;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (key.includes(RUN_MARKER)) stray = true;
        (value as Record<string, unknown>)[key] = splice(v);
      }
    }
    return value;
  };
  const spliced = splice(data);
  return stray || placed.size !== items.size || spliced === null || spliced === undefined ? undefined : spliced;
}

/**
 * Runs of at least MIN_RUN_ITEMS consecutive item lines of one indentation, each item complete
 * on its line: an item followed by a more indented or a blank line may go on there, so it ends
 * the run before it and stays in the document.
 */
function findItemRuns(text: string): ItemRun[] {
  const runs: ItemRun[] = [];
  let starts: number[] = [];
  let runIndent = -1;
  let firstLine = 0;
  /** Ends the open run before the line at `offset`; `continued`: that line may belong to the run's last item. */
  const close = (offset: number, continued: boolean): void => {
    if (continued) offset = starts.pop()!;
    if (starts.length >= MIN_RUN_ITEMS) runs.push({ firstLine, starts: Int32Array.from([...starts, offset]) });
    starts = [];
    runIndent = -1;
  };
  let line = 0;
  for (let offset = 0; offset < text.length; line++) {
    const nl = text.indexOf('\n', offset);
    const next = nl === -1 ? text.length : nl + 1;
    const content = text.slice(offset, nl === -1 ? text.length : nl);
    const item = ITEM_LINE.exec(content);
    const indent = item ? item[1]!.length : /^ */.exec(content)![0].length;
    if (runIndent >= 0 && !(item && indent === runIndent)) close(offset, indent > runIndent || content.trim() === '');
    if (item && runIndent < 0) {
      runIndent = indent;
      firstLine = line + 1;
    }
    if (item && indent === runIndent) starts.push(offset);
    offset = next;
  }
  if (runIndent >= 0) close(text.length, false);
  return runs;
}

/**
 * The JSON pointer of a value that contains itself (`x: &x [*x]` makes a list that holds
 * itself): everything downstream walks the data and would never stop. Undefined when none.
 */
function recursionIn(data: unknown): string | undefined {
  const open = new Set<object>();
  const done = new Set<object>();
  const visit = (value: unknown, pointer: string): string | undefined => {
    if (value === null || typeof value !== 'object') return undefined;
    if (open.has(value)) return pointer;
    if (done.has(value)) return undefined; // shared by two aliases, not recursive
    open.add(value);
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    for (const [key, child] of entries) {
      const found = visit(child, `${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (found !== undefined) return found;
    }
    open.delete(value);
    done.add(value);
    return undefined;
  };
  return visit(data, '');
}

export interface NodePosition {
  line: number;
  col: number;
}

/** Unescapes one JSON pointer segment. */
function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The source position of the node at a JSON pointer, or of its nearest existing ancestor.
 * With `key: true`, the position of the mapping key naming the node (for "unknown key" messages).
 */
export function positionOf(source: Pick<ConfigSource, 'positions'>, pointer: string, options: { key?: boolean } = {}): NodePosition {
  const { doc, lineCounter, runs } = source.positions;
  const segments = pointer === '' ? [] : pointer.split('/').slice(1).map(unescapePointer);
  let node: Node | null | undefined = doc.contents as Node | null;
  let keyNode: Node | undefined;
  for (let s = 0; s < segments.length; s++) {
    const segment = segments[s]!;
    if (isAlias(node)) node = node.resolve(doc) as Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === segment);
      if (!pair) {
        keyNode = undefined;
        break;
      }
      keyNode = pair.key as Node;
      node = pair.value as Node | null;
      // `key:` with nothing after it: point at the key, not at the empty space after the colon.
      if (node === null || (isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1])) {
        node = keyNode;
      }
    } else if (isSeq(node)) {
      keyNode = undefined;
      let index = Number(segment);
      let item: Node | undefined;
      // Without runs an item is where its index says (a scan per item would make a whole-document
      // parse of a 50,000-user file quadratic); with runs, each marker stands for many items.
      if (runs.size === 0) {
        item = (node.items as Node[])[index];
      } else {
        for (const candidate of node.items as Node[]) {
          const run = isScalar(candidate) && typeof candidate.value === 'string' ? runs.get(candidate.value) : undefined;
          if (run) {
            const count = run.starts.length - 1;
            if (index < count) return positionInRun(source.positions, run, index, segments.slice(s + 1), options);
            index -= count;
          } else if (index-- === 0) {
            item = candidate;
            break;
          }
        }
      }
      if (!item) break;
      node = item;
    } else {
      keyNode = undefined;
      break;
    }
  }
  const target = options.key && keyNode ? keyNode : node;
  const offset = target?.range?.[0] ?? 0;
  return lineCounter.linePos(offset);
}

/** The position of item `index` of a run, or of a node inside it (found by parsing its one line again). */
function positionInRun(positions: SourcePositions, run: ItemRun, index: number, rest: string[], options: { key?: boolean }): NodePosition {
  const lineText = positions.text.slice(run.starts[index]!, run.starts[index + 1]!);
  const line = run.firstLine + index;
  if (rest.length === 0) {
    // The item itself starts after its `- ` (ITEM_LINE).
    return { line, col: /^ *- +/.exec(lineText)![0].length + 1 };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(lineText, { lineCounter, prettyErrors: false });
  const inner = positionOf(
    { positions: { doc, lineCounter, text: lineText, runs: new Map() } },
    `/0/${rest.map((r) => r.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`,
    options,
  );
  return { line, col: inner.col };
}
