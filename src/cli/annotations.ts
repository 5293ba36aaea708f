/**
 * GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`): under Actions they
 * become annotations on the config's lines in the pull request and the run, and the log shows the
 * message, so an error is never only "listed above" in a file nobody sees.
 */

export interface Annotated {
  severity: 'error' | 'warning';
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

export function githubAnnotation(p: Annotated): string {
  const where =
    p.file === undefined
      ? ''
      : ` file=${escapeProperty(p.file)}${p.line !== undefined ? `,line=${p.line}` : ''}${p.col !== undefined ? `,col=${p.col}` : ''}`;
  return `::${p.severity}${where}::${escapeData(p.message)}`;
}

export function underGitHubActions(env: Record<string, string | undefined>): boolean {
  return env.GITHUB_ACTIONS === 'true';
}
