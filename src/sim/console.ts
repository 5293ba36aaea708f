/**
 * The admin console, for making drift: what an admin clicks in a Spoke's Org2Org app (assign or
 * unassign a person or a group, push a group, pause a push, flip a To App feature) and in any
 * org's directory (people: create, edit the profile or the username, deactivate, suspend,
 * unsuspend, activate again, delete; groups: create, rename, delete, add or remove a member), done
 * through the org's own API routes with a Super Administrator's token, so every Okta rule and every
 * provisioning side effect (a Hub user created or deactivated, a Hub group pushed) happens exactly
 * as when the API is called. The request carries the console admin's name
 * (`X-Org2Org-Sim-Console`) so the org's System Log can name the actor the way Okta names a
 * console session's user.
 */
import { randomUUID } from 'node:crypto';
import type { SimOrg } from './org-state.js';

/**
 * One click-through in the console: in a Spoke's app (found by label, default the first Org2Org
 * app), or in the directory of any org (users by login, groups by name).
 */
export type ConsoleChange =
  | { assignUser: string; initialStatus?: string; profile?: Record<string, unknown> }
  | { unassignUser: string }
  | { assignGroup: string }
  | { unassignGroup: string }
  | { pushGroup: string; targetName?: string; status?: 'ACTIVE' | 'INACTIVE' }
  | { pushStatus: string; status: 'ACTIVE' | 'INACTIVE' }
  | { unpushGroup: string }
  | { toApp: 'createUsers' | 'updateUserAttributes' | 'deactivateUsers'; enabled: boolean }
  /** A new person (ACTIVE with a password unless `activate: false`: STAGED); the login must be new. */
  | { createUser: string; profile?: Record<string, unknown>; activate?: boolean }
  /** Profile attributes set; `login` in it renames the username (it must be free). */
  | { updateUser: string; profile: Record<string, unknown> }
  /** Deactivate (any status but DEPROVISIONED): the person is unassigned from every app. */
  | { deactivateUser: string }
  /** Suspend an ACTIVE person. */
  | { suspendUser: string }
  /** Unsuspend a SUSPENDED person. */
  | { unsuspendUser: string }
  /** Activate a deactivated (or STAGED) person, or resend a PROVISIONED person's activation. */
  | { reactivateUser: string }
  /** Delete a person (deactivated first when it isn't yet, as the console does). */
  | { deleteUser: string }
  | { createGroup: string; description?: string }
  | { renameGroup: string; to: string }
  /** Delete an OKTA_GROUP (its assignments and the push mappings it is the source of go with it). */
  | { deleteGroup: string }
  | { addMember: string; group: string }
  | { removeMember: string; group: string };

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
  const findApp = () => {
    const app = org.apps.values().find((a) => a.name === 'okta_org2org' && (options.app === undefined || a.label === options.app));
    if (!app) throw new ConsoleError(`${orgName}: no Org2Org app${options.app ? ` labelled ${options.app}` : ''}`);
    return app;
  };
  // The admin signs in to the console once per change: its first request says so (the org logs user.session.start).
  let signedIn = false;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const first = !signedIn;
    signedIn = true;
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `SSWS ${token.value}`,
        accept: 'application/json',
        'content-type': 'application/json',
        'x-org2org-sim-console': options.actor ?? token.login,
        ...(first ? { 'x-org2org-sim-console-session': 'start' } : {}),
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
    const mapping = findApp()
      .pushMappings.values()
      .find((m) => m.sourceGroupId === source);
    if (!mapping) throw new ConsoleError(`${orgName}: ${name} is not pushed`);
    return mapping.id;
  };
  /** A person the console may lock out: never an administrator (the console's own token, a connection's token die with them). */
  const ordinaryUser = (login: string) => {
    const user = org.findUser(login);
    if (!user) throw new ConsoleError(`${orgName}: no user ${login}`);
    if (user.roles.length > 0) throw new ConsoleError(`${orgName}: ${login} is an administrator; the console changes no admin's status`);
    return user;
  };
  const U = '/api/v1/users';
  const G = '/api/v1/groups';
  if ('createUser' in change) {
    if (org.findUser(change.createUser)) throw new ConsoleError(`${orgName}: a user ${change.createUser} already exists`);
    const activate = change.activate ?? true;
    await call('POST', `${U}?activate=${activate}`, {
      profile: { email: change.createUser, ...(change.profile ?? {}), login: change.createUser },
      // A password, so an activated person is ACTIVE at once (a generated one, never shown).
      ...(activate ? { credentials: { password: { value: `Sim-${randomUUID()}` } } } : {}),
    });
    return;
  }
  if ('updateUser' in change) {
    const login = change.profile.login;
    if (typeof login === 'string' && login.toLowerCase() !== change.updateUser.toLowerCase() && org.findUser(login)) {
      throw new ConsoleError(`${orgName}: the username ${login} is taken`);
    }
    await call('POST', `${U}/${userId(change.updateUser)}`, { profile: change.profile });
    return;
  }
  if ('deactivateUser' in change || 'suspendUser' in change || 'unsuspendUser' in change || 'reactivateUser' in change) {
    const [login, wants] =
      'deactivateUser' in change
        ? [change.deactivateUser, (s: string) => s !== 'DEPROVISIONED']
        : 'suspendUser' in change
          ? [change.suspendUser, (s: string) => s === 'ACTIVE']
          : 'unsuspendUser' in change
            ? [change.unsuspendUser, (s: string) => s === 'SUSPENDED']
            : [change.reactivateUser, (s: string) => ['DEPROVISIONED', 'STAGED', 'PROVISIONED'].includes(s)];
    const user = ordinaryUser(login);
    const verb = Object.keys(change)[0]!.replace(/User$/, '');
    if (!wants(user.status)) throw new ConsoleError(`${orgName}: ${login} is ${user.status}: the console can't ${verb} it`);
    const op = verb === 'reactivate' ? (user.status === 'PROVISIONED' ? 'reactivate' : 'activate') : verb;
    await call('POST', `${U}/${user.id}/lifecycle/${op}${op === 'activate' || op === 'reactivate' ? '?sendEmail=false' : ''}`);
    return;
  }
  if ('deleteUser' in change) {
    const user = ordinaryUser(change.deleteUser);
    if (user.status !== 'DEPROVISIONED') await call('POST', `${U}/${user.id}/lifecycle/deactivate`);
    await call('DELETE', `${U}/${user.id}`);
    return;
  }
  if ('createGroup' in change) {
    if (org.findGroupByName(change.createGroup)?.type === 'OKTA_GROUP') {
      throw new ConsoleError(`${orgName}: a group ${change.createGroup} already exists`);
    }
    await call('POST', G, { profile: { name: change.createGroup, ...(change.description ? { description: change.description } : {}) } });
    return;
  }
  if ('renameGroup' in change || 'deleteGroup' in change) {
    const name = 'renameGroup' in change ? change.renameGroup : change.deleteGroup;
    const group = org.findGroupByName(name);
    if (!group) throw new ConsoleError(`${orgName}: no group ${name}`);
    if (group.type !== 'OKTA_GROUP') throw new ConsoleError(`${orgName}: ${name} is an ${group.type}; the console edits only Okta groups`);
    if ('deleteGroup' in change) {
      await call('DELETE', `${G}/${group.id}`);
      return;
    }
    const clash = org.findGroupByName(change.to);
    if (clash && clash.id !== group.id && clash.type === 'OKTA_GROUP')
      throw new ConsoleError(`${orgName}: a group ${change.to} already exists`);
    await call('PUT', `${G}/${group.id}`, { profile: { name: change.to, description: group.profile.description } });
    return;
  }
  if ('addMember' in change || 'removeMember' in change) {
    const login = 'addMember' in change ? change.addMember : change.removeMember;
    const group = org.findGroupByName(change.group);
    if (!group) throw new ConsoleError(`${orgName}: no group ${change.group}`);
    if (group.type !== 'OKTA_GROUP')
      throw new ConsoleError(`${orgName}: ${change.group} is an ${group.type}; its members are not the console's to change`);
    await call('addMember' in change ? 'PUT' : 'DELETE', `${G}/${group.id}/users/${userId(login)}`);
    return;
  }

  const app = findApp();
  const appPath = `/api/v1/apps/${app.id}`;
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
