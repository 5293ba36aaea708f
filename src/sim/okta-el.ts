/**
 * The part of Okta Expression Language that profile mappings use, evaluated the way the
 * simulator needs it: attribute references (`user.department`, `appuser.email`), string and
 * number literals, `+`, parentheses and the common `String.*` functions. A mapping POST with an
 * expression outside this subset, or naming an attribute the source schema doesn't have, is
 * refused (Okta validates mapping expressions when they are saved; its exact message is UNKNOWN).
 * The simulator imports none of the tool, so this is its own parser, not org2org's.
 */

export type ElValue = string | number | boolean | null;

type Node =
  | { kind: 'ref'; object: string; attribute: string }
  | { kind: 'literal'; value: ElValue }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'plus'; left: Node; right: Node };

export class ElError extends Error {}

const FUNCTIONS: Record<string, (args: ElValue[]) => ElValue> = {
  'String.substringBefore': ([s, sep]) => (s == null || sep == null ? null : String(s).split(String(sep))[0]!),
  'String.substringAfter': ([s, sep]) => {
    if (s == null || sep == null) return null;
    const text = String(s);
    const at = text.indexOf(String(sep));
    return at < 0 ? '' : text.slice(at + String(sep).length);
  },
  'String.toUpperCase': ([s]) => (s == null ? null : String(s).toUpperCase()),
  'String.toLowerCase': ([s]) => (s == null ? null : String(s).toLowerCase()),
  'String.trim': ([s]) => (s == null ? null : String(s).trim()),
  'String.len': ([s]) => (s == null ? 0 : String(s).length),
  'String.substring': ([s, start, end]) => (s == null ? null : String(s).substring(Number(start), end == null ? undefined : Number(end))),
  'String.append': ([a, b]) => `${a ?? ''}${b ?? ''}`,
  'String.replace': ([s, from, to]) =>
    s == null
      ? null
      : String(s)
          .split(String(from))
          .join(String(to ?? '')),
};

/** Parses an expression; throws ElError for anything outside the subset. */
export function parseEl(source: string): Node {
  const tokens = tokenize(source);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const take = (want?: string): string => {
    const t = tokens[i++];
    if (t === undefined || (want !== undefined && t !== want)) throw new ElError(`expected ${want ?? 'more'} in "${source}"`);
    return t;
  };
  const primary = (): Node => {
    const t = take();
    if (t === '(') {
      const inner = sum();
      take(')');
      return inner;
    }
    if (t.startsWith('"') || t.startsWith("'")) return { kind: 'literal', value: t.slice(1, -1).replace(/\\(.)/g, '$1') };
    if (/^\d/.test(t)) return { kind: 'literal', value: Number(t) };
    if (t === 'null') return { kind: 'literal', value: null };
    if (t === 'true' || t === 'false') return { kind: 'literal', value: t === 'true' };
    const path = t.split('.');
    if (peek() === '(') {
      take('(');
      const args: Node[] = [];
      if (peek() !== ')') {
        args.push(sum());
        while (peek() === ',') {
          take(',');
          args.push(sum());
        }
      }
      take(')');
      if (!Object.hasOwn(FUNCTIONS, t)) throw new ElError(`unknown function ${t}`);
      return { kind: 'call', name: t, args };
    }
    if (path.length === 2 && (path[0] === 'user' || path[0] === 'appuser')) return { kind: 'ref', object: path[0], attribute: path[1]! };
    throw new ElError(`"${t}" is not an attribute reference (user.NAME or appuser.NAME)`);
  };
  const sum = (): Node => {
    let left = primary();
    while (peek() === '+') {
      take('+');
      left = { kind: 'plus', left, right: primary() };
    }
    return left;
  };
  const node = sum();
  if (i !== tokens.length) throw new ElError(`unexpected "${tokens[i]}" in "${source}"`);
  return node;
}

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\d+(?:\.\d+)?)|([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)|([()+,]))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(source);
    if (!m) throw new ElError(`cannot read "${source.slice(at)}"`);
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
    at = re.lastIndex;
  }
  if (tokens.length === 0) throw new ElError('empty expression');
  return tokens;
}

/** The `object.attribute` references of an expression. */
export function references(node: Node): { object: string; attribute: string }[] {
  switch (node.kind) {
    case 'ref':
      return [{ object: node.object, attribute: node.attribute }];
    case 'literal':
      return [];
    case 'call':
      return node.args.flatMap(references);
    case 'plus':
      return [...references(node.left), ...references(node.right)];
  }
}

/** The value of an expression for one profile (`user.x` and `appuser.x` both read it). */
export function evaluate(node: Node, profile: Record<string, unknown>): ElValue {
  switch (node.kind) {
    case 'ref': {
      const v = profile[node.attribute];
      return v === undefined || (typeof v === 'object' && v !== null) ? null : (v as ElValue);
    }
    case 'literal':
      return node.value;
    case 'call':
      return FUNCTIONS[node.name]!(node.args.map((a) => evaluate(a, profile)));
    case 'plus': {
      const l = evaluate(node.left, profile);
      const r = evaluate(node.right, profile);
      if (typeof l === 'number' && typeof r === 'number') return l + r;
      return `${l ?? ''}${r ?? ''}`;
    }
  }
}
