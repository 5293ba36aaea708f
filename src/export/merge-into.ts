/**
 * mergeIntoConfig: accept the live orgs into an existing config file, in place. The plan of the
 * file against the live orgs says what differs; each change is turned back into an edit of the
 * file that makes the file say what is live (an assignment added or removed as the list's mode
 * made it drift, a push mapping's status, a To App feature, …). Pure: no I/O.
 *
 * The file is edited as text at the positions the `yaml` Document gives each node, and every
 * piece of new text is written by the `yaml` library (scalars quoted as YAML needs in their
 * context). Nothing else of the file is re-serialized, so its comments, blank lines, key order,
 * flow or block styles, anchors and `${…}` references stay byte for byte. An edit that would have
 * to go through an alias or change an anchored node that other places share is not made: it is
 * left, with the reason, for a person (changing a shared node would change the other Spokes).
 *
 * Where a kind is in the config is its kinds-table entry's `config` (src/plan/kinds.ts), so a new
 * kind does not compile until it says where it lives in the file (or why the file can't say it).
 */
import { Document, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { addressOf } from '../plan/address.js';
import { type AppUserFieldNames, type ConfigPlace, KINDS } from '../plan/kinds.js';
import type { Change, Plan } from '../plan/types.js';

/** How a kind lives in a Spoke's entry of the config: the kinds table's `config` (src/plan/kinds.ts). */
export type MergeRule = ConfigPlace;

/** The app-user attribute names the Spoke uses (the plan's attribute names for a user). */
export type AttributeNames = AppUserFieldNames;

/** What is live for one Spoke, in the config's words (the entry `export` would write). */
export interface LiveEntry {
  entry: Record<string, unknown>;
  names: AttributeNames;
}

export interface MergeResult {
  text: string;
  /** Addresses whose change is now said by the file. */
  merged: string[];
  /** Changes the file still differs by, with the reason. */
  left: { address: string; reason: string }[];
}

interface Splice {
  start: number;
  end: number;
  text: string;
  seq: number;
}

class Skip extends Error {}

export function mergeIntoConfig(text: string, plan: Plan, live: Record<string, LiveEntry>): MergeResult {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`the config is not valid YAML: ${doc.errors[0]!.message}`);
  const edit = new Editor(text, doc);
  const merged: string[] = [];
  const left: MergeResult['left'] = [];
  const spokes = doc.get('spokes', true);
  for (const spokePlan of plan.spokes) {
    const entry = isSeq(spokes)
      ? (spokes.items.find((s) => isMap(s) && s.get('name') === spokePlan.name) as YAMLMap | undefined)
      : undefined;
    const liveEntry = live[spokePlan.name];
    for (const change of spokePlan.changes) {
      const address = addressOf(change);
      const rule = KINDS[change.resource.kind].config;
      try {
        if (!entry || !liveEntry) throw new Skip(`spoke ${spokePlan.name} is not in the file as a plain entry`);
        if ('cannot' in rule) throw new Skip(rule.cannot);
        if ('list' in rule) mergeListItem(edit, entry, rule, change, liveEntry);
        else mergeObject(edit, entry, rule, change, liveEntry);
        merged.push(address);
      } catch (err) {
        if (!(err instanceof Skip)) throw err;
        left.push({ address, reason: err.message });
      }
    }
  }
  return { text: edit.result(), merged, left };
}

