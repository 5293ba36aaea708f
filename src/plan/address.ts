/**
 * A resource's identity in a plan: the Spoke it belongs to, its kind and, for the kinds that are
 * collections, its natural key (login key, group name, scope, role type). Every Change carries
 * one. The string form, a change's `address` in the plan file, is made by formatAddress and read
 * back by parseAddress, here and nowhere else, in the form the kinds table gives each kind:
 *   spoke.emea.app                            spoke.emea.assignment.user["alice@acme.com"]
 *   hub.serviceApp["emea"]                    hub.serviceApp["emea"].grant["okta.users.manage"]
 * A Spoke's Hub service app lives in the Hub, so its addresses start there.
 */
import type { LiveSpoke } from '../state/types.js';
import { KINDS, kindsInOrder, liveObjectsOf } from './kinds.js';
import type { Change, ResourceKind } from './types.js';

export interface ResourceKey {
  spoke: string;
  kind: ResourceKind;
  /** The natural key, for kinds with many objects per Spoke. */
  key?: string;
}

export function formatAddress({ spoke, kind, key }: ResourceKey): string {
  const keyed = (text: string, k: string | undefined): string => (k === undefined ? text : `${text}[${JSON.stringify(k)}]`);
  const form = KINDS[kind].address;
  if (form.in === 'spoke') return keyed(`spoke.${spoke}.${kind}`, key);
  if (form.in === 'hub') return keyed(kind, key ?? '');
  const serviceApp = keyed('hub.serviceApp', spoke);
  return form.part === null ? serviceApp : keyed(`${serviceApp}.${form.part}`, key ?? '');
}

/** A change's address: the string form of its resource key. */
export function addressOf(change: Pick<Change, 'resource'>): string {
  return formatAddress(change.resource);
}

/** The address within its Spoke's section of a rendered plan: `assignment.user["alice@acme.com"]`. */
export function addressInSpoke(resource: ResourceKey): string {
  const address = formatAddress(resource);
  const prefix = `spoke.${resource.spoke}.`;
  return address.startsWith(prefix) ? address.slice(prefix.length) : address;
}

const SPOKE_ADDRESS = /^spoke\.([^.]+)\.([A-Za-z.]+?)(?:\[(".*")\])?$/;
const HUB_ADDRESS = /^hub\.serviceApp\[("(?:[^"\\]|\\.)*")\](?:\.([A-Za-z]+)\[(".*")\])?$/;

const HUB_WIDE_ADDRESS = /^(hub\.[A-Za-z]+)\[(".*")\]$/;

/**
 * The key an address names; undefined when it is not an address formatAddress makes. A Hub-wide
 * address (`hub.userAttribute["x"]`) names no Spoke: `carrier` is the Spoke whose changes list it
 * (a plan file's section); without one it is undefined.
 */
export function parseAddress(address: string, carrier?: string): ResourceKey | undefined {
  const wide = HUB_WIDE_ADDRESS.exec(address);
  if (wide && Object.hasOwn(KINDS, wide[1]!) && KINDS[wide[1] as ResourceKind].address.in === 'hub') {
    const key = unquote(wide[2]!);
    return key === undefined || carrier === undefined ? undefined : { spoke: carrier, kind: wide[1] as ResourceKind, key };
  }
  const hub = HUB_ADDRESS.exec(address);
  if (hub) {
    const spoke = unquote(hub[1]!);
    const kind = kindsInOrder().find((k) => {
      const form = KINDS[k].address;
      return form.in === 'hub.serviceApp' && form.part === (hub[2] ?? null);
    });
    if (spoke === undefined || kind === undefined) return undefined;
    if (hub[2] === undefined) return { spoke, kind };
    const key = unquote(hub[3]!);
    return key === undefined ? undefined : { spoke, kind, key };
  }
  const match = SPOKE_ADDRESS.exec(address);
  if (!match) return undefined;
  const [, spoke, kindText, quoted] = match;
  if (spoke === undefined || kindText === undefined || !Object.hasOwn(KINDS, kindText)) return undefined;
  const kind = kindText as ResourceKind;
  const form = KINDS[kind].address;
  if (form.in !== 'spoke' || form.keyed !== (quoted !== undefined)) return undefined;
  if (quoted === undefined) return { spoke, kind };
  const key = unquote(quoted);
  return key === undefined ? undefined : { spoke, kind, key };
}

/**
 * Every live object of a Spoke that a change may touch, by address: the plan file's
 * `fingerprints`, added to `out`, kind by kind in the table's order. A Spoke can have 100,000 app
 * users, and this runs once per plan file.
 */
export function fingerprintsByAddress(spoke: LiveSpoke, out: Record<string, string> = {}): Record<string, string> {
  for (const kind of Object.keys(KINDS) as ResourceKind[]) {
    if (typeof KINDS[kind].live !== 'function') continue;
    for (const [key, object] of liveObjectsOf(spoke, kind)!) {
      out[formatAddress(key === '' ? { spoke: spoke.name, kind } : { spoke: spoke.name, kind, key })] = object.fingerprint;
    }
  }
  return out;
}

/**
 * The fingerprint of the live object a key names: null when that object does not exist now,
 * undefined for kinds that have none (compared by the recomputed plan instead).
 */
export function liveFingerprintOf(spoke: LiveSpoke, { kind, key }: ResourceKey): string | null | undefined {
  const objects = liveObjectsOf(spoke, kind);
  if (objects === undefined) return undefined;
  return objects.get(key ?? '')?.fingerprint ?? null;
}

function unquote(quoted: string): string | undefined {
  try {
    const key: unknown = JSON.parse(quoted);
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}
