#!/usr/bin/env node
// The installed package runs the JavaScript compiled into dist/ (`npm run build`, run by `prepare`
// on pack and on a git install), so a start costs no TypeScript compilation. A clone, where src/ is
// present, runs the sources through tsx instead: edits take effect without a rebuild and a stale
// dist/ is never what runs.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/cli/main.js');
}
