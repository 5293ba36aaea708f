/**
 * Attributes carried to the Hub, planned across both orgs: the Hub's user attribute
 * (`hub.userAttribute["x"]`, one for every Spoke), the Org2Org app's user attribute in the Spoke
 * (`spoke.S.appAttribute["x"]`) and the property of the Spoke's "Okta User → app" mapping that
 * fills it (`spoke.S.attribute["x"]`), in that order (each depends on the one before), all before
 * any assignment so that users this apply creates get the value.
 *
 * What must hold before anything is written, each an error at the config line: the source
 * expression reads only attributes the Spoke's user profile has (a typo gets a did-you-mean),
 * the attribute has one type at both ends, and an attribute org2org may not create (`create:
 * false`) exists. Removing a mapping (`remove: true`, or `mode: authoritative` over the app's other
 * custom attributes) is a change apply refuses without `--allow-remove-attribute-mappings`;
 * attributes themselves are never removed (the Hub's users keep their values).
 */
import { suggestClosest } from '../config/did-you-mean.js';
import type { DesiredAttribute, DesiredState } from '../config/types.js';
import type { LiveSpoke, LiveState } from '../state/types.js';
import { formatAddress } from './address.js';
import { countOf, diagnose, makeChange, type SpokeContext } from './spoke-context.js';
import type { AttributeChange } from './types.js';

/** What the Hub's user schema needs for one attribute, decided once for the whole plan. */
export interface HubAttributeDecision {
  /** The Spoke whose changes carry the Hub's change (and whose plan says its errors). */
  carrier: string;
  /** exists: nothing to do; create: this plan adds it; missing: absent and `create: false`; unread: the Hub's schema wasn't read. */
  state: 'exists' | 'create' | 'missing' | 'unread';
  /** Its type in the Hub, when it exists. */
  type?: string;
  /** A base attribute of Okta's user profile (never created: it is always there). */
  base?: boolean;
  /** The carrier's entry (the one created from). */
  entry: DesiredAttribute;
}

/**
 * Per attribute name, what the Hub needs: the carrier is the first Spoke of the config, among
 * those this plan reads, that carries it and may write (not observed); failing that, the first.
 */
export function decideHubAttributes(desired: DesiredState, live: LiveState): Map<string, HubAttributeDecision> {
  const decisions = new Map<string, HubAttributeDecision>();
  const planned = desired.spokes.filter((s) => live.spokes[s.name] !== undefined && live.unreadable?.[s.name] === undefined);
  const writes = (s: (typeof planned)[number]): boolean => s.mode !== 'observe' && s.attributes.mode !== 'observe';
  for (const spoke of [...planned.filter(writes), ...planned.filter((s) => !writes(s))]) {
    for (const entry of spoke.attributes.carry) {
      if (entry.remove || decisions.has(entry.name)) continue;
      const schema = live.hub?.userSchema;
      const decision: HubAttributeDecision = { carrier: spoke.name, state: 'unread', entry };
      if (schema) {
        const type = schema.types[entry.name];
        if (type !== undefined) {
          decision.state = 'exists';
          decision.type = type;
          if (schema.base.includes(entry.name)) decision.base = true;
        } else decision.state = entry.create ? 'create' : 'missing';
      }
      decisions.set(entry.name, decision);
    }
  }
  return decisions;
}

export function planAttributes(ctx: SpokeContext): void {
  const { desired, live } = ctx;
  const { carry, mode } = desired.attributes;
  if (carry.length === 0 && mode !== 'authoritative') return;
  const carried = new Set<string>();
  for (const entry of carry) {
    if (entry.remove) {
      planRemoval(ctx, entry.name, entry);
      continue;
    }
    carried.add(entry.name);
    planAttribute(ctx, entry);
  }
  if (mode === 'authoritative') {
    // The mapping's other properties into the app's custom attributes (what Org2Org carries); base
    // attributes' mappings (login, names, email) are Okta's business, never removed here.
    const custom = live.appUserSchema?.custom ?? {};
    for (const name of Object.keys(live.attributeMapping?.properties ?? {})) {
      if (!carried.has(name) && Object.hasOwn(custom, name) && !carry.some((e) => e.name === name)) planRemoval(ctx, name, undefined);
    }
  }
}

