/**
 * `org2org init [DIR]`: a config repository in one command. Writes org2org.config.yaml (exported
 * from the live orgs with --hub-url/--spoke, else a commented template that validates; an existing
 * one is kept and the rest is fitted to it), the JSON Schema under schemas/ (so the config's
 * `$schema` line resolves in that repository), the CI workflows under .github/workflows/ (the
 * examples this package ships, fitted to the config's Spokes and variables) and a .gitignore.
 * Nothing is overwritten without --force; every check is made before the first file is written.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { GLOBAL_HELP, parseCommandArgs, type ParsedArgs } from '../args.js';
import { startSession, type SessionIo } from '../session.js';
import { ConfigError, Org2OrgError, UsageError } from '../../errors.js';
import { loadConfig } from '../../config/load.js';
import { renderExport } from '../../export/build-document.js';
import { VERSION } from '../../version.js';
import { originOf, parseSpokeArg, readExport, spokeSources, validateExport, type ExportTarget } from '../export-read.js';
import { PACKAGED_SCHEMA, REPO_SCHEMA } from '../schema-ref.js';
import { configVariables, renderWorkflow, WORKFLOW_FILES, WORKFLOW_TEMPLATES_DIR } from '../workflows.js';

export type InitIo = SessionIo;

export const CONFIG_FILE = 'org2org.config.yaml';
/** The org2org Action the workflows use unless --action says otherwise: fill in where your copy lives. */
export const DEFAULT_ACTION = `OWNER/org2org@v${VERSION}`;

const HELP = `Usage: org2org init [DIR] [--hub-url URL --spoke NAME=URL …] [--label LABEL] [--action OWNER/REPO@REF] [--force]

Makes DIR (default: the current directory) a config repository:
  ${CONFIG_FILE}              exported from the live orgs with --hub-url and --spoke (the
                                   tokens as for \`org2org export\`), else a commented template;
                                   an existing one is kept, and the rest is fitted to it
  ${REPO_SCHEMA}      the JSON Schema, which the config's $schema line refers to
  .github/workflows/*.yml          plan on pull requests, apply after merge, drift check: one
                                   job per Spoke, each handed only its own variables
  .gitignore                       saved plans and CI scratch files (appended to an existing one)

Options:
      --hub-url URL          export: the Hub org's URL
      --spoke NAME=URL       export: a Spoke to read (repeatable)
      --label LABEL          export: the Org2Org app's label (default: the first okta_org2org app)
      --action REPO@REF      the org2org Action the workflows use (default: ${DEFAULT_ACTION})
      --force                overwrite files that exist (the config only with --hub-url)

${GLOBAL_HELP}

Exit: 0 written, 1 error (nothing written), 130 interrupted (nothing written).`;

const GITIGNORE_LINES = ['plan.json', '*.plan.json', 'comment.md', 'reviewed/', 'org2org.sim.yaml', 'node_modules/'];

/** A config that validates as it is: a Hub and one Spoke, every URL and secret a `${…}` reference. */
export const TEMPLATE_CONFIG = `# yaml-language-server: $schema=./${REPO_SCHEMA}
#
# Okta Org2Org provisioning as code: the Hub, the Spokes that provision their people into it, and
# who is assigned with which initial status. Change it through pull requests: CI plans every change
# (.github/workflows/plan-on-pr.yml) and applies the reviewed plan after merge.
# Replace the example Spoke and people with yours, or start from what is live instead:
#   org2org init --force --hub-url https://acme.okta.com --spoke emea=https://acme-emea.okta.com
# URLs and secrets are \${NAME} references to environment variables (repository variables and
# secrets in CI); a literal secret is an error. Check it offline with \`org2org validate\`.
version: 1
hub:
  url: \${OKTA_HUB_URL}
  auth:
    token: \${OKTA_HUB_READ_TOKEN}          # optional: read-only Hub access turns on the Hub checks
spokes:
  - name: emea                              # [a-z0-9-]+; CI runs one job per Spoke
    url: \${OKTA_EMEA_URL}
    auth:
      token: \${OKTA_EMEA_TOKEN}             # an admin API token of this Spoke (or auth.oauth)
    app:
      label: Acme Hub                       # the Spoke's Org2Org app: found by label, created if missing
    connection:
      authScheme: TOKEN                     # or OAUTH2 (no Super Administrator token to keep)
      token: \${OKTA_HUB_PROVISIONING_TOKEN} # a Hub Super Administrator's API token
    provisioning:
      toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: true, syncPassword: false }
    assignments:
      mode: additive                        # additive never removes what isn't listed; authoritative does
      defaults: { initialStatus: active_without_pass }
      users:
        - login: alice@example.com
        - { login: bob@example.com, initialStatus: pending_without_pass }
      groups: []
    pushGroups:
      mode: additive
      groups: []                            # e.g. - { name: EMEA Sales }
`;

