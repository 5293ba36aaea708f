/**
 * A look at the progress output without any Okta org: a scripted run (3 orgs read, 40 changes
 * applied with one failure and the change that depends on it skipped, a 5 s rate-limit wait)
 * fed through createProgress, as the commands feed it.
 *
 *   npx tsx scripts/ui-preview.ts              # Ink in a terminal, plain lines when piped
 *   npx tsx scripts/ui-preview.ts --no-tty     # plain lines
 *   npx tsx scripts/ui-preview.ts --confirm    # ask for `yes` between the reads and the apply
 */
import type { ApplyResult, ChangeResult } from '../src/apply/types.js';
import type { Change, PlanOp, ResourceKind } from '../src/plan/types.js';
import { confirmApply, createProgress } from '../src/render/progress.js';
import { detectTerminal } from '../src/render/terminal.js';
import { addressOf } from '../src/plan/address.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// A small deterministic generator: the preview looks the same every run.
let seed = 42;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

function change(spoke: string, kind: ResourceKind, name: string, dependsOn: string[] = []): Change {
  const op: PlanOp = { type: 'none' };
  return {
    resource: { spoke, kind, key: name },
    action: 'create',
    name,
    before: null,
    after: {},
    attributes: [],
    dependsOn,
    writes: 1,
    op,
  };
}

function scriptedChanges(): Change[] {
  const changes: Change[] = [];
  for (const spoke of ['emea', 'apac']) {
    const app = change(spoke, 'app', 'Acme Hub');
    changes.push(
      app,
      change(spoke, 'connection', 'default', [addressOf(app)]),
      change(spoke, 'features.toApp', 'USER_PROVISIONING', [addressOf(app)]),
    );
    const users = spoke === 'emea' ? 12 : 10;
    for (let i = 1; i <= users; i++) changes.push(change(spoke, 'assignment.user', `user${i}@${spoke}.acme.com`, [addressOf(app)]));
    changes.push(change(spoke, 'assignment.group', `${spoke.toUpperCase()} Sales`, [addressOf(app)]));
    changes.push(change(spoke, 'pushMapping', 'Engineering', [addressOf(app)]));
    changes.push(change(spoke, 'pushMapping', 'Support', [addressOf(app)]));
  }
  while (changes.length < 40)
    changes.push(change('apac', 'assignment.user', `extra${changes.length}@apac.acme.com`, [addressOf(changes[0]!)]));
  return changes.slice(0, 40);
}

async function read(progress: ReturnType<typeof createProgress>): Promise<void> {
  const orgs: Record<string, [string, number][]> = {
    emea: [
      ['apps', 1],
      ['app users', 1830],
      ['app groups', 12],
      ['features', 2],
      ['push mappings', 40],
      ['users', 1830],
      ['groups', 52],
    ],
    apac: [
      ['apps', 1],
      ['app users', 920],
      ['app groups', 4],
      ['features', 2],
      ['push mappings', 9],
      ['users', 920],
      ['groups', 13],
    ],
    hub: [
      ['users', 2750],
      ['groups', 61],
    ],
  };
  await Promise.all(
    Object.entries(orgs).map(async ([org, collections]) => {
      for (const [collection, total] of collections) {
        const started = Date.now();
        progress.read({ type: 'read-start', org, collection });
        for (let count = 0; count < total; count += 200) {
          await sleep(60 + random() * 120);
          progress.read({ type: 'read-progress', org, collection, count: Math.min(total, count + 200) });
        }
        progress.read({ type: 'read-done', org, collection, count: total, ms: Date.now() - started });
      }
    }),
  );
}

