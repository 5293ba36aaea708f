import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ConfigError, type SourceProblem } from '../../src/errors.js';
import { loadConfig, type LoadOptions, type LoadResult } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'org2org-config-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** Writes text (or bytes) to a fresh temp file and returns its path. */
export function writeTemp(content: string | Buffer, name = `config-${++counter}.yaml`): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

export function tempDir(): string {
  return dir;
}

export type Outcome =
  | { ok: true; result: LoadResult; file: string }
  | { ok: false; error: ConfigError; problems: SourceProblem[]; file: string };

export async function loadText(
  text: string | Buffer,
  options: { env?: Record<string, string | undefined>; requireSecrets?: boolean; parse?: LoadOptions['parse'] } = {},
): Promise<Outcome> {
  const file = writeTemp(text);
  return loadFile(file, options);
}

export async function loadFile(
  file: string,
  options: { env?: Record<string, string | undefined>; requireSecrets?: boolean; parse?: LoadOptions['parse'] } = {},
): Promise<Outcome> {
  try {
    const result = await loadConfig(file, {
      env: options.env ?? {},
      requireSecrets: options.requireSecrets ?? false,
      ...(options.parse ? { parse: options.parse } : {}),
    });
    return { ok: true, result, file };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, error: err, problems: err.problems, file };
    throw err;
  }
}

/** `line:col message` of every error, the form the corpus asserts. */
export function errorLines(outcome: Outcome): string[] {
  if (outcome.ok) return [];
  return outcome.problems.filter((p) => p.severity === 'error').map((p) => `${p.line}:${p.col} ${p.message}`);
}

/** A valid config whose line numbers the corpus relies on (line 1 is `version: 1`). */
export const BASE = `version: 1
hub:
  url: https://acme.okta.com
spokes:
  - name: emea
    url: https://acme-emea.okta.com
    auth:
      token: \${EMEA_TOKEN}
    app:
      label: Acme Hub
    connection:
      authScheme: TOKEN
      token: \${HUB_TOKEN}
    provisioning:
      toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: true, syncPassword: false }
    assignments:
      users:
        - login: alice@acme.com
        - login: bob@acme.com
      groups:
        - name: EMEA Sales
    pushGroups:
      groups:
        - name: Engineering
`;

/** BASE with line `n` (1-based) replaced by `replacement` (which may span several lines). */
export function withLine(n: number, replacement: string, base = BASE): string {
  const lines = base.split('\n');
  lines[n - 1] = replacement;
  return lines.join('\n');
}