function mergeListItem(edit: Editor, entry: YAMLMap, rule: Extract<MergeRule, { list: string[] }>, change: Change, live: LiveEntry): void {
  const fold = rule.fold ?? ((k: string) => k);
  const key = change.resource.key ?? '';
  const seq = edit.at(entry, rule.list);
  const items = isSeq(seq) ? seq.items : [];
  const docItem = items.find(
    (item) => isMap(item) && typeof item.get(rule.key) === 'string' && fold(item.get(rule.key) as string) === key,
  ) as YAMLMap | undefined;
  const liveList = valueAt(live.entry, rule.list);
  const liveItem = Array.isArray(liveList)
    ? (liveList.find((i) => typeof i?.[rule.key] === 'string' && fold(i[rule.key]) === key) as Record<string, unknown> | undefined)
    : undefined;

  if (change.action === 'create' || (change.action === 'update' && change.attributes.some((a) => a.name === 'scope'))) {
    // Listed but not live (or live only through a group): the file stops listing it.
    if (!docItem) throw new Skip(`no entry for ${change.name} in ${rule.list.join('.')}`);
    edit.removeItem(seq as YAMLSeq, docItem);
    return;
  }
  if (change.action === 'delete') {
    if (docItem) {
      // Listed as one to remove (`remove: true`): it stays, and the file stops asking.
      if (!docItem.has('remove')) throw new Skip(`${change.name} is listed, yet the plan removes it`);
      edit.removePair(docItem, 'remove');
      return;
    }
    if (!liveItem) throw new Skip(`what is live for ${change.name} can't be said in the config`);
    if (seq === undefined || seq === null || (isScalar(seq) && seq.value === null)) {
      // No such list in the file yet (`assignments:` with only `groups:`): it gets one, in flow style.
      const parent = edit.at(entry, rule.list.slice(0, -1));
      if (!isMap(parent)) throw new Skip(`${rule.list.slice(0, -1).join('.')} is not in the file`);
      edit.addList(parent, rule.list.at(-1)!, liveItem);
      return;
    }
    if (!isSeq(seq)) throw new Skip(`${rule.list.join('.')} is not a list in the file`);
    edit.appendItem(seq, liveItem);
    return;
  }
  if (change.action !== 'update') throw new Skip(`a ${change.action} change is not merged`);
  if (!docItem) throw new Skip(`no entry for ${change.name} in ${rule.list.join('.')}`);
  if (!liveItem) throw new Skip(`what is live for ${change.name} can't be said in the config`);
  for (const attribute of change.attributes) {
    if (attribute.sensitive) continue;
    const path = rule.field ? rule.field(attribute.name, live.names) : [attribute.name];
    if (path === null) throw new Skip(`${attribute.name} can't be said in the config`);
    edit.setField(docItem, path, valueAt(liveItem, path));
  }
}

function mergeObject(edit: Editor, entry: YAMLMap, rule: Extract<MergeRule, { object: string[] }>, change: Change, live: LiveEntry): void {
  if (change.action !== 'update' && change.action !== 'manual') {
    throw new Skip(`the org has no ${rule.object.join('.')} set up; the file's can't be kept from it`);
  }
  const node = edit.at(entry, rule.object);
  if (!isMap(node)) throw new Skip(`${rule.object.join('.')} is not a mapping in the file`);
  const liveObject = valueAt(live.entry, rule.object);
  if (typeof liveObject !== 'object' || liveObject === null) throw new Skip(`the org has no ${rule.object.join('.')} to take`);
  for (const attribute of change.attributes) {
    if (attribute.sensitive) continue;
    const path = rule.field ? rule.field(attribute.name) : [attribute.name];
    if (path === null) throw new Skip(`${attribute.name} can't be taken from the org into the config`);
    edit.setField(node, path, valueAt(liveObject, path));
  }
}

