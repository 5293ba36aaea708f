/**
 * The kinds table is complete by construction: a kind is in ResourceKind only with an entry that
 * gives every field. The `@ts-expect-error` lines are the proof: `tsc --noEmit` (CI) fails if one
 * of them compiles, i.e. if the table ever accepted a kind without its entry or an incomplete one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAddress, parseAddress } from '../../src/plan/address.js';
import { KINDS, type KindSpec, kindsInOrder, plannersInOrder } from '../../src/plan/kinds.js';
import type { ResourceKind } from '../../src/plan/types.js';

/** A kind that exists only in this test. */
type WithFake = ResourceKind | 'fake.widget';

const complete: KindSpec = {
  rank: 6,
  label: 'Widgets',
  address: { in: 'spoke', keyed: true },
  live: null,
  removal: null,
  planner: () => {},
  config: { list: ['widgets', 'items'], key: 'name' },
  section: null,
};

test('a table of kinds rejects a kind without its entry, and an entry without its planner', () => {
  // @ts-expect-error the fake kind has no entry
  const missing: Record<WithFake, KindSpec> = { ...KINDS };
  const incomplete: Record<WithFake, KindSpec> = {
    ...KINDS,
    // @ts-expect-error an entry without its planner (or any other field) does not compile
    'fake.widget': {
      rank: 6,
      label: 'Widgets',
      address: { in: 'spoke', keyed: true },
      live: null,
      removal: null,
      config: { cannot: '' },
      section: null,
    },
  };
  const whole: Record<WithFake, KindSpec> = { ...KINDS, 'fake.widget': complete };
  assert.equal(Object.keys(missing).length + 1, Object.keys(whole).length);
  assert.equal(Object.keys(incomplete).length, Object.keys(whole).length);
});

test('every kind has an address formatAddress makes and parseAddress reads back', () => {
  for (const kind of Object.keys(KINDS) as ResourceKind[]) {
    const form = KINDS[kind].address;
    const keyed = form.in === 'hub.serviceApp' ? form.part !== null : form.keyed;
    const key = keyed ? { spoke: 'emea', kind, key: 'a "quoted" ]key[' } : { spoke: 'emea', kind };
    if (form.in === 'hub') {
      // A Hub-wide address names no Spoke: it is read back with the Spoke that carries it.
      assert.equal(parseAddress(formatAddress(key)), undefined, kind);
      assert.deepEqual(parseAddress(formatAddress(key), 'emea'), key, kind);
    } else assert.deepEqual(parseAddress(formatAddress(key)), key, kind);
  }
});

test('kinds in apply order, and each planner runs once, in the order of its first kind', () => {
  const order = kindsInOrder();
  assert.deepEqual(order.slice(0, 5), ['app', 'app.status', 'serviceApp', 'serviceApp.grant', 'serviceApp.role']);
  assert.equal(order.at(-1), 'pushMapping');
  const planners = plannersInOrder();
  assert.equal(planners.length, new Set(Object.values(KINDS).map((k) => k.planner)).size);
  assert.equal(planners[0], KINDS.app.planner);
  assert.equal(planners.at(-1), KINDS.pushMapping.planner);
});
