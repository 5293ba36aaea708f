/**
 * The saved plan is a trust boundary: every hand edit an attacker tried on a `plan --out` file
 * is refused with the difference listed and nothing written; malformed files and dependency
 * cycles are clear errors; the untouched plan still applies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApply } from '../../src/cli/commands/apply.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { applyPlan } from '../../src/apply/apply-plan.js';
import { Org2OrgError, StalePlanError } from '../../src/errors.js';
import { startSim } from '../../src/sim/index.js';
import { PLAN_FORMAT_VERSION, type Change, type Plan } from '../../src/plan/types.js';
import { cliEnv, countWrites, findLeaks } from '../e2e/cli.js';
import { change, plan as planOf } from '../builders/plan.js';
import { clientFor } from './sim-client.js';
import { addressOf } from '../../src/plan/address.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const find = (p: Json, address: string): Json => p.spokes.flatMap((s: Json) => s.changes).find((c: Json) => c.address === address);
const CHLOE = 'spoke.emea.assignment.user["chloe@acme.com"]';
const ALICE = 'spoke.emea.assignment.user["alice@acme.com"]';

/** Each edit an attacker (or a careless reviewer) might make, and a word for the message. */
const TAMPERS: [string, (p: Json) => void][] = [
  ['userId', (p) => void (find(p, CHLOE).op.userId = '00u0b000000000000001')],
  ['$env profile value', (p) => void (find(p, ALICE).op.profile.nickName = { $env: 'OKTA_HUB_PROVISIONING_TOKEN' })],
  ['$env secret variable', (p) => void (find(p, ALICE).op.profile.securityAnswer = { $env: 'OKTA_HUB_PROVISIONING_TOKEN' })],
  ['OAuth clientId', (p) => void (find(p, 'spoke.apac.connection').op.profile.clientId = '0oa0b0000000000000ff')],
  ['app baseUrl', (p) => void (find(p, 'spoke.apac.app').op.baseUrl = 'http://127.0.0.1:1')],
  ['app label', (p) => void (find(p, 'spoke.apac.app').op.label = 'Other')],
  [
    'groupId',
    (p) => {
      // Another real group of the Spoke (Engineering), not an id that happens to be free in this seed.
      const change = find(p, 'spoke.emea.assignment.group["EMEA Sales"]');
      const other = find(p, 'spoke.emea.pushMapping["Engineering"]').op.sourceGroupId;
      assert.ok(other && other !== change.op.groupId);
      change.op.groupId = other;
    },
  ],
  ['push target', (p) => void (find(p, 'spoke.emea.pushMapping["Legacy Ops"]').op.targetGroupName = 'Everyone Hub')],
  [
    'capabilities',
    (p) =>
      void (find(p, 'spoke.emea.features.toApp').op.capabilities.update.password = { status: 'ENABLED', seed: 'OKTA', change: 'CHANGE' }),
  ],
  ['activate', (p) => void (find(p, 'spoke.apac.connection').op.activate = false)],
  ['appId', (p) => void (find(p, CHLOE).op.appId = '0oa0b0000000000000ff')],
  [
    'op type',
    (p) => {
      const { appId, userId, login } = find(p, CHLOE).op;
      find(p, CHLOE).op = { type: 'assignment.user.unassign', appId, userId, login };
    },
  ],
  ['action', (p) => void (find(p, CHLOE).action = 'delete')],
  ['a change dropped', (p) => void p.spokes[0].changes.splice(p.spokes[0].changes.indexOf(find(p, CHLOE)), 1)],
  ['hubUrl', (p) => void (p.hubUrl = 'http://127.0.0.1:1')],
  ['spoke url', (p) => void (p.spokes[0].url = 'http://127.0.0.1:1')],
  ['spoke mode', (p) => void (p.spokes[1].mode = 'observe')],
  ['config digest', (p) => void (p.config.digest = 'f'.repeat(64))],
  [
    'forged one-change plan',
    (p) => {
      // Bob is assigned and the config keeps him: a forged unassignment, with the digest left as it was.
      const chloe = find(p, CHLOE);
      const address = 'spoke.emea.assignment.user["bob@acme.com"]';
      const forged = {
        ...chloe,
        address,
        name: 'bob@acme.com',
        action: 'delete',
        op: { type: 'assignment.user.unassign', appId: chloe.op.appId, userId: '00u0b000000000000002', login: 'bob@acme.com' },
      };
      p.spokes = [{ ...p.spokes[0], changes: [forged] }];
    },
  ],
];