function valueAt(value: unknown, path: string[]): unknown {
  let v = value;
  for (const p of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Text edits at node positions. Every edit is refused (Skip) when its node is an alias, or is,
 * or is inside, an anchored node that an alias uses: editing there would change what the alias
 * says too.
 */
class Editor {
  private readonly splices: Splice[] = [];
  private readonly shared = new Set<string>();
  private readonly parents = new Map<Node, Node>();
  private readonly removed = new Map<YAMLSeq, number>();
  private readonly newLists = new Map<YAMLMap, Map<string, { items: Record<string, unknown>[]; splice: Splice; text: () => string }>>();

  constructor(
    private readonly text: string,
    doc: Document,
  ) {
    visit(doc, {
      Alias: (_, alias) => {
        this.shared.add(alias.source);
      },
    });
    const walk = (node: unknown, parent: Node | undefined): void => {
      if (!node || typeof node !== 'object') return;
      if (parent) this.parents.set(node as Node, parent);
      if (isMap(node)) for (const p of node.items) walk(p.value, node);
      else if (isSeq(node)) for (const item of node.items) walk(item, node);
    };
    walk(doc.contents, undefined);
  }

  result(): string {
    let out = this.text;
    // From the end, so earlier offsets stay right; at one offset, later edits go first so that
    // what was appended first reads first.
    const ordered = [...this.splices].sort((a, b) => b.start - a.start || b.seq - a.seq);
    // A file written with CRLF line ends gets them in what is inserted too.
    const crlf = this.text.includes('\r\n');
    for (const s of ordered) out = out.slice(0, s.start) + (crlf ? s.text.replace(/(?<!\r)\n/g, '\r\n') : s.text) + out.slice(s.end);
    return out;
  }

  /** The node at `path` under `map`, through mappings only; undefined when absent. */
  at(map: YAMLMap, path: string[]): unknown {
    let node: unknown = map;
    for (const p of path) {
      if (isAlias(node)) throw new Skip(`${path.join('.')} is reached through the alias *${node.source}; edit it by hand`);
      if (!isMap(node)) return undefined;
      node = node.get(p, true);
    }
    if (isAlias(node)) throw new Skip(`${path.join('.')} is the alias *${node.source}; edit it by hand`);
    return node;
  }

  private checkShared(node: Node): void {
    for (let n: Node | undefined = node; n; n = this.parents.get(n)) {
      const anchor = (n as { anchor?: string }).anchor;
      if (anchor && this.shared.has(anchor)) throw new Skip(`the value is shared through the anchor &${anchor}; edit it by hand`);
    }
  }

  private splice(start: number, end: number, text: string): void {
    this.splices.push({ start, end, text, seq: this.splices.length });
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** The offset just past the newline ending the line that holds `offset - 1`'s content. */
  private lineEnd(offset: number): number {
    const nl = this.text.indexOf('\n', Math.max(offset - 1, 0));
    return nl === -1 ? this.text.length : nl + 1;
  }

  private column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  removeItem(seq: YAMLSeq, item: Node): void {
    this.checkShared(item);
    const range = item.range!;
    if (seq.flow) {
      this.removeFlowEntry(
        seq.items.map((i) => (i as Node).range!),
        seq.items.indexOf(item),
      );
      return;
    }
    // The item's lines, from its `-` to the end of its last line (its comments on those lines go with it).
    const start = this.lineStart(range[0]);
    const end = this.lineEnd(range[1]);
    this.splice(start, end, '');
    const removed = (this.removed.get(seq) ?? 0) + 1;
    this.removed.set(seq, removed);
    if (removed === seq.items.length) {
      // A key with no items left would be null, which the schema refuses: it becomes `[]`.
      const parent = this.parents.get(seq);
      const pair = isMap(parent) ? parent.items.find((p) => p.value === seq) : undefined;
      if (!pair) throw new Skip('the list would be left empty; edit it by hand');
      const colon = this.text.indexOf(':', (pair.key as Node).range![1]);
      this.splice(colon + 1, colon + 1, ' []');
    }
  }

  /** Removes entry `i` of a flow collection (whose entries span `ranges`) with one of its commas. */
  private removeFlowEntry(ranges: [number, number, number][], i: number): void {
    const [start, valueEnd] = ranges[i]!;
    if (i > 0) this.splice(ranges[i - 1]![1], valueEnd, '');
    else if (ranges.length > 1) this.splice(start, ranges[1]![0], '');
    else this.splice(start, valueEnd, '');
  }

  removePair(map: YAMLMap, key: string): void {
    const index = map.items.findIndex((p) => isScalar(p.key) && p.key.value === key);
    if (index < 0) return;
    this.checkShared(map);
    const pair = map.items[index]!;
    const ranges = map.items.map(pairRange);
    if (map.flow) {
      this.removeFlowEntry(ranges, index);
      return;
    }
    if (map.items.length === 1) throw new Skip(`${key} is the only key of its mapping; edit it by hand`);
    this.splice(this.lineStart(pairRange(pair)[0]), this.lineEnd(pairRange(pair)[1]), '');
  }

  appendItem(seq: YAMLSeq, value: Record<string, unknown>): void {
    this.checkShared(seq);
    const last = seq.items.at(-1) as Node | undefined;
    if (seq.flow || !last) {
      const text = flowText(value);
      if (!last) this.splice(seq.range![0], seq.range![1], `[ ${text} ]`);
      else this.splice(last.range![1], last.range![1], `, ${text}`);
      return;
    }
    const dash = this.lineStart(last.range![0]);
    const indent = ' '.repeat(this.text.indexOf('-', dash) - dash);
    const flowItems = isMap(last) && last.flow;
    let lines: string;
    if (flowItems) {
      lines = `${indent}- ${flowText(value)}\n`;
    } else {
      const block = new Document(value).toString({ lineWidth: 0, flowCollectionPadding: true }).trimEnd().split('\n');
      lines = block.map((l, i) => (i === 0 ? `${indent}- ${l}` : `${indent}  ${l}`)).join('\n') + '\n';
    }
    const at = this.lineEnd(last.range![1]);
    this.splice(at, at, at === this.text.length && !this.text.endsWith('\n') ? `\n${lines.trimEnd()}` : lines);
  }

  /** Sets `path` under `map` to `value` (undefined: removes it), keeping what the file says beside it. */
  setField(map: YAMLMap, path: string[], value: unknown): void {
    const [key, ...rest] = path;
    if (key === undefined) return;
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Node, unknown> | undefined;
    if (!pair) {
      if (value === undefined) return;
      let wrapped: unknown = value;
      for (const p of [...rest].reverse()) wrapped = { [p]: wrapped };
      this.addPair(map, key, wrapped);
      return;
    }
    const node = pair.value;
    if (isAlias(node)) throw new Skip(`${key} is the alias *${node.source}; edit it by hand`);
    if (rest.length > 0) {
      if (!isMap(node)) throw new Skip(`${key} is not a mapping in the file`);
      this.setField(node, rest, value);
      return;
    }
    if (value === undefined) {
      this.removePair(map, key);
      return;
    }
    if (isMap(node) && isRecord(value)) {
      // Only the fields the file gives are the file's: each takes the live value.
      for (const p of node.items) if (isScalar(p.key)) this.setField(node, [String(p.key.value)], value[String(p.key.value)]);
      return;
    }
    if (isScalar(node) && node.value === value) return;
    const valueNode = node as Node | null;
    if (!valueNode?.range) throw new Skip(`${key} has no value in the file to replace`);
    this.checkShared(valueNode);
    this.splice(valueNode.range[0], valueNode.range[1], flowText(value));
  }

  /** A list `key` under `map` (absent, or `key:` with no value) with this item; more items for it join the same list. */
  addList(map: YAMLMap, key: string, item: Record<string, unknown>): void {
    const pending = this.newLists.get(map)?.get(key);
    if (pending) {
      pending.items.push(item);
      pending.splice.text = pending.text();
      return;
    }
    const items = [item];
    const list = (): string => `[ ${items.map(flowText).join(', ')} ]`;
    const existing = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    let text: () => string;
    if (existing) {
      const colon = this.text.indexOf(':', (existing.key as Node).range![1]);
      this.splice(colon + 1, colon + 1, '');
      text = () => ` ${list()}`;
    } else {
      this.addPairText(map, key, '');
      const around = this.splices.at(-1)!.text;
      text = () => around.replace(`${flowText(key)}: `, `${flowText(key)}: ${list()}`);
    }
    const splice = this.splices.at(-1)!;
    splice.text = text();
    const lists = this.newLists.get(map) ?? new Map<string, { items: Record<string, unknown>[]; splice: Splice; text: () => string }>();
    lists.set(key, { items, splice, text });
    this.newLists.set(map, lists);
  }

  private addPair(map: YAMLMap, key: string, value: unknown): void {
    this.addPairText(map, key, flowText(value));
  }

  private addPairText(map: YAMLMap, key: string, valueText: string): void {
    this.checkShared(map);
    const last = map.items.at(-1);
    const entry = `${flowText(key)}: ${valueText}`;
    if (map.flow || !last) {
      if (!last) throw new Skip(`an empty mapping can't take ${key}; edit it by hand`);
      const end = pairRange(last)[1];
      this.splice(end, end, `, ${entry}`);
      return;
    }
    const first = pairRange(map.items[0]!)[0];
    const indent = ' '.repeat(this.column(first));
    const at = this.lineEnd(pairRange(last)[1]);
    this.splice(at, at, `${indent}${entry}\n`);
  }
}

function pairRange(pair: Pair): [number, number, number] {
  const k = (pair.key as Node).range!;
  const v = (pair.value as Node | null)?.range ?? k;
  return [k[0], v[1], v[2]];
}

/** A value as YAML flow text, quoted as a flow collection needs (the library decides). */
function flowText(value: unknown): string {
  const text = new Document([value]).toString({ collectionStyle: 'flow', flowCollectionPadding: true, lineWidth: 0 }).trim();
  return text.slice(1, -1).trim();
}
