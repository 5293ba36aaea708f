/**
 * Reading a live setup into a config, as `export` and `init --hub-url` do: the command-line
 * Spokes, their credentials (checked before anything is read), the read with progress, and the
 * check that the written file loads with the project's own loader.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from './session.js';
import type { LoadConfig } from './config-selection.js';
import type { Env } from './io.js';
import { Org2OrgError, UsageError, type SourceProblem } from '../errors.js';
import { Secret } from '../credentials.js';
import type { OktaClient } from '../okta/types.js';
import { HUB_PROVISIONING_TOKEN_VAR, HUB_READ_TOKEN_VAR, spokeTokenVar } from '../export/build-document.js';
import { readExportInput, type ExportSource } from '../export/read-export.js';
import type { ExportInput } from '../export/types.js';

export interface SpokeArg {
  name: string;
  url: string;
}

export interface ExportTarget {
  hubUrl: string;
  spokes: SpokeArg[];
  label?: string;
}

/** Every Spoke's credential, checked before anything is read or drawn. */
export function spokeSources(session: Session, spokes: SpokeArg[]): Omit<ExportSource['spokes'][number], 'client'>[] {
  return spokes.map((s) => {
    const tokenVar = spokeTokenVar(s.name);
    if (!session.env[tokenVar]) throw new UsageError(`spoke ${s.name}: set ${tokenVar} to an API token of ${s.url}.`);
    return { ...s, tokenVar };
  });
}

/** What the orgs hold, read with progress on stderr; the terminal is released before anything goes to stdout. */
export async function readExport(
  session: Session,
  args: ExportTarget,
  spokes: Omit<ExportSource['spokes'][number], 'client'>[],
  generatedAt: string,
): Promise<ExportInput> {
  // A Spoke cut off mid-read (Ctrl-C) fails or would be written with lists missing.
  return session.readWithProgress('the orgs were not read to the end; nothing was written.', (progress) => {
    const clientOf = (org: string, url: string, tokenVar: string): OktaClient =>
      session.client(org, url, { kind: 'token', token: new Secret(tokenVar, session.env[tokenVar]!) });
    const sources = spokes.map((s) => {
      progress.message(`read ${s.tokenVar} for spoke ${s.name}`);
      return { ...s, client: clientOf(s.name, s.url, s.tokenVar) };
    });
    let hub: ExportSource['hub'];
    if (session.env[HUB_READ_TOKEN_VAR]) {
      progress.message(`read ${HUB_READ_TOKEN_VAR} for the Hub`);
      hub = { client: clientOf('hub', args.hubUrl, HUB_READ_TOKEN_VAR), tokenVar: HUB_READ_TOKEN_VAR };
    } else {
      progress.message(`${HUB_READ_TOKEN_VAR} not set: the Hub is not read (push targets get their source's name; link unknown)`);
    }
    progress.message(`the file refers to ${HUB_PROVISIONING_TOKEN_VAR} for each TOKEN connection (write-only in Okta, not read)`);
    return readExportInput({ hubUrl: args.hubUrl, spokes: sources, hub, label: args.label, onEvent: (e) => progress.read(e) }, generatedAt);
  });
}

export function parseSpokeArg(arg: string): SpokeArg {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UsageError(`--spoke expects NAME=URL (got "${arg}").`);
  const name = arg.slice(0, eq);
  if (!/^[a-z0-9-]+$/.test(name)) throw new UsageError(`--spoke ${name}: a Spoke name is [a-z0-9-]+.`);
  return { name, url: originOf(arg.slice(eq + 1), `--spoke ${name}`) };
}

export function originOf(text: string, what: string): string {
  if (!URL.canParse(text)) throw new UsageError(`${what}: "${text}" is not a URL.`);
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${what}: "${text}" is not an http(s) URL.`);
  return url.origin;
}

/**
 * The file must load with the project's own loader (schema and rules) before anyone sees it:
 * a failure is export's bug, reported as such, and nothing is written.
 */
export async function validateExport(text: string, env: Env, load: LoadConfig): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'org2org-export-'));
  const file = join(dir, 'org2org.config.yaml');
  try {
    await writeFile(file, text);
    await load(file, { env, requireSecrets: false });
  } catch (e) {
    const problems = (e as { problems?: SourceProblem[] }).problems ?? [];
    const detail = problems.map((p) => `\n  line ${p.line}:${p.col} ${p.message}`).join('');
    throw new Org2OrgError(
      `internal error: the exported config does not pass validation, so nothing was written. This is a bug in export; please report it.\n  ${(e as Error).message}${detail}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