function planAttribute(ctx: SpokeContext, entry: DesiredAttribute): void {
  const { desired, live } = ctx;
  const spoke = desired.name;
  let ok = checkSource(ctx, entry);

  // The Hub's end.
  const hub = ctx.hubAttributes.get(entry.name);
  const hubAddress = formatAddress({ spoke, kind: 'hub.userAttribute', key: entry.name });
  let hubCreate: string | undefined;
  if (hub) {
    const carrier = hub.carrier === spoke;
    if (hub.state === 'exists') {
      if (hub.type !== entry.type) {
        diagnose(
          ctx,
          'error',
          `attribute ${entry.name} is ${article(entry.type)} in the config but ${article(hub.type!)} in the Hub's user profile: give it type: ${hub.type}, or carry it into another Hub attribute`,
          { pos: entry.pos },
        );
        ok = false;
      } else if (carrier) ctx.noops++;
    } else if (hub.state === 'missing') {
      if (carrier) {
        diagnose(
          ctx,
          'error',
          `the Hub's user profile has no attribute ${entry.name}${didYouMean(entry.name, Object.keys(ctx.hub?.userSchema?.types ?? {}))}: add it in the Hub (Directory → Profile Editor → User), or set create: true to let org2org add it`,
          { pos: entry.pos },
        );
      }
      ok = false;
    } else if (hub.state === 'unread') {
      if (carrier) {
        const why =
          ctx.hub === undefined ? 'the config gives the Hub no credentials (hub.auth)' : "the Hub's user schema could not be read";
        if (entry.create) {
          diagnose(ctx, 'error', `org2org can't make sure the Hub's user profile has ${entry.name}: ${why}`, { pos: entry.pos });
          ok = false;
        } else diagnose(ctx, 'warning', `the Hub's user profile is not checked for ${entry.name}: ${why}`, { pos: entry.pos });
      } else if (entry.create) ok = false;
    } else {
      // create: the carrier makes it; every Spoke's mapping waits for it.
      hubCreate = hubAddress;
      if (hub.entry.type !== entry.type) {
        diagnose(
          ctx,
          'error',
          `attribute ${entry.name} is ${article(entry.type)} here but ${article(hub.entry.type)} for ${hub.carrier}: one Hub attribute has one type`,
          {
            pos: entry.pos,
          },
        );
        ok = false;
      }
      if (carrier && ok) {
        ctx.forward.push(
          makeChange(ctx, {
            resource: { spoke, kind: 'hub.userAttribute', key: entry.name },
            action: 'create',
            name: entry.name,
            after: { type: entry.type, title: entry.title },
            attributes: created(entry),
            writes: 1,
            op: { type: 'hubUserAttribute.create', name: entry.name, title: entry.title, attributeType: entry.type },
          }),
        );
      }
    }
  }

  // The Spoke app's end: the Org2Org app-user attribute the mapping fills and Org2Org carries.
  const appAddress = formatAddress({ spoke, kind: 'appAttribute', key: entry.name });
  let appCreate: string | undefined;
  const custom = live.appUserSchema?.custom?.[entry.name];
  const inBase = custom === undefined && (live.appUserSchema?.attributes ?? []).includes(entry.name);
  if (custom) {
    if (custom.type !== entry.type) {
      diagnose(
        ctx,
        'error',
        `attribute ${entry.name} is ${article(entry.type)} in the config but ${article(custom.type)} in the ${spoke} Org2Org app's user profile: the ends must have one type`,
        { pos: entry.pos },
      );
      ok = false;
    } else ctx.noops++;
  } else if (!inBase) {
    if (!entry.create) {
      diagnose(
        ctx,
        'error',
        `the ${spoke} Org2Org app's user profile has no attribute ${entry.name}${didYouMean(entry.name, live.appUserSchema?.attributes ?? [])}: add it (Directory → Profile Editor → the app), or set create: true to let org2org add it`,
        { pos: entry.pos },
      );
      ok = false;
    } else if (ok) {
      appCreate = appAddress;
      ctx.forward.push(
        makeChange(ctx, {
          resource: { spoke, kind: 'appAttribute', key: entry.name },
          action: 'create',
          name: entry.name,
          after: { type: entry.type, title: entry.title },
          attributes: created(entry),
          dependsOn: [ctx.appCreate, hubCreate],
          writes: 1,
          op: { type: 'appAttribute.create', appId: ctx.appId, name: entry.name, title: entry.title, attributeType: entry.type },
        }),
      );
    }
  }
  if (!ok) return;

  // The mapping property that fills it from the Spoke user.
  const mapping = live.attributeMapping;
  if (ctx.appId !== null && !mapping) {
    diagnose(
      ctx,
      'error',
      `the ${spoke} Org2Org app has no "Okta User → app" profile mapping to carry ${entry.name} with (Okta makes one with every app): check the app's mappings in the Spoke's Profile Editor`,
      { pos: entry.pos },
    );
    return;
  }
  const current = mapping?.properties[entry.name];
  const attributes: AttributeChange[] = [];
  if (current?.expression !== entry.source) attributes.push({ name: 'source', before: current?.expression ?? null, after: entry.source });
  if (current?.pushStatus !== entry.push) attributes.push({ name: 'push', before: current?.pushStatus ?? null, after: entry.push });
  if (attributes.length === 0) {
    ctx.noops++;
    return;
  }
  ctx.forward.push(
    makeChange(ctx, {
      resource: { spoke, kind: 'attribute', key: entry.name },
      action: current ? 'update' : 'create',
      name: entry.name,
      ...(current ? { before: Object.fromEntries(attributes.map((a) => [a.name, a.before])) } : {}),
      after: current ? Object.fromEntries(attributes.map((a) => [a.name, a.after])) : { source: entry.source, push: entry.push },
      attributes,
      hubEffects: [whatUsersGet(ctx, entry)],
      dependsOn: [ctx.appCreate, hubCreate, appCreate],
      ...(current ? { liveFingerprint: current.fingerprint } : {}),
      writes: 1,
      op: {
        type: 'attribute.set',
        appId: ctx.appId,
        mappingId: mapping?.id ?? null,
        name: entry.name,
        expression: entry.source,
        pushStatus: entry.push,
      },
    }),
  );
}

