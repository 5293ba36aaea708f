/**
 * What an error that stopped a command says, as plain lines (no annotation form): the same
 * words reportError prints, for a PR comment or a step summary that must say what failed.
 */
import { ConfigError, Org2OrgError } from '../errors.js';
import { inert, inertBlock } from '../inert.js';

export function errorText(err: unknown): string {
  if (err instanceof ConfigError) {
    const problems = err.problems.map((p) => `${inert(p.file)}:${p.line}:${p.col} ${p.severity}: ${inert(p.message)}`);
    return [inertBlock(err.message), ...problems].join('\n');
  }
  if (err instanceof Org2OrgError) return `error: ${inertBlock(err.message)}`;
  const detail = inertBlock(err instanceof Error ? err.message : String(err));
  return `org2org: internal error: ${detail}`;
}
