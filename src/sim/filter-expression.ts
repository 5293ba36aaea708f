/**
 * Okta's `filter` / `search` expressions (SCIM-like): `profile.login eq "a@b.c" or status eq "ACTIVE"`,
 * operators eq, ne, sw, co, ew, gt, ge, lt, le, pr; `and`, `or` and parentheses (no `not`).
 * Strings compare case-insensitively, as Okta does for logins and names.
 * Compiled once per request into a predicate over plain objects.
 */
export type Predicate = (item: Record<string, unknown>) => boolean;

export class ExpressionError extends Error {}

type Token = { kind: 'word' | 'string' | 'lparen' | 'rparen'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '+') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < input.length && input[j] !== '"') {
        if (input[j] === '\\' && j + 1 < input.length) j++;
        text += input[j];
        j++;
      }
      if (j >= input.length) throw new ExpressionError('unterminated string');
      tokens.push({ kind: 'string', text });
      i = j + 1;
    } else {
      let j = i;
      while (j < input.length && !' \t\n()"'.includes(input[j]!)) j++;
      tokens.push({ kind: 'word', text: input.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

const OPERATORS = new Set(['eq', 'ne', 'sw', 'co', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);

export function readAttribute(item: Record<string, unknown>, path: string): unknown {
  return readParts(item, path.split('.'));
}

function readParts(item: Record<string, unknown>, parts: string[]): unknown {
  let value: unknown = item;
  for (const part of parts) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function compare(op: string, actual: unknown, expected: string | number | boolean | null): boolean {
  if (op === 'pr') return actual !== undefined && actual !== null && actual !== '';
  if (actual === undefined || actual === null) return op === 'eq' && expected === null;
  const a = typeof actual === 'string' ? actual.toLowerCase() : actual;
  const e = typeof expected === 'string' ? expected.toLowerCase() : expected;
  switch (op) {
    case 'eq':
      return a === e || String(a) === String(e);
    case 'ne':
      return !(a === e || String(a) === String(e));
    case 'sw':
      return String(a).startsWith(String(e));
    case 'co':
      return String(a).includes(String(e));
    case 'ew':
      return String(a).endsWith(String(e));
    case 'gt':
      return String(a) > String(e);
    case 'ge':
      return String(a) >= String(e);
    case 'lt':
      return String(a) < String(e);
    case 'le':
      return String(a) <= String(e);
  }
  return false;
}

/** Compiles an expression into a predicate over objects (attribute paths such as `profile.login`). */
export function compileExpression(input: string): Predicate {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (t: Token | undefined, w: string): boolean => t?.kind === 'word' && t.text.toLowerCase() === w;

  function parseOr(): Predicate {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      pos++;
      const l = left;
      const r = parseAnd();
      left = (x) => l(x) || r(x);
    }
    return left;
  }
  function parseAnd(): Predicate {
    let left = parseTerm();
    while (isWord(peek(), 'and')) {
      pos++;
      const l = left;
      const r = parseTerm();
      left = (x) => l(x) && r(x);
    }
    return left;
  }
  function parseTerm(): Predicate {
    const t = peek();
    if (!t) throw new ExpressionError('unexpected end of expression');
    if (t.kind === 'lparen') {
      pos++;
      const inner = parseOr();
      if (peek()?.kind !== 'rparen') throw new ExpressionError('missing )');
      pos++;
      return inner;
    }
    if (t.kind !== 'word') throw new ExpressionError(`unexpected "${t.text}"`);
    pos++;
    const attr = t.text;
    const opToken = peek();
    const op = opToken?.kind === 'word' ? opToken.text.toLowerCase() : '';
    if (!OPERATORS.has(op)) throw new ExpressionError(`unknown operator after ${attr}`);
    pos++;
    // The path is split once per expression, not once per object tested (a search runs over every group).
    const parts = attr.split('.');
    const read = (x: Record<string, unknown>): unknown => readParts(x, parts);
    if (op === 'pr') return (x) => compare('pr', read(x), null);
    const v = peek();
    if (!v || v.kind === 'lparen' || v.kind === 'rparen') throw new ExpressionError(`missing value for ${attr}`);
    pos++;
    let expected: string | number | boolean | null = v.text;
    if (v.kind === 'word') {
      if (v.text === 'true' || v.text === 'false') expected = v.text === 'true';
      else if (v.text === 'null') expected = null;
      else if (/^-?\d+(\.\d+)?$/.test(v.text)) expected = Number(v.text);
      else throw new ExpressionError(`value for ${attr} must be quoted`);
    }
    if (op === 'eq' && typeof expected === 'string') {
      // compare('eq', …) with the expected value lowercased once.
      const e = expected.toLowerCase();
      return (x) => {
        const a = read(x);
        if (a === undefined || a === null) return false;
        return (typeof a === 'string' ? a.toLowerCase() : String(a)) === e;
      };
    }
    return (x) => compare(op, read(x), expected);
  }

  const predicate = parseOr();
  if (pos !== tokens.length) throw new ExpressionError(`unexpected "${tokens[pos]!.text}"`);
  return predicate;
}
