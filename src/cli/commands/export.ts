/**
 * `org2org export`: read an existing Org2Org setup (one or more Spokes, optionally the Hub) and
 * write the config that describes it, so adopting org2org starts from "plan: no changes".
 * Read (src/export/read-export, through readLiveState) → build the document (pure) → validate it with the config loader →
 * write it (stdout, or -o FILE which is never overwritten without --force).
 */
import { commandIo, type LoadConfig } from '../shared.js';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { Org2OrgError, UsageError, type SourceProblem } from '../../errors.js';
import { Secret } from '../../credentials.js';
import { loadConfig } from '../../config/load.js';
import { createOktaClient } from '../../okta/client.js';
import type { ClientEvent, OktaClient } from '../../okta/types.js';
import { HUB_PROVISIONING_TOKEN_VAR, HUB_READ_TOKEN_VAR, renderExport, spokeTokenVar } from '../../export/build-document.js';
import { readExportInput } from '../../export/read-export.js';
import type { ObservedSpoke } from '../../export/types.js';
import { createProgress, type Progress } from '../../render/progress.js';
import { detectTerminal } from '../../render/terminal.js';
import { readDoneText } from '../../render/progress-text.js';


export interface ExportIo {
  env?: Record<string, string | undefined>;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Clock for the header's timestamp (golden tests). */
  now?: () => Date;
  /** Config loader (tests); defaults to src/config/load.ts. */
  loadConfig?: LoadConfig;
  onEvent?: (event: ClientEvent) => void;
  /** Progress display; default: createProgress on stderr (plain lines to `stderr` when that is injected). */
  progress?: Progress;
}

const HELP = `Usage: org2org export --hub-url URL --spoke NAME=URL [--spoke NAME=URL …] [--label LABEL] [-o FILE] [--force] [--format yaml]

Reads each Spoke's Org2Org app — connection, provisioning features, Profile Sourcing, import
settings, user and group assignments, push mappings — and writes the config that describes it,
so that the first \`org2org plan\` shows no changes. Lists are written as \`mode: authoritative\`.

Credentials come from environment variables, and the file refers to the same names as \${VAR}:
  OKTA_<NAME>_TOKEN              API token of Spoke NAME (upper-case, "-" → "_"), required
  OKTA_HUB_READ_TOKEN            read-only Hub token, optional: gives push targets' names and
                                 whether a Hub group predates its mapping (link: true)
  OKTA_HUB_PROVISIONING_TOKEN    not read: the connection's token is write-only in Okta; the file
                                 refers to it for \`apply\`

Options:
      --hub-url URL          the Hub org's URL
      --spoke NAME=URL       a Spoke to export (repeatable); NAME is [a-z0-9-]+
      --label LABEL          the Org2Org app's label (default: the first okta_org2org app found)
  -o, --output FILE          write to FILE (default: stdout); refuses an existing FILE without --force
      --force                overwrite FILE
      --format yaml          output format (yaml only)

${GLOBAL_HELP}

Exit: 0 written, 1 error (nothing written).`;

export async function run(argv: string[]): Promise<number> {
  return runExport(argv);
}

interface SpokeArg {
  name: string;
  url: string;
}

