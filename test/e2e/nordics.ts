/**
 * The one-Spoke world the OAuth 2.0 end-to-end tests share: a Hub and a Spoke `nordics`, each with
 * a Super Administrator's API token, the config's variables pointing at them, and a config whose
 * Spoke is `nordics` with the Org2Org app labelled "Acme Hub". Each test adds its own users,
 * groups, apps and the Spoke's connection; this file only keeps the parts they all repeat.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sim, type SimApp, startSim } from '../../src/sim/index.js';
import type { SeedOrg, SimSeed } from '../../src/sim/types.js';
import { runCli } from './cli.js';

/**
 * A config with the Hub and the Spoke `nordics`; `spoke` is the rest of the Spoke's entry (from
 * `connection:` on), indented as under `app:`. `appLines` go under `app:` after its label.
 */
export function nordicsConfig(spoke: string, appLines: string[] = []): string {
  return `version: 1
hub:
  url: \${HUB_URL}
  auth:
    token: \${HUB_ADMIN_TOKEN}
spokes:
  - name: nordics
    url: \${NORDICS_URL}
    auth:
      token: \${NORDICS_TOKEN}
    app:
      label: Acme Hub
${appLines.map((l) => `      ${l}\n`).join('')}${spoke}`;
}

/** The seed: both orgs' admin tokens, what each test adds to either org, and the env the config reads. */
export function nordicsSeed(orgs: { hub?: SeedOrg; nordics?: SeedOrg } = {}): SimSeed {
  return {
    orgs: {
      hub: { ...orgs.hub, tokens: { HUB_ADMIN_TOKEN: { user: 'admin@hub.acme.com', roles: ['SUPER_ADMIN'] }, ...orgs.hub?.tokens } },
      nordics: {
        ...orgs.nordics,
        tokens: { NORDICS_TOKEN: { user: 'admin@nordics.acme.com', roles: ['SUPER_ADMIN'] }, ...orgs.nordics?.tokens },
      },
    },
    env: {
      HUB_URL: '${orgs.hub.url}',
      NORDICS_URL: '${orgs.nordics.url}',
      HUB_ADMIN_TOKEN: '${orgs.hub.tokens.HUB_ADMIN_TOKEN}',
      NORDICS_TOKEN: '${orgs.nordics.tokens.NORDICS_TOKEN}',
    },
  };
}

export interface NordicsWorld {
  sim: Sim;
  /** The config file, in a directory of its own. */
  config: string;
  /** Runs the CLI with `-c config` and the simulator's environment. */
  run(...args: string[]): ReturnType<typeof runCli>;
  writeConfig(text: string): void;
  /** The Spoke's Org2Org app (once it exists). */
  spokeApp(): SimApp;
  close(): Promise<void>;
}

/**
 * Starts the simulator on `nordicsSeed(orgs)` — minute windows pass in a second (timeScale 60):
 * repeated check → plan → apply rounds fill the apps bucket, and waiting out real minutes would only
 * make the suite slow — and writes `config` to a fresh directory.
 */
export async function startNordics(name: string, config: string, orgs: { hub?: SeedOrg; nordics?: SeedOrg } = {}): Promise<NordicsWorld> {
  const sim = await startSim(nordicsSeed(orgs), { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), `org2org-${name}-`));
  const file = join(dir, 'org2org.config.yaml');
  writeFileSync(file, config);
  return {
    sim,
    config: file,
    run: (...args) => runCli([...args, '-c', file], sim.env),
    writeConfig: (text) => writeFileSync(file, text),
    spokeApp: () =>
      sim
        .org('nordics')
        .apps.values()
        .find((a) => a.name === 'okta_org2org')!,
    close: async () => {
      rmSync(dir, { recursive: true, force: true });
      await sim.close();
    },
  };
}
