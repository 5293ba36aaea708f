import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { call } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function startCli(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sim', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('org2org sim', () => {
  it('prints one JSON line with orgs and env, serves, and stops cleanly on SIGTERM', async () => {
    const child = startCli(['--json', '--time-scale', '60']);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', () => reject(new Error('exited before printing')));
    });
    const info = JSON.parse(line);
    assert.deepEqual(Object.keys(info.orgs).sort(), ['apac', 'emea', 'hub']);
    assert.match(info.orgs.hub.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info.env.OKTA_HUB_URL, info.orgs.hub.url);
    assert.equal(info.env.OKTA_EMEA_TOKEN, info.orgs.emea.tokens.OKTA_EMEA_TOKEN);
    const apps = await call(info.env.OKTA_EMEA_URL, info.env.OKTA_EMEA_TOKEN, 'GET', '/api/v1/apps');
    assert.equal(apps.body[0].label, 'Acme Hub');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('refuses an unknown option and a bad seed with a clear message', async () => {
    const run = async (args: string[]): Promise<{ code: number | null; stderr: string }> => {
      const child = startCli(args);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      return { code, stderr };
    };
    const unknown = await run(['--bogus']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown option "--bogus"/);
    const missing = await run(['--seed', 'no/such/seed.yaml']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /invalid simulator seed no\/such\/seed\.yaml:\n {2}- cannot read the file: ENOENT/);
  });
});
