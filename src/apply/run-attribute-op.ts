/**
 * The ops of attributes carried to the Hub. Each POST merges (recorded: a schema POST merges
 * `definitions.custom.properties`, a mapping POST merges `properties`, `null` removes one), so each
 * sends only the one attribute or property its change is about, and a retry sends the same again.
 */
import type { OktaClient } from '../okta/types.js';
import type { PlanOp } from '../plan/types.js';
import { OpInputError, type OpContext, type OpOutcome } from './run-op.js';

type AttributeOp = Extract<PlanOp, { type: 'hubUserAttribute.create' | 'appAttribute.create' | 'attribute.set' | 'attribute.remove' }>;

export async function runAttributeOp(op: AttributeOp, ctx: OpContext, appIdOf: (planned: string | null) => string): Promise<OpOutcome> {
  switch (op.type) {
    case 'hubUserAttribute.create': {
      if (!ctx.hub)
        throw new OpInputError(`the Hub has no credentials in the config (hub.auth), so ${op.name} can't be added to its user profile`);
      await ctx.hub.request('POST', '/api/v1/meta/schemas/user/default', { body: customProperty(op), idempotent: true });
      return {};
    }
    case 'appAttribute.create': {
      const appId = appIdOf(op.appId);
      await ctx.client.request('POST', `/api/v1/meta/schemas/apps/${encodeURIComponent(appId)}/default`, {
        body: customProperty(op),
        idempotent: true,
      });
      return {};
    }
    case 'attribute.set': {
      const mappingId = op.mappingId ?? (await findToAppMapping(ctx.client, appIdOf(op.appId)));
      await ctx.client.request('POST', `/api/v1/mappings/${encodeURIComponent(mappingId)}`, {
        body: { properties: { [op.name]: { expression: op.expression, pushStatus: op.pushStatus } } },
        idempotent: true,
      });
      return {};
    }
    case 'attribute.remove':
      await ctx.client.request('POST', `/api/v1/mappings/${encodeURIComponent(op.mappingId)}`, {
        body: { properties: { [op.name]: null } },
        idempotent: true,
      });
      return {};
  }
}

function customProperty(op: { name: string; title: string; attributeType: string }): Record<string, unknown> {
  return {
    definitions: { custom: { id: '#custom', type: 'object', properties: { [op.name]: { title: op.title, type: op.attributeType } } } },
  };
}

/** The "Okta User → app" mapping of an app created by this apply (Okta makes it with the app). */
async function findToAppMapping(client: OktaClient, appId: string): Promise<string> {
  const res = await client.request<Record<string, unknown>[]>('GET', '/api/v1/mappings', { query: { targetId: appId, limit: 200 } });
  const fromUsers = (res.body ?? []).filter((m) => (m.source as Record<string, unknown> | undefined)?.type === 'user');
  const chosen = fromUsers.find((m) => (m.source as Record<string, unknown>).name === 'user') ?? fromUsers[0];
  if (typeof chosen?.id !== 'string') throw new OpInputError(`Okta has no "Okta User → app" profile mapping for the app ${appId}`);
  return chosen.id;
}