interface InitArgs {
  dir: string;
  target?: ExportTarget;
  action: string;
  force: boolean;
}

export async function runInit(argv: string[], io: InitIo = {}): Promise<number> {
  const parsed = parseCommandArgs(
    'init',
    argv,
    {
      'hub-url': { type: 'string' },
      spoke: { type: 'string', multiple: true },
      label: { type: 'string' },
      action: { type: 'string' },
      force: { type: 'boolean' },
    },
    { maxPositionals: 1, positionalName: 'directory' },
  );
  const session = startSession(io, parsed.global);
  if (parsed.global.help) return session.help(HELP);
  const args = initArgs(parsed);
  const load = io.loadConfig ?? loadConfig;
  const configPath = join(args.dir, CONFIG_FILE);
  const keepConfig = args.target === undefined && existsSync(configPath);
  const workflows = WORKFLOW_FILES.map((f) => join(args.dir, '.github/workflows', f));
  const schemaPath = join(args.dir, REPO_SCHEMA);
  // Every refusal before anything is read or written.
  const clobbered = [...(keepConfig ? [] : [configPath]), schemaPath, ...workflows].filter((f) => existsSync(f));
  if (clobbered.length > 0 && !args.force) {
    throw new UsageError(
      `${clobbered.map((f) => relative(process.cwd(), f) || f).join(', ')} ${clobbered.length === 1 ? 'exists' : 'exist'}: nothing was written. Pass --force to overwrite.`,
    );
  }

  let config: string;
  if (args.target) {
    const input = await readExport(
      session,
      { ...args.target },
      spokeSources(session, args.target.spokes),
      (io.now ?? (() => new Date()))().toISOString(),
    );
    config = renderExport(input, { schemaRef: `./${REPO_SCHEMA}` });
    await validateExport(config, session.env, load);
  } else if (keepConfig) {
    config = await readFile(configPath, 'utf8');
    // The workflows are fitted to it: it must be a config (its variables need not be set here).
    await load(configPath, { env: session.env, requireSecrets: false }).catch((e: unknown) => {
      if (e instanceof ConfigError) throw new ConfigError(`${e.message} Fix it, then run \`org2org init\` again.`, e.problems);
      throw e;
    });
  } else {
    config = TEMPLATE_CONFIG;
  }

  const vars = configVariables(config);
  const files: Array<[string, string]> = [
    ...(keepConfig ? [] : [[configPath, config] as [string, string]]),
    [schemaPath, readFileSync(PACKAGED_SCHEMA, 'utf8')],
    ...WORKFLOW_FILES.map(
      (f, i) =>
        [workflows[i]!, renderWorkflow(readFileSync(join(WORKFLOW_TEMPLATES_DIR, f), 'utf8'), vars, { action: args.action })] as [
          string,
          string,
        ],
    ),
  ];
  for (const [file, text] of files) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text).catch((e: NodeJS.ErrnoException) => {
      throw new Org2OrgError(`cannot write ${file}: ${e.message}`);
    });
  }
  const ignored = await extendGitignore(join(args.dir, '.gitignore'));
  session.err(report(args, files, keepConfig, ignored));
  return 0;
}