/** The source expression reads only what the Spoke's users have, with the attribute's type when it is one attribute. */
function checkSource(ctx: SpokeContext, entry: DesiredAttribute): boolean {
  const schema = ctx.live.userSchema;
  if (!schema) return true;
  let ok = true;
  const names = Object.keys(schema.types);
  for (const name of entry.reads) {
    if (Object.hasOwn(schema.types, name)) continue;
    diagnose(
      ctx,
      'error',
      `the source of ${entry.name}, ${JSON.stringify(entry.source)}, reads user.${name}, which the ${ctx.desired.name} Spoke's user profile doesn't have${didYouMean(name, names, 'user.')}`,
      { pos: entry.sourcePos ?? entry.pos },
    );
    ok = false;
  }
  const only = entry.reference;
  const type = only !== undefined ? schema.types[only] : undefined;
  if (type !== undefined && type !== entry.type) {
    diagnose(
      ctx,
      'error',
      `the source of ${entry.name}, user.${only}, is ${article(type)} in the ${ctx.desired.name} Spoke but the attribute is ${article(entry.type)}: give it type: ${type}, or convert in the expression`,
      { pos: entry.sourcePos ?? entry.pos },
    );
    ok = false;
  }
  return ok;
}

/** A mapping property goes; the attributes stay and Hub users keep their values. */
function planRemoval(ctx: SpokeContext, name: string, entry: DesiredAttribute | undefined): void {
  const { live, desired } = ctx;
  const current = live.attributeMapping?.properties[name];
  if (!current || !live.attributeMapping || ctx.appId === null) {
    if (entry) ctx.noops++;
    return;
  }
  ctx.removals.push(
    makeChange(ctx, {
      resource: { spoke: desired.name, kind: 'attribute', key: name },
      action: 'delete',
      name,
      before: { source: current.expression, push: current.pushStatus },
      hubEffects: [`the Hub stops getting ${name} from ${desired.name}: Hub users keep the values they have`],
      liveFingerprint: current.fingerprint,
      writes: 1,
      op: { type: 'attribute.remove', appId: ctx.appId, mappingId: live.attributeMapping.id, name },
    }),
  );
}

/** What a new or changed mapping means for the Spoke's provisioned users. */
function whatUsersGet(ctx: SpokeContext, entry: DesiredAttribute): string {
  const provisioned = provisionedCount(ctx.live);
  const users = countOf(provisioned, 'Hub user', 'Hub users');
  const fromNow = `Hub users created from now on get ${entry.name}`;
  if (provisioned === 0) return fromNow;
  const one = provisioned === 1;
  if (entry.push === 'DONT_PUSH') return `only ${fromNow} (DONT_PUSH); the ${users} provisioned already ${one ? "doesn't" : "don't"}`;
  const updates = ctx.desired.provisioning.toApp?.updateUserAttributes ?? ctx.live.features?.toApp?.updateUserAttributes ?? false;
  return updates
    ? `from each user's next profile push, ${users} ${one ? 'gets' : 'get'} ${entry.name}; ${fromNow} at once`
    : `only ${fromNow}: To App "Update User Attributes" is off, so the ${users} provisioned already ${one ? "doesn't" : "don't"}`;
}

function created(entry: DesiredAttribute): AttributeChange[] {
  return [
    { name: 'type', before: null, after: entry.type },
    { name: 'title', before: null, after: entry.title },
  ];
}

function provisionedCount(live: LiveSpoke): number {
  return live.appUsers.filter((u) => u.status === 'PROVISIONED' || u.externalId !== undefined).length;
}

function didYouMean(name: string, candidates: readonly string[], prefix = ''): string {
  const near = suggestClosest(name, candidates);
  return near !== undefined && near !== name ? ` (did you mean ${prefix}${near}?)` : '';
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