test('a saved plan edited in any field is refused with the difference listed and nothing written; the untouched plan applies', {
  timeout: 120_000,
}, async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-saved-plan-'));
  try {
    const env = cliEnv(sim);
    const io = (sink: { out: string; err: string }) => ({
      env,
      stdout: (t: string) => void (sink.out += t),
      stderr: (t: string) => void (sink.err += t),
    });
    const planFile = join(dir, 'plan.json');
    assert.equal(await runPlan(['--out', planFile], io({ out: '', err: '' })), 0);
    const original = readFileSync(planFile, 'utf8');

    for (const [what, tamper] of TAMPERS) {
      const edited = JSON.parse(original) as Json;
      tamper(edited);
      const file = join(dir, `${what.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, JSON.stringify(edited));
      const sink = { out: '', err: '' };
      await assert.rejects(
        runApply([file, '--auto-approve'], io(sink)),
        (err: unknown) => {
          assert.ok(err instanceof StalePlanError, `${what}: ${String(err)}`);
          assert.match(err.message, /Nothing was written/, what);
          assert.ok(err.differences.length > 0, what);
          assert.deepEqual(findLeaks(sim, err.message + sink.out + sink.err), [], what);
          return true;
        },
        what,
      );
      assert.equal(countWrites(sim), 0, `${what}: something was written`);
    }

    const sink = { out: '', err: '' };
    const refused = JSON.parse(original) as Json;
    find(refused, CHLOE).op.userId = '00u0b000000000000001';
    writeFileSync(join(dir, 'one.json'), JSON.stringify(refused));
    const error = await runApply([join(dir, 'one.json'), '--auto-approve'], io(sink)).catch((e: unknown) => e as StalePlanError);
    assert.ok(error instanceof StalePlanError);
    assert.deepEqual(error.differences, [`${CHLOE}: op.userId is "00u0b000000000000001" in the plan, "00u0b000000000000003" now`]);

    assert.equal(await runApply([planFile, '--auto-approve'], io(sink)), 0, sink.err);
    assert.match(sink.err, /up to date/);
    assert.ok(countWrites(sim) > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});

test('a malformed plan file is a clear error naming what is wrong, never an internal one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'org2org-bad-plan-'));
  const head = {
    formatVersion: PLAN_FORMAT_VERSION,
    tool: { name: 'org2org', version: '0' },
    config: { file: 'x.yaml', digest: 'd' },
    hubUrl: 'http://127.0.0.1:1',
    fingerprints: {},
    summary: { add: 1, change: 0, remove: 0, manual: 0, noop: 0, errors: 0, warnings: 0, apiWrites: 1, hubEffects: 0, minSeconds: 1 },
    errored: false,
    empty: false,
  };
  const spoke = (changes: unknown): Json => ({ name: 'emea', url: 'http://127.0.0.1:2', mode: 'managed', diagnostics: [], changes });
  const good = {
    address: 'spoke.emea.app',
    spoke: 'emea',
    kind: 'app',
    action: 'create',
    name: 'a',
    before: null,
    after: {},
    attributes: [],
    dependsOn: [],
    writes: 1,
    op: { type: 'app.create', label: 'a', signOnMode: 'AUTO_LOGIN', baseUrl: 'https://acme.okta.com' },
  };
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{', /not JSON/],
    ['a list', '[]', /not an org2org plan file/],
    ['null', 'null', /not an org2org plan file/],
    ['no spokes', JSON.stringify(head), /the file is missing "spokes"/],
    ['a null spoke', JSON.stringify({ ...head, spokes: [null] }), /spokes\[0\] must be object/],
    ['changes not a list', JSON.stringify({ ...head, spokes: [spoke('x')] }), /spokes\[0\]\.changes must be array/],
    ['a change without op', JSON.stringify({ ...head, spokes: [spoke([{ ...good, op: null }])] }), /changes\[0\]\.op must be object/],
    [
      'numbers for strings',
      JSON.stringify({ ...head, spokes: [spoke([{ ...good, address: 5, dependsOn: 'x' }])] }),
      /address must be string/,
    ],
    ['fingerprints a number', JSON.stringify({ ...head, fingerprints: 5, spokes: [] }), /fingerprints must be object/],
    [
      'an op apply has no such type',
      JSON.stringify({ ...head, spokes: [spoke([{ ...good, op: { type: 'app.explode' } }])] }),
      /op\.type is not a change org2org makes/,
    ],
    [
      'an op without its ids',
      JSON.stringify({ ...head, spokes: [spoke([{ ...good, op: { type: 'app.activate' } }])] }),
      /op is missing "appId"/,
    ],
    [
      'a field no plan has',
      JSON.stringify({ ...head, spokes: [spoke([{ ...good, run: 'rm -rf /' }])] }),
      /changes\[0\] has "run", which a plan file does not have/,
    ],
    [
      'an address org2org does not make',
      JSON.stringify({ ...head, spokes: [spoke([{ ...good, address: 'spoke.emea.nope' }])] }),
      /"spoke\.emea\.nope" is not an address org2org makes/,
    ],
    [
      'a kind its address does not name',
      JSON.stringify({ ...head, spokes: [spoke([{ ...good, kind: 'connection' }])] }),
      /kind must be "app"/,
    ],
    ['a repeated address', JSON.stringify({ ...head, spokes: [spoke([good, good])] }), /repeats "spoke\.emea\.app"/],
    [
      'a cycle',
      JSON.stringify({
        ...head,
        spokes: [
          spoke([
            { ...good, dependsOn: ['spoke.emea.connection'] },
            { ...good, address: 'spoke.emea.connection', kind: 'connection', dependsOn: ['spoke.emea.app'] },
          ]),
        ],
      }),
      /cycle/,
    ],
    ['another format', JSON.stringify({ ...head, formatVersion: 99, spokes: [] }), /plan format 99/],
    // Format 1 had apply read before/after for data its ops now carry: such a file is planned again, never guessed at.
    [
      'format 1',
      JSON.stringify({ ...head, formatVersion: 1, spokes: [] }),
      /has plan format 1; this org2org \(.+\) reads format 3\. Plan again with this version/,
    ],
  ];
  try {
    for (const [what, text, message] of cases) {
      const file = join(dir, 'plan.json');
      writeFileSync(file, text);
      // No config is loaded and no org is read: the file is refused first.
      await assert.rejects(
        runApply([file, '--auto-approve'], {
          env: {},
          stdout: () => {},
          stderr: () => {},
          loadConfig: () => assert.fail('the config was loaded'),
        }),
        (err: unknown) => err instanceof Org2OrgError && message.test(err.message) && err.message.includes(file),
        what,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a plan whose dependencies form a cycle is refused whole before anything is written', async () => {
  const sim = await startSim({
    orgs: {
      hub: {},
      emea: { tokens: { ADMIN: { value: 'fake-emea-admin-token-for-tests', user: 'admin@emea.example.com', roles: ['SUPER_ADMIN'] } } },
    },
  });
  try {
    const emea = clientFor('emea', sim.orgs.emea!.url, sim.orgs.emea!.tokens.ADMIN!);
    const a = change('emea', 'assignment.user', 'a@acme.com', 'create', {
      type: 'assignment.user.assign',
      appId: '0oa1',
      userId: '00ua',
      login: 'a@acme.com',
      profile: {},
      initialStatus: 'active_with_pass',
    });
    const b = change(
      'emea',
      'assignment.user',
      'b@acme.com',
      'create',
      {
        type: 'assignment.user.assign',
        appId: '0oa1',
        userId: '00ub',
        login: 'b@acme.com',
        profile: {},
        initialStatus: 'active_with_pass',
      },
      { dependsOn: [addressOf(a)] },
    );
    const independent = change('emea', 'assignment.user', 'c@acme.com', 'create', {
      type: 'assignment.user.assign',
      appId: '0oa1',
      userId: '00uc',
      login: 'c@acme.com',
      profile: {},
      initialStatus: 'active_with_pass',
    });
    (a as Change).dependsOn = [addressOf(b)];
    const cyclic: Plan = planOf([a, b, independent]);
    await assert.rejects(
      applyPlan(cyclic, { spokes: { emea } }),
      (err: unknown) => err instanceof Org2OrgError && /cycle/.test(err.message) && /Nothing was written/.test(err.message),
    );
    assert.equal(sim.stats('emea').total, 0, 'no request reached the org');
  } finally {
    await sim.close();
  }
});
