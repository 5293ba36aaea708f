/**
 * The admin console, for making drift: what an admin clicks in a Spoke's Org2Org app (assign or
 * unassign a person or a group, push a group, pause a push, flip a To App feature), done through
 * the org's own API routes with a Super Administrator's token, so every Okta rule and every
 * provisioning side effect (a Hub user created, a Hub group pushed) happens exactly as when the
 * API is called. The request carries the console admin's name (`X-Org2Org-Sim-Console`) so the
 * org's System Log can name the actor the way Okta names a console session's user.
 */
import type { SimOrg } from './org-state.js';

/** One click-through in the console of a Spoke's app (found by label, default the first Org2Org app). */
export type ConsoleChange =
  | { assignUser: string; initialStatus?: string; profile?: Record<string, unknown> }
  | { unassignUser: string }
  | { assignGroup: string }
  | { unassignGroup: string }
  | { pushGroup: string; targetName?: string; status?: 'ACTIVE' | 'INACTIVE' }
  | { pushStatus: string; status: 'ACTIVE' | 'INACTIVE' }
  | { unpushGroup: string }
  | { toApp: 'createUsers' | 'updateUserAttributes' | 'deactivateUsers'; enabled: boolean };

export interface ConsoleOptions {
  /** The app's label (default: the org's first okta_org2org app). */
  app?: string;
  /** The admin's login the System Log names (default: the token owner's). */
  actor?: string;
}

/** What a console helper needs of a running simulator. */
export interface ConsoleSim {
  orgs: Record<string, { url: string }>;
  org(name: string): SimOrg;
}

export class ConsoleError extends Error {}

/** Make one console change in org `orgName`; throws ConsoleError with Okta's answer when Okta refuses it. */
export async function consoleChange(sim: ConsoleSim, orgName: string, change: ConsoleChange, options: ConsoleOptions = {}): Promise<void> {
  const org = sim.org(orgName);
  const base = sim.orgs[orgName]?.url;
  if (!base) throw new ConsoleError(`no org ${orgName}`);
  const token = superAdminToken(org);
  const app = org.apps.values().find((a) => a.name === 'okta_org2org' && (options.app === undefined || a.label === options.app));
  if (!app) throw new ConsoleError(`${orgName}: no Org2Org app${options.app ? ` labelled ${options.app}` : ''}`);
  const appPath = `/api/v1/apps/${app.id}`;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `SSWS ${token.value}`,
        accept: 'application/json',
        'content-type': 'application/json',
        'x-org2org-sim-console': options.actor ?? token.login,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new ConsoleError(`${orgName}: ${method} ${path} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const userId = (login: string): string => {
    const user = org.findUser(login);
    if (!user) throw new ConsoleError(`${orgName}: no user ${login}`);
    return user.id;
  };
  const groupId = (name: string): string => {
    const group = org.findGroupByName(name);
    if (!group) throw new ConsoleError(`${orgName}: no group ${name}`);
    return group.id;
  };
  const mappingId = (name: string): string => {
    const source = groupId(name);
    const mapping = app.pushMappings.values().find((m) => m.sourceGroupId === source);
    if (!mapping) throw new ConsoleError(`${orgName}: ${name} is not pushed`);
    return mapping.id;
  };

  if ('assignUser' in change) {
    const profile = { ...(change.profile ?? {}), ...(change.initialStatus ? { initialStatus: change.initialStatus } : {}) };
    await call('POST', `${appPath}/users`, { id: userId(change.assignUser), scope: 'USER', profile });
  } else if ('unassignUser' in change) {
    await call('DELETE', `${appPath}/users/${userId(change.unassignUser)}`);
  } else if ('assignGroup' in change) {
    await call('PUT', `${appPath}/groups/${groupId(change.assignGroup)}`, {});
  } else if ('unassignGroup' in change) {
    await call('DELETE', `${appPath}/groups/${groupId(change.unassignGroup)}`);
  } else if ('pushGroup' in change) {
    await call('POST', `${appPath}/group-push/mappings`, {
      sourceGroupId: groupId(change.pushGroup),
      targetGroupName: change.targetName ?? change.pushGroup,
      status: change.status ?? 'ACTIVE',
    });
  } else if ('pushStatus' in change) {
    await call('PATCH', `${appPath}/group-push/mappings/${mappingId(change.pushStatus)}`, { status: change.status });
  } else if ('unpushGroup' in change) {
    // The console deletes only an INACTIVE mapping: it pauses the push first.
    const id = mappingId(change.unpushGroup);
    await call('PATCH', `${appPath}/group-push/mappings/${id}`, { status: 'INACTIVE' });
    await call('DELETE', `${appPath}/group-push/mappings/${id}?deleteTargetGroup=false`);
  } else if ('toApp' in change && ['createUsers', 'updateUserAttributes', 'deactivateUsers'].includes(change.toApp)) {
    const feature = (await call('GET', `${appPath}/features/USER_PROVISIONING`)) as { capabilities: Record<string, unknown> };
    const caps = structuredClone(feature.capabilities) as {
      create: { lifecycleCreate: { status: string } };
      update: { lifecycleDeactivate: { status: string }; profile: { status: string }; password: Record<string, unknown> };
    };
    const status = change.enabled ? 'ENABLED' : 'DISABLED';
    if (change.toApp === 'createUsers') caps.create.lifecycleCreate.status = status;
    else if (change.toApp === 'deactivateUsers') caps.update.lifecycleDeactivate.status = status;
    else caps.update.profile.status = status;
    await call('PUT', `${appPath}/features/USER_PROVISIONING`, caps);
  } else {
    throw new ConsoleError(`unknown console change ${JSON.stringify(change)}`);
  }
}

function superAdminToken(org: SimOrg): { value: string; login: string } {
  for (const [value, grant] of org.tokens) {
    const user = org.users.get(grant.userId);
    if (user?.roles.includes('SUPER_ADMIN') && org.liveToken(value)) return { value, login: user.profile.login };
  }
  throw new ConsoleError(`${org.name}: no Super Administrator token to act as the console`);
}
