import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprintsByAddress, formatAddress, parseAddress, type ResourceKey } from '../../src/plan/address.js';
import { liveAppUser, liveSpoke } from '../builders/live.js';

const KEYS: [ResourceKey, string][] = [
  [{ spoke: 'emea', kind: 'app' }, 'spoke.emea.app'],
  [{ spoke: 'emea', kind: 'app.status' }, 'spoke.emea.app.status'],
  [{ spoke: 'emea', kind: 'connection' }, 'spoke.emea.connection'],
  [{ spoke: 'emea', kind: 'features.toApp' }, 'spoke.emea.features.toApp'],
  [{ spoke: 'emea', kind: 'features.toOkta' }, 'spoke.emea.features.toOkta'],
  [{ spoke: 'emea', kind: 'profileSourcing' }, 'spoke.emea.profileSourcing'],
  [{ spoke: 'emea', kind: 'assignment.user', key: 'bob@acme.com' }, 'spoke.emea.assignment.user["bob@acme.com"]'],
  [{ spoke: 'emea', kind: 'assignment.group', key: 'EMEA Sales' }, 'spoke.emea.assignment.group["EMEA Sales"]'],
  [{ spoke: 'emea', kind: 'pushMapping', key: 'A "b" c.d]' }, 'spoke.emea.pushMapping["A \\"b\\" c.d]"]'],
  [{ spoke: 'emea', kind: 'serviceApp' }, 'hub.serviceApp["emea"]'],
  [{ spoke: 'emea', kind: 'serviceApp.grant', key: 'okta.users.manage' }, 'hub.serviceApp["emea"].grant["okta.users.manage"]'],
  [{ spoke: 'emea', kind: 'serviceApp.role', key: 'USER_ADMIN' }, 'hub.serviceApp["emea"].role["USER_ADMIN"]'],
];

test('formatAddress and parseAddress are inverses for every kind', () => {
  for (const [key, address] of KEYS) {
    assert.equal(formatAddress(key), address);
    assert.deepEqual(parseAddress(address), key, address);
  }
});

test('parseAddress refuses what formatAddress never makes', () => {
  for (const address of [
    'hub.group["x"]',
    'spoke.emea.widget',
    'spoke.emea.assignment.user[bob]',
    'spoke.emea.assignment.user[1]',
    'hub.serviceApp["emea"].owner["x"]',
    '',
  ]) {
    assert.equal(parseAddress(address), undefined, address);
  }
});

test('fingerprintsByAddress writes the addresses formatAddress makes, odd keys included', () => {
  const spoke = liveSpoke('emea', {
    appUsers: [liveAppUser('Zoë "Z"@x.com', { fingerprint: 'fu' })],
    appGroups: [{ groupId: 'g', name: 'A "b" c.d]', profile: {}, fingerprint: 'fg' }],
    pushMappings: [{ id: 'm1', sourceGroupId: 'g', status: 'ACTIVE', fingerprint: 'fm' }],
  });
  const record = fingerprintsByAddress(spoke);
  assert.deepEqual(record, {
    [formatAddress({ spoke: 'emea', kind: 'assignment.user', key: 'zoë "z"@x.com' })]: 'fu',
    [formatAddress({ spoke: 'emea', kind: 'assignment.group', key: 'A "b" c.d]' })]: 'fg',
    [formatAddress({ spoke: 'emea', kind: 'pushMapping', key: 'm1' })]: 'fm',
  });
  for (const address of Object.keys(record)) assert.ok(parseAddress(address), address);
});
