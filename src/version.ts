import { readFileSync } from 'node:fs';

/** The tool's version, read once from package.json (shipped in the npm package). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export const USER_AGENT = `org2org/${VERSION}`;
