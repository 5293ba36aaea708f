/**
 * `${NAME}` references to environment variables. They are expanded in URLs, OAuth client and
 * key ids, and secrets (see build-desired.ts); everywhere else `$` is literal. Sensitive fields
 * must be exactly one reference, so the file (and its digest) never holds a secret.
 */

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export interface Expansion {
  /** The string with every set variable substituted; unset ones stay as `${NAME}`. */
  value: string;
  /** Names of referenced variables that are unset or empty. */
  unset: string[];
}

export function expandReferences(raw: string, env: Record<string, string | undefined>): Expansion {
  const unset: string[] = [];
  const value = raw.replace(REF, (whole, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') {
      unset.push(name);
      return whole;
    }
    return v;
  });
  return { value, unset };
}

/** Names of the variables a string refers to, in order. */
export function referencedNames(raw: string): string[] {
  return [...raw.matchAll(REF)].map((m) => m[1]!);
}

/** The variable name when the string is exactly one `${NAME}` reference. */
export function wholeReference(raw: string): string | undefined {
  return WHOLE_REF.exec(raw.trim())?.[1];
}