function initArgs(parsed: ParsedArgs): InitArgs {
  const dir = resolve(parsed.positionals[0] ?? '.');
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a directory.`);
  const hub = parsed.string('hub-url');
  const spokes = parsed.strings('spoke').map(parseSpokeArg);
  const label = parsed.string('label');
  if (hub === undefined && (spokes.length > 0 || label !== undefined)) {
    throw new UsageError('--spoke and --label read live orgs: give --hub-url too (or none of them for a template).');
  }
  let target: ExportTarget | undefined;
  if (hub !== undefined) {
    if (spokes.length === 0) throw new UsageError('--hub-url needs at least one --spoke NAME=URL to export.');
    const names = new Set<string>();
    for (const s of spokes) {
      if (names.has(s.name)) throw new UsageError(`--spoke ${s.name} is given twice.`);
      names.add(s.name);
    }
    target = { hubUrl: originOf(hub, '--hub-url'), spokes, ...(label !== undefined ? { label } : {}) };
  }
  const action = parsed.string('action') ?? DEFAULT_ACTION;
  if (!/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[\w./-]+$/.test(action)) {
    throw new UsageError(`--action must be OWNER/REPO@REF, e.g. acme/org2org@v${VERSION} (got "${action}").`);
  }
  return { dir, ...(target ? { target } : {}), action, force: parsed.flag('force') };
}

/** Appends the lines it lacks; returns the lines added. */
async function extendGitignore(file: string): Promise<string[]> {
  const text = existsSync(file) ? await readFile(file, 'utf8') : '';
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = GITIGNORE_LINES.filter((l) => !have.has(l));
  if (missing.length === 0) return [];
  const block = `${text === '' || text.endsWith('\n') ? '' : '\n'}${text === '' ? '' : '\n'}# org2org: saved plans and CI scratch files\n${missing.join('\n')}\n`;
  await appendFile(file, block);
  return missing;
}

function report(args: InitArgs, files: Array<[string, string]>, keptConfig: boolean, ignored: string[]): string {
  const rel = (f: string): string => relative(process.cwd(), f) || f;
  const lines = [
    ...(keptConfig ? [`kept ${rel(join(args.dir, CONFIG_FILE))} (the workflows are fitted to it)`] : []),
    ...files.map(([f]) => `wrote ${rel(f)}`),
    ...(ignored.length > 0 ? [`${rel(join(args.dir, '.gitignore'))}: added ${ignored.join(' ')}`] : []),
    '',
    'Next:',
  ];
  if (args.action === DEFAULT_ACTION && files.some(([, text]) => text.includes(`uses: ${DEFAULT_ACTION}`))) {
    lines.push(`  - the workflows use ${DEFAULT_ACTION}: replace OWNER with where org2org lives (or run init with --action).`);
  }
  // What the workflows read, as written (a read-only job may read other secrets than apply).
  const read = (from: 'vars' | 'secrets'): string =>
    [
      ...new Set(
        files.flatMap(([, text]) => [...text.matchAll(new RegExp(`\\b${from}\\.([A-Za-z_][A-Za-z0-9_]*)`, 'g'))].map((m) => m[1]!)),
      ),
    ].join(', ');
  if (read('vars')) lines.push(`  - repository variables: ${read('vars')}`);
  if (read('secrets')) lines.push(`  - secrets: ${read('secrets')}`);
  if (/_READ_TOKEN\b/.test(read('secrets'))) {
    lines.push("    (*_READ_TOKEN: a Read-Only Administrator's API token per org, all that pull requests and drift checks get)");
  }
  lines.push(`  - check it: org2org validate -c ${rel(join(args.dir, CONFIG_FILE))}; then commit and open a pull request.`);
  return lines.join('\n') + '\n';
}

/** The entry point main.ts calls. */
export { runInit as run };