export async function runExport(argv: string[], io: ExportIo = {}): Promise<number> {
  const { out, err, env } = commandIo(io);
  const parsed = parseCommandArgs('export', argv, {
    'hub-url': { type: 'string' },
    spoke: { type: 'string', multiple: true },
    label: { type: 'string' },
    output: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    format: { type: 'string' },
  });
  const values = {
    help: parsed.global.help,
    format: parsed.string('format') ?? 'yaml',
    'hub-url': parsed.string('hub-url'),
    spoke: parsed.strings('spoke'),
    label: parsed.string('label'),
    output: parsed.string('output'),
    force: parsed.flag('force'),
    'no-tty': parsed.global.noTty,
  };
  if (values.help) {
    out(HELP + '\n');
    return 0;
  }
  if (values.format !== 'yaml') throw new UsageError(`--format: only "yaml" is supported (got "${values.format}").`);
  if (!values['hub-url']) throw new UsageError(`--hub-url is required.\n\n${HELP}`);
  const hubUrl = originOf(values['hub-url'], '--hub-url');
  const spokes = (values.spoke ?? []).map(parseSpokeArg);
  if (spokes.length === 0) throw new UsageError(`at least one --spoke NAME=URL is required.\n\n${HELP}`);
  const names = new Set<string>();
  for (const s of spokes) {
    if (names.has(s.name)) throw new UsageError(`--spoke ${s.name} is given twice.`);
    if (s.url === hubUrl) throw new UsageError(`--spoke ${s.name}: ${s.url} is the Hub; a Spoke is another org.`);
    names.add(s.name);
  }
  const output = values.output;
  // Checked before reading (minutes on a large org), and again right before writing.
  if (output !== undefined && !values.force && existsSync(output)) {
    throw new UsageError(`${output} exists; pass --force to overwrite it.`);
  }

  // Every credential is checked before anything is read or drawn.
  const credentials = spokes.map((s) => {
    const tokenVar = spokeTokenVar(s.name);
    const token = env[tokenVar];
    if (!token) throw new UsageError(`spoke ${s.name}: set ${tokenVar} to an API token of ${s.url}.`);
    return { spoke: s, tokenVar, token };
  });

  const progress = io.progress ?? (io.stderr ? plainProgress(err) : createProgress(detectTerminal({ noTty: values['no-tty'], env })));
  const clientEvents = (e: ClientEvent): void => {
    io.onEvent?.(e);
    progress.client(e);
  };
  const clients = credentials.map(({ spoke, tokenVar, token }) => {
    progress.message(`read ${tokenVar} for spoke ${spoke.name}`);
    return { spoke, tokenVar, client: createOktaClient({ org: spoke.name, baseUrl: spoke.url, auth: { kind: 'token', token: new Secret(tokenVar, token) }, onEvent: clientEvents }) };
  });
  let hub: OktaClient | undefined;
  const hubToken = env[HUB_READ_TOKEN_VAR];
  if (hubToken) {
    progress.message(`read ${HUB_READ_TOKEN_VAR} for the Hub`);
    hub = createOktaClient({ org: 'hub', baseUrl: hubUrl, auth: { kind: 'token', token: new Secret(HUB_READ_TOKEN_VAR, hubToken) }, onEvent: clientEvents });
  } else {
    progress.message(`${HUB_READ_TOKEN_VAR} not set: the Hub is not read (push targets get their source's name; link unknown)`);
  }
  progress.message(`the file refers to ${HUB_PROVISIONING_TOKEN_VAR} for each TOKEN connection (write-only in Okta, not read)`);

  let text: string;
  let observed: ObservedSpoke[];
  let withoutApp: { name: string; url: string }[] = [];
  try {
    const input = await readExportInput(
      {
        hubUrl,
        spokes: clients.map(({ spoke, tokenVar, client }) => ({ name: spoke.name, url: spoke.url, tokenVar, client })),
        ...(hub ? { hub: { client: hub, tokenVar: HUB_READ_TOKEN_VAR } } : {}),
        ...(values.label !== undefined ? { label: values.label } : {}),
        onEvent: (e) => progress.read(e),
      },
      (io.now ?? (() => new Date()))().toISOString(),
    );
    observed = input.spokes;
    withoutApp = input.withoutApp ?? [];
    text = renderExport(input);
  } finally {
    // The terminal is released before anything goes to stdout (or an error to stderr).
    await progress.stop();
  }

  await validateExport(text, env, io.loadConfig ?? loadConfig);
  for (const s of withoutApp) err(`warning: spoke ${s.name} (${s.url}) has no Org2Org app yet: it is a commented stub at the end of the file, not exported.\n`);

  if (output === undefined) {
    out(text);
  } else {
    // `wx` refuses a file that appeared while we were reading.
    await writeFile(output, text, { flag: values.force ? 'w' : 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') throw new UsageError(`${output} exists; pass --force to overwrite it.`);
      throw new Org2OrgError(`cannot write ${output}: ${e.message}`);
    });
    const users = observed.reduce((n, s) => n + s.users.length, 0);
    const pushed = observed.reduce((n, s) => n + s.pushMappings.length, 0);
    err(`wrote ${output}: ${observed.length} spoke(s), ${users} user assignment(s), ${pushed} push mapping(s)\n`);
  }
  return 0;
}

function parseSpokeArg(arg: string): SpokeArg {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UsageError(`--spoke expects NAME=URL (got "${arg}").`);
  const name = arg.slice(0, eq);
  if (!/^[a-z0-9-]+$/.test(name)) throw new UsageError(`--spoke ${name}: a Spoke name is [a-z0-9-]+.`);
  return { name, url: originOf(arg.slice(eq + 1), `--spoke ${name}`) };
}

function originOf(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what}: "${text}" is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${what}: "${text}" is not an http(s) URL.`);
  return url.origin;
}

/** Plain progress lines into an injected sink (tests, embedding), worded as createProgress's plain lines. */
function plainProgress(err: (t: string) => void): Progress {
  return {
    read(e) {
      if (e.type === 'read-done') err(readDoneText(e.org, e.collection, e.count, e.ms, false) + '\n');
    },
    client(e) {
      if (e.type === 'rate-limit-wait') err(`${e.org}: waiting for the ${e.bucket} rate limit (${e.reason})\n`);
    },
    apply() {},
    message: (text) => err(text + '\n'),
    stop: async () => {},
  };
}

/**
 * The file must load with the project's own loader (schema and rules) before anyone sees it:
 * a failure is export's bug, reported as such, and nothing is written.
 */
async function validateExport(text: string, env: Record<string, string | undefined>, load: LoadConfig): Promise<void> {
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