async function apply(progress: ReturnType<typeof createProgress>, changes: Change[]): Promise<ApplyResult> {
  const failing = changes.find((c) => c.name === 'user4@emea.acme.com')!;
  // The group push that (in this script) needs the failed assignment: skipped, not attempted.
  const dependent = changes.find((c) => c.resource.spoke === 'emea' && c.name === 'Support')!;
  dependent.dependsOn.push(addressOf(failing));
  const results: ChangeResult[] = [];
  const started = Date.now();
  progress.apply({ type: 'apply-start', total: changes.length });

  let next = 0;
  let heldUntil = 0;
  let waited = false;
  const worker = async (): Promise<void> => {
    while (next < changes.length) {
      const c = changes[next++]!;
      if (Date.now() < heldUntil) await sleep(heldUntil - Date.now());
      if (c === dependent) {
        const reason = `depends on ${addressOf(failing)}, which failed`;
        progress.apply({ type: 'change-skipped', change: c, reason });
        results.push({ address: addressOf(c), spoke: c.resource.spoke, action: c.action, outcome: 'skipped', message: reason });
        continue;
      }
      progress.apply({ type: 'change-start', change: c });
      const t0 = Date.now();
      await sleep(150 + random() * 350);
      progress.client({
        type: 'response',
        org: c.resource.spoke,
        method: 'POST',
        path: '/api/v1/apps',
        status: 200,
        ms: 120,
        bucket: 'apps',
      });
      if (!waited && results.length >= 20) {
        // Half-way through, the apps bucket of emea runs out: everyone waits for its reset.
        waited = true;
        heldUntil = Date.now() + 5000;
        progress.client({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: heldUntil, reason: '429' });
        await sleep(heldUntil - Date.now());
      }
      if (c === failing) {
        const message = 'Okta answered 500 (E0000009, Internal Server Error) for POST /api/v1/apps/0oa1/users';
        progress.apply({ type: 'change-failed', change: c, message });
        results.push({ address: addressOf(c), spoke: c.resource.spoke, action: c.action, outcome: 'failed', message });
      } else {
        const ms = Date.now() - t0;
        progress.apply({ type: 'change-done', change: c, ms });
        results.push({ address: addressOf(c), spoke: c.resource.spoke, action: c.action, outcome: 'applied', ms });
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker(), worker()]);
  const result: ApplyResult = {
    results,
    applied: results.filter((r) => r.outcome === 'applied').length,
    failed: results.filter((r) => r.outcome === 'failed').length,
    skipped: results.filter((r) => r.outcome === 'skipped').length,
  };
  progress.apply({ type: 'apply-end', result });

  // --wait: follow provisioning into the Hub, then report what the Hub shows.
  const users = changes.filter((c) => c.resource.kind === 'assignment.user' && c !== failing);
  for (let done = 0; done <= users.length; done += 4) {
    progress.apply({
      type: 'wait-progress',
      message: `provisioning: ${Math.min(done, users.length)} of ${users.length} settled`,
      done,
      total: users.length,
    });
    await sleep(150);
  }
  progress.apply({ type: 'wait-progress', message: 'reading the Hub', done: users.length, total: users.length });
  await sleep(400);
  result.verification = users.map((c) => ({
    kind: 'user' as const,
    spoke: c.resource.spoke,
    name: c.name,
    ok: c.name !== 'user9@apac.acme.com',
    detail: c.name === 'user9@apac.acme.com' ? 'not in the Hub (provisioning: ERROR, "Hub token revoked")' : 'ACTIVE',
  }));
  progress.apply({ type: 'apply-end', result });
  void started;
  return result;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const term = detectTerminal({ noTty: args.includes('--no-tty') });
  const changes = scriptedChanges();

  const reading = createProgress(term);
  await read(reading);
  await reading.stop();
  process.stdout.write(`\nPlan: ${changes.length} to add, 0 to change, 0 to remove.\n\n`);

  if (args.includes('--confirm') && term.interactive) {
    const approved = await confirmApply(term, 'Do you want to apply these changes?');
    if (!approved) return 1;
  }

  const applying = createProgress(term);
  const result = await apply(applying, changes);
  await applying.stop();
  return result.failed > 0 ? 1 : 0;
}

process.exitCode = await main();
