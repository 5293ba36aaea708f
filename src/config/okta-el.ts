/**
 * What org2org needs to know of an Okta Expression Language source expression before anything
 * is read: that it is well formed (quotes and parentheses close), and which attributes of the
 * Spoke user it reads (`user.department`), so that the planner can check them against the Spoke's
 * user profile. Okta evaluates the expression itself; org2org never does.
 */

export type ExpressionReads = { reads: string[] } | { error: string };

/** The `user.NAME` attributes an expression reads, in order, each once; or why it is malformed. */
export function expressionReads(source: string): ExpressionReads {
  // String literals first: `"user.x"` inside quotes is text, not a reference.
  let code = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c !== '"' && c !== "'") {
      code += c;
      continue;
    }
    let j = i + 1;
    while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
    if (j >= source.length) return { error: `the string starting at character ${i + 1} is not closed (${c})` };
    code += ' "" ';
    i = j;
  }
  let depth = 0;
  for (const c of code) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return { error: 'a ")" closes no "("' };
  }
  if (depth !== 0) return { error: `${depth} "(" not closed` };
  const reads: string[] = [];
  for (const m of code.matchAll(/(^|[^\w.$])(appuser|user)\.([A-Za-z_$][\w$]*)/g)) {
    if (m[2] === 'appuser') {
      return { error: `it reads appuser.${m[3]}, but the source of the Okta User → app mapping is the Spoke user: write user.${m[3]}` };
    }
    if (!reads.includes(m[3]!)) reads.push(m[3]!);
  }
  return { reads };
}

/** The one attribute an expression is nothing but (`user.department`), whose type is then the attribute's. */
export function plainReference(source: string): string | undefined {
  return /^\s*user\.([A-Za-z_$][\w$]*)\s*$/.exec(source)?.[1];
}
