/**
 * What a command does differently under GitHub Actions: the job's step summary, and the link a cut
 * PR comment gives to the run.
 */
import type { MarkdownOptions } from '../render/markdown.js';
import { writeOutputFile } from './files.js';
import type { Env } from './io.js';

/** The step summary file under GitHub Actions, undefined elsewhere. */
export function stepSummaryFile(env: Env): string | undefined {
  const file = env.GITHUB_STEP_SUMMARY;
  return env.GITHUB_ACTIONS === 'true' && file ? file : undefined;
}

export const STEP_SUMMARY = 'the step summary ($GITHUB_STEP_SUMMARY)';

/**
 * Under GitHub Actions, append Markdown to the job's step summary (never through a link, onto an
 * input or into anything but a regular file: see files.ts). Returns whether it did.
 */
export function appendStepSummary(markdown: string, env: Env, inputs: readonly string[] = []): boolean {
  const file = stepSummaryFile(env);
  if (file === undefined) return false;
  writeOutputFile(file, markdown.endsWith('\n') ? markdown : markdown + '\n', { what: STEP_SUMMARY, append: true, inputs });
  return true;
}

/** Under GitHub Actions, a cut comment links to the run, where the workflow keeps the full plan as an artifact. */
export function markdownOptions(env: Env): MarkdownOptions {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return server && repo && run ? { fullPlanUrl: `${server}/${repo}/actions/runs/${run}` } : {};
}
