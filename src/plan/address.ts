/**
 * A resource's identity in a plan: the Spoke it belongs to, its kind and, for the kinds that are
 * collections, its natural key (login key, group name, scope, role type). Every Change carries
 * one. The string form, a change's `address` in the plan file, is made by formatAddress and read
 * back by parseAddress, here and nowhere else:
 *   spoke.emea.app                            spoke.emea.assignment.user["alice@acme.com"]
 *   hub.serviceApp["emea"]                    hub.serviceApp["emea"].grant["okta.users.manage"]
 * A Spoke's Hub service app lives in the Hub, so its addresses start there.
 */
import { liveFingerprints, pushMappingKey, type LiveSpoke } from '../state/types.js';
import type { ResourceKind } from './types.js';

/** `app.status` is the app's activation: a change of its own, made to the app's live object. */
export type AddressKind = ResourceKind | 'app.status';

export interface ResourceKey {
  spoke: string;
  kind: AddressKind;
  /** The natural key, for kinds with many objects per Spoke. */
  key?: string;
}

type HubKind = 'serviceApp' | 'serviceApp.grant' | 'serviceApp.role';

/** Every kind addressed under its Spoke: a new ResourceKind fails to compile until it is placed. */
const SPOKE_KINDS: Record<Exclude<AddressKind, HubKind>, true> = {
  app: true,
  'app.status': true,
  connection: true,
  'features.toApp': true,
  'features.toOkta': true,
  profileSourcing: true,
  'assignment.user': true,
  'assignment.group': true,
  pushMapping: true,
};
const HUB_PARTS = { grant: 'serviceApp.grant', role: 'serviceApp.role' } as const;

export function formatAddress({ spoke, kind, key }: ResourceKey): string {
  const keyed = (text: string, k: string | undefined): string => (k === undefined ? text : `${text}[${JSON.stringify(k)}]`);
  if (kind === 'serviceApp') return keyed('hub.serviceApp', spoke);
  if (kind === 'serviceApp.grant') return keyed(`${keyed('hub.serviceApp', spoke)}.grant`, key ?? '');
  if (kind === 'serviceApp.role') return keyed(`${keyed('hub.serviceApp', spoke)}.role`, key ?? '');
  return keyed(`spoke.${spoke}.${kind}`, key);
}

/** The address within its Spoke's section of a rendered plan: `assignment.user["alice@acme.com"]`. */
export function addressInSpoke(resource: ResourceKey): string {
  const address = formatAddress(resource);
  const prefix = `spoke.${resource.spoke}.`;
  return address.startsWith(prefix) ? address.slice(prefix.length) : address;
}

const SPOKE_ADDRESS = /^spoke\.([^.]+)\.([A-Za-z.]+?)(?:\[(".*")\])?$/;
const HUB_ADDRESS = /^hub\.serviceApp\[("(?:[^"\\]|\\.)*")\](?:\.(grant|role)\[(".*")\])?$/;

/** The key an address names; undefined when it is not an address formatAddress makes. */
export function parseAddress(address: string): ResourceKey | undefined {
  const hub = HUB_ADDRESS.exec(address);
  if (hub) {
    const spoke = unquote(hub[1]!);
    if (spoke === undefined) return undefined;
    if (hub[2] === undefined) return { spoke, kind: 'serviceApp' };
    const key = unquote(hub[3]!);
    return key === undefined ? undefined : { spoke, kind: HUB_PARTS[hub[2] as keyof typeof HUB_PARTS], key };
  }
  const match = SPOKE_ADDRESS.exec(address);
  if (!match) return undefined;
  const [, spoke, kind, quoted] = match;
  if (spoke === undefined || kind === undefined || !Object.hasOwn(SPOKE_KINDS, kind)) return undefined;
  if (quoted === undefined) return { spoke, kind: kind as AddressKind };
  const key = unquote(quoted);
  return key === undefined ? undefined : { spoke, kind: kind as AddressKind, key };
}

/**
 * Every live object of a Spoke that a change may touch, by address: the plan's `fingerprints`,
 * added to `out`. The same addresses as formatAddress, written from one prefix per kind: a Spoke
 * can have 100,000 app users, and this runs once per plan file.
 */
export function fingerprintsByAddress(spoke: LiveSpoke, out: Record<string, string> = {}): Record<string, string> {
  const prefix = `spoke.${spoke.name}.`;
  if (spoke.app) out[`${prefix}app`] = spoke.app.fingerprint;
  if (spoke.connection) out[`${prefix}connection`] = spoke.connection.fingerprint;
  if (spoke.features?.toApp) out[`${prefix}features.toApp`] = spoke.features.toApp.fingerprint;
  if (spoke.features?.inbound) out[`${prefix}features.toOkta`] = spoke.features.inbound.fingerprint;
  const users = `${prefix}assignment.user[`;
  for (const u of spoke.appUsers) out[users + JSON.stringify(u.loginKey) + ']'] = u.fingerprint;
  const groups = `${prefix}assignment.group[`;
  for (const g of spoke.appGroups) out[groups + JSON.stringify(g.name) + ']'] = g.fingerprint;
  const mappings = `${prefix}pushMapping[`;
  for (const m of spoke.pushMappings) out[mappings + JSON.stringify(pushMappingKey(m)) + ']'] = m.fingerprint;
  if (spoke.serviceApp) out[formatAddress({ spoke: spoke.name, kind: 'serviceApp' })] = spoke.serviceApp.fingerprint;
  return out;
}

/**
 * The fingerprint of the live object a key names: null when that object does not exist now,
 * undefined for kinds that have none (compared by the recomputed plan instead).
 */
export function liveFingerprintOf(spoke: LiveSpoke, { kind, key }: ResourceKey): string | null | undefined {
  const live = liveFingerprints(spoke);
  const keyed = (map: Map<string, string>, k: string | undefined): string | null | undefined =>
    k === undefined ? undefined : (map.get(k) ?? null);
  switch (kind) {
    case 'app':
    case 'app.status':
      return live.app ?? null;
    case 'connection':
      return live.connection ?? null;
    case 'features.toApp':
      return live.toApp ?? null;
    case 'features.toOkta':
      return live.toOkta ?? null;
    case 'assignment.user':
      return keyed(live.users, key?.toLowerCase());
    case 'assignment.group':
      return keyed(live.groups, key);
    case 'pushMapping':
      return keyed(live.pushMappings, key);
    case 'serviceApp':
      return live.serviceApp ?? null;
    default:
      return undefined;
  }
}

function unquote(quoted: string): string | undefined {
  try {
    const key: unknown = JSON.parse(quoted);
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}
