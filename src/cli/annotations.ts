/**
 * GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`): under Actions they
 * become annotations on the config's lines in the pull request and the run, and the log shows the
 * message, so an error is never only "listed above" in a file nobody sees. They are made by the
 * output sanitizer (src/inert.ts), the only writer of a line the CLI's command guard lets through.
 */
export { annotation as githubAnnotation, type Annotated } from '../inert.js';

export function underGitHubActions(env: Record<string, string | undefined>): boolean {
  return env.GITHUB_ACTIONS === 'true';
}
