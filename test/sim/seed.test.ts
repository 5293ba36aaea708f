import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { buildSeed, loadSeed, SeedError, startSim, validateSeed } from '../../src/sim/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('sim: seed validation', () => {
  it('lists every problem with its path', () => {
    const seed = {
      orgs: {
        hub: { users: [{ login: 'a@x' }, { login: 'a@x' }], tokens: { T: { roles: ['GOD'] } } },
        spoke: {
          groups: [{ name: 'G', members: ['ghost@x'] }],
          apps: [
            {
              label: 'Acme Hub',
              hub: 'nowhere',
              connection: { token: 'hub/NOPE' },
              users: [{ login: 'ghost@x', initialStatus: 'active' }],
              pushMappings: [{ source: 'Missing', target: 'T' }],
            },
          ],
        },
      },
      env: { X: '${orgs.mars.url}', Y: '${orgs.hub.tokens.NONE}' },
    };
    const err = (() => {
      try {
        validateSeed(seed);
      } catch (e) {
        return e as SeedError;
      }
      throw new Error('no error');
    })();
    assert.ok(err instanceof SeedError);
    const expected = [
      'orgs.hub.users[1].login: duplicate login "a@x"',
      'orgs.hub.tokens.T.user: required',
      'orgs.spoke.groups[0].members: no user "ghost@x" in org spoke',
      'orgs.spoke.apps[0].hub: no org "nowhere"',
      'orgs.spoke.apps[0].connection.token: no token "NOPE" in org "hub"',
      'orgs.spoke.apps[0].users[0].login: no user "ghost@x"',
      'orgs.spoke.apps[0].users[0].initialStatus: must be one of',
      'orgs.spoke.apps[0].pushMappings[0].source: no group "Missing"',
      'env.X: no org "mars"',
      'env.Y: no token "NONE" in org hub',
    ];
    for (const e of expected)
      assert.ok(
        err.problems.some((p) => p.startsWith(e)),
        `missing problem: ${e}\n${err.problems.join('\n')}`,
      );
  });

  it('says what is wrong with an unreadable or malformed file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-seed-'));
    try {
      assert.throws(() => loadSeed(join(dir, 'missing.yaml')), /cannot read the file: ENOENT/);
      writeFileSync(join(dir, 'bad.yaml'), 'orgs: [unclosed');
      assert.throws(() => loadSeed(join(dir, 'bad.yaml')), /not valid YAML/);
      writeFileSync(join(dir, 'empty.yaml'), 'env: {}\n');
      assert.throws(() => loadSeed(join(dir, 'empty.yaml')), /orgs: required/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('sim: example seed matches the root org2org.config.yaml', () => {
  it('has every org, user, group and env variable the config names', async () => {
    const config = parse(readFileSync(join(ROOT, 'org2org.config.yaml'), 'utf8'));
    const seed = loadSeed(join(ROOT, 'examples/sim/seed.yaml'));
    // Variables used by values (comments mention `${ENV}` as prose).
    const text = readFileSync(join(ROOT, 'org2org.config.yaml'), 'utf8').replace(/#.*$/gm, '');
    const vars = new Set([...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!));
    const sim = await startSim(seed);
    try {
      for (const v of vars) assert.ok(sim.env[v], `env ${v}`);
      assert.ok(sim.org('hub').findGroupByName('Ops'), 'the Hub has Ops');
      for (const spoke of config.spokes) {
        const org = sim.org(spoke.name);
        for (const u of spoke.assignments.users) assert.ok(org.findUser(u.login), `${spoke.name}: ${u.login}`);
        for (const g of [...spoke.assignments.groups, ...spoke.pushGroups.groups])
          assert.ok(org.findGroupByName(g.name), `${spoke.name}: ${g.name}`);
      }
      // Tokens and their roles as the config expects them.
      const roleOf = (org: string, token: string): string[] => {
        const o = sim.org(org);
        return o.users.get(o.tokens.get(sim.env[token]!)!.userId)!.roles;
      };
      assert.deepEqual(roleOf('hub', 'OKTA_HUB_READ_TOKEN'), ['READ_ONLY_ADMIN']);
      assert.deepEqual(roleOf('hub', 'OKTA_HUB_PROVISIONING_TOKEN'), ['SUPER_ADMIN']);
      assert.deepEqual(roleOf('emea', 'OKTA_EMEA_TOKEN'), ['SUPER_ADMIN']);
      assert.deepEqual(roleOf('apac', 'OKTA_APAC_TOKEN'), ['SUPER_ADMIN']);
      assert.equal(sim.env.OKTA_EMEA_URL, sim.orgs.emea!.url);
    } finally {
      await sim.close();
    }
  });
});

describe('sim: large seeds', () => {
  it('builds and starts 100,000 users with assignments and 200 push mappings', async () => {
    const seed = buildSeed({ spokes: [{ name: 'big', users: 100_000, assigned: 5_000, groups: 200, pushed: 200, membersPerGroup: 5 }] });
    const sim = await startSim(seed);
    try {
      const big = sim.org('big');
      assert.equal(big.users.size, 100_000 + 1);
      const app = big.apps.values()[0]!;
      assert.equal(app.users.size, 5_000);
      assert.equal(app.pushMappings.size, 200);
      assert.equal(sim.org('hub').users.size, 5_000 + 3);
      // Group 1 has users 1..5, all assigned, so its Hub group has all five.
      const target = sim.org('hub').groups.get(app.pushMappings.values()[0]!.hubGroupId)!;
      assert.equal(target.members.size, 5);
    } finally {
      await sim.close();
    }
  });
});
