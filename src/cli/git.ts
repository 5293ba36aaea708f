/** The git commit a plan was made at, as the plan records it. */
import { execFileSync } from 'node:child_process';

/** The commit checked out in `cwd` and whether the tree has uncommitted changes; undefined outside git. */
export function gitCommit(cwd: string = process.cwd()): { commit: string; dirty: boolean } | undefined {
  try {
    const run = (args: string[]): string =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = run(['rev-parse', 'HEAD']);
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
    return { commit, dirty: run(['status', '--porcelain', '--untracked-files=no']) !== '' };
  } catch {
    return undefined;
  }
}
