/**
 * `/api/v1/users/**` and `/api/v1/groups/**`: what org2org reads in the Hub (search by login,
 * group by name, members) and what tests use to shape a Spoke (users, groups, memberships).
 */
import type { SimGroup, SimUser } from './org-state.js';
import { onGroupDeleted, onMembershipChanged, onSpokeUserUpdated, onUserReactivated, unassignUser } from './provisioning.js';
import { invalid, notFound, objectBody, OktaError, pageReply, type RequestContext, type Reply, type RouteSpec } from './router.js';
import { compileSearch } from './routes-apps.js';
import { groupJson, rolesJson, userJson } from './views.js';

function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

function findUser(ctx: RequestContext): SimUser {
  const user = ctx.org.findUser(ctx.params.userId!);
  if (!user) throw notFound(ctx.params.userId);
  return user;
}

function findGroup(ctx: RequestContext): SimGroup {
  const group = ctx.org.groups.get(ctx.params.groupId!);
  if (!group) throw notFound(ctx.params.groupId);
  return group;
}

function listUsers(ctx: RequestContext): Reply {
  const search = compileSearch(ctx.query.get('search'));
  const filter = compileSearch(ctx.query.get('filter'));
  const q = ctx.query.get('q')?.toLowerCase();
  const match =
    search || filter || q
      ? (u: SimUser): boolean => {
          const record = u as unknown as Record<string, unknown>;
          if (search && !search(record)) return false;
          if (filter && !filter(record)) return false;
          if (q) {
            const p = u.profile;
            const hit = [p.login, p.email, p.firstName, p.lastName].some((v) => typeof v === 'string' && v.toLowerCase().startsWith(q));
            if (!hit) return false;
          }
          return true;
        }
      : undefined;
  const lagging =
    search && ctx.org.searchLag.size > 0
      ? (u: SimUser): boolean => ctx.org.searchLag.has(String(u.profile.login).toLowerCase())
      : undefined;
  const found = lagging ? (u: SimUser): boolean => !lagging(u) && (match ? match(u) : true) : match;
  const byLogin = !filter && !q ? loginsOf(ctx.query.get('search')) : undefined;
  const subset = byLogin?.map((login) => ctx.org.findUser(login)).filter((u): u is SimUser => u !== undefined && !lagging?.(u));
  return pageReply(ctx, ctx.org.users, { fallback: 200, cap: 200 }, (u) => userJson(ctx.org, u), found, subset);
}

/**
 * The logins of a search that is only `profile.login eq "…"` terms joined by `or` (how org2org
 * batches Hub reads), so it is answered from the login index instead of a scan of every user.
 */
function loginsOf(search: string | null): string[] | undefined {
  if (!search) return undefined;
  const term = /^\s*\(?\s*profile\.login\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\)?\s*$/i;
  const logins: string[] = [];
  for (const part of search.split(/\s+or\s+/i)) {
    const m = term.exec(part);
    if (!m) return undefined;
    logins.push(m[1]!.replace(/\\(.)/g, '$1'));
  }
  return logins;
}

function createUser(ctx: RequestContext): Reply {
  const body = objectBody(ctx);
  const profile = (body.profile ?? {}) as Record<string, unknown>;
  if (typeof profile.login !== 'string' || profile.login === '') throw invalid('login', ['login: The field cannot be left blank']);
  if (ctx.org.findUser(profile.login)) {
    throw invalid('login', ['login: An object with this field already exists in the current organization']);
  }
  const activate = ctx.query.get('activate') !== 'false';
  const user = ctx.org.addUser(profile.login, profile, activate ? 'ACTIVE' : 'STAGED');
  // Only whether a password was set is kept (activation then makes the user ACTIVE, not PROVISIONED); never its value.
  const password = ((body.credentials as Record<string, unknown> | undefined)?.password as Record<string, unknown> | undefined)?.value;
  if (typeof password === 'string' && password !== '') user.passwordChanged ??= user.created;
  return ok(userJson(ctx.org, user));
}

function me(ctx: RequestContext): Reply {
  const userId = ctx.principal?.userId;
  const user = userId ? ctx.org.users.get(userId) : undefined;
  // A service app's access token has no user behind it.
  if (!user) throw notFound('me');
  return ok(userJson(ctx.org, user));
}

function updateUser(ctx: RequestContext): Reply {
  const user = findUser(ctx);
  const body = objectBody(ctx);
  const profile = body.profile as Record<string, unknown> | undefined;
  if (profile) {
    const { login } = profile;
    if (typeof login === 'string' && login.toLowerCase() !== user.profile.login.toLowerCase()) {
      if (ctx.org.findUser(login)) throw invalid('login', ['login: An object with this field already exists in the current organization']);
    }
    ctx.org.updateUserProfile(user, profile);
    for (const app of ctx.org.apps.values()) {
      const au = app.users.get(user.id);
      if (au) onSpokeUserUpdated(ctx.world, ctx.org, app, au);
    }
  }
  return ok(userJson(ctx.org, user));
}

/** A lifecycle operation refused for the user's status (Okta: 400 E0000001 or E0000016, by operation). */
function wrongStatus(code: string, summary: string): OktaError {
  return new OktaError(400, code, summary, [summary]);
}

/** Users with a password become ACTIVE; others wait for the activation link (PROVISIONED), as Okta documents. */
function activateUser(ctx: RequestContext): Reply {
  const user = findUser(ctx);
  if (user.status !== 'STAGED' && user.status !== 'DEPROVISIONED') {
    throw wrongStatus('E0000016', 'Activation failed because the user is already active');
  }
  const wasDeactivated = user.status === 'DEPROVISIONED';
  ctx.org.setUserStatus(user, user.passwordChanged ? 'ACTIVE' : 'PROVISIONED', 'user.lifecycle.activate', 'Activate Okta user');
  // Group-based app assignments come back with the user; individual ones were removed at deactivation.
  if (wasDeactivated) onUserReactivated(ctx.world, ctx.org, user);
  return ok(activationReply(ctx, user));
}

function activationReply(ctx: RequestContext, user: SimUser): Record<string, unknown> {
  if (ctx.query.get('sendEmail') !== 'false') return {};
  const token = `sim${user.id}`;
  return { activationUrl: `${ctx.org.url}/welcome/${token}`, activationToken: token };
}

function reactivateUser(ctx: RequestContext): Reply {
  const user = findUser(ctx);
  if (user.status !== 'PROVISIONED' && user.status !== 'RECOVERY') {
    throw wrongStatus('E0000038', "This operation is not allowed in the user's current status.");
  }
  ctx.org.setUserStatus(user, user.status, 'user.lifecycle.reactivate', 'Reactivate Okta user');
  return ok(activationReply(ctx, user));
}

function deactivateUser(ctx: RequestContext): Reply {
  const user = findUser(ctx);
  if (user.status === 'DEPROVISIONED') throw wrongStatus('E0000001', 'Api validation failed: the user is already deactivated');
  deactivate(ctx, user);
  return { status: 200, body: {} };
}

/** Deactivation deprovisions the user from every app it is assigned (the spec): each app user goes, pushed where the app deactivates. */
function deactivate(ctx: RequestContext, user: SimUser): void {
  ctx.org.setUserStatus(user, 'DEPROVISIONED', 'user.lifecycle.deactivate', 'Deactivate Okta user');
  for (const app of ctx.org.apps.values()) {
    if (app.users.has(user.id)) unassignUser(ctx.world, ctx.org, app, user.id);
  }
}

function suspendUser(ctx: RequestContext): Reply {
  const user = findUser(ctx);
  if (user.status !== 'ACTIVE') throw wrongStatus('E0000001', 'Api validation failed: only an ACTIVE user can be suspended');
  ctx.org.setUserStatus(user, 'SUSPENDED', 'user.lifecycle.suspend', 'Suspend Okta user');
  return { status: 200, body: {} };
}

function unsuspendUser(ctx: RequestContext): Reply {
  const user = findUser(ctx);
  if (user.status !== 'SUSPENDED') throw wrongStatus('E0000001', 'Api validation failed: only a SUSPENDED user can be unsuspended');
  ctx.org.setUserStatus(user, 'ACTIVE', 'user.lifecycle.unsuspend', 'Unsuspend Okta user');
  return { status: 200, body: {} };
}

/** The spec: deleting a user that isn't deactivated deactivates it; a second DELETE deletes it. */
function deleteUser(ctx: RequestContext): Reply {
  const user = findUser(ctx);
  if (user.status !== 'DEPROVISIONED') deactivate(ctx, user);
  else ctx.org.deleteUser(user);
  return { status: 204 };
}

function listGroups(ctx: RequestContext): Reply {
  const search = compileSearch(ctx.query.get('search'));
  const filter = compileSearch(ctx.query.get('filter'));
  const q = ctx.query.get('q')?.toLowerCase();
  const match =
    search || filter || q
      ? (g: SimGroup): boolean => {
          const record = g as unknown as Record<string, unknown>;
          if (search && !search(record)) return false;
          if (filter && !filter(record)) return false;
          return !q || g.profile.name.toLowerCase().startsWith(q);
        }
      : undefined;
  const subset = !filter && !q && search ? groupsNamed(ctx, ctx.query.get('search')!) : undefined;
  return pageReply(ctx, ctx.org.groups, { fallback: 10000, cap: 10000 }, (g) => groupJson(ctx.org, g), match, subset?.filter(match!));
}

/**
 * The candidates of a search that is only `profile.name eq "…"` or `id eq "…"` terms joined by
 * `or` (how org2org batches its group reads), from a lookup instead of testing every group; the
 * search itself still decides which of them match.
 */
function groupsNamed(ctx: RequestContext, search: string): SimGroup[] | undefined {
  const term = /^\s*\(?\s*(profile\.name|id)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\)?\s*$/i;
  const names = new Set<string>();
  const ids = new Set<string>();
  for (const part of search.split(/\s+or\s+/i)) {
    const m = term.exec(part);
    if (!m) return undefined;
    (m[1]!.toLowerCase() === 'id' ? ids : names).add(m[2]!.replace(/\\(.)/g, '$1').toLowerCase());
  }
  const found: SimGroup[] = [];
  for (const g of ctx.org.groups.values()) if (names.has(g.profile.name.toLowerCase()) || ids.has(g.id.toLowerCase())) found.push(g);
  return found;
}

function createGroup(ctx: RequestContext): Reply {
  const body = objectBody(ctx);
  const profile = (body.profile ?? {}) as Record<string, unknown>;
  if (typeof profile.name !== 'string' || profile.name === '') throw invalid('name', ['name: The field cannot be left blank']);
  if (ctx.org.findGroupByName(profile.name)) {
    throw invalid('name', ['name: An object with this field already exists in the current organization']);
  }
  const group = ctx.org.addGroup(profile.name, typeof profile.description === 'string' ? profile.description : null);
  return ok(groupJson(ctx.org, group));
}

function replaceGroup(ctx: RequestContext): Reply {
  const group = findGroup(ctx);
  if (group.type !== 'OKTA_GROUP') throw new OktaError(403, 'E0000006', 'You do not have permission to perform the requested action');
  const body = objectBody(ctx);
  const profile = (body.profile ?? {}) as Record<string, unknown>;
  if (typeof profile.name !== 'string' || profile.name === '') throw invalid('name', ['name: The field cannot be left blank']);
  const clash = ctx.org.findGroupByName(profile.name);
  if (clash && clash.id !== group.id && clash.type === 'OKTA_GROUP') {
    throw invalid('name', ['name: An object with this field already exists in the current organization']);
  }
  ctx.org.updateGroupProfile(group, {
    name: profile.name,
    description: typeof profile.description === 'string' ? profile.description : null,
  });
  return ok(groupJson(ctx.org, group));
}

function deleteGroup(ctx: RequestContext): Reply {
  const group = findGroup(ctx);
  if (group.type === 'BUILT_IN') throw new OktaError(403, 'E0000006', 'You do not have permission to perform the requested action');
  for (const userId of [...group.members]) {
    const user = ctx.org.users.get(userId);
    if (user) {
      ctx.org.removeMember(group, user);
      onMembershipChanged(ctx.world, ctx.org, group, user);
    }
  }
  onGroupDeleted(ctx.org, group);
  ctx.org.deleteGroup(group);
  return { status: 204 };
}

function listMembers(ctx: RequestContext): Reply {
  const group = findGroup(ctx);
  // Members in the org's user order, so paging is stable.
  const members = [...group.members].map((id) => ctx.org.users.get(id)).filter((u): u is SimUser => u !== undefined);
  return pageReply(ctx, ctx.org.users, { fallback: 1000, cap: 1000 }, (u) => userJson(ctx.org, u), undefined, members);
}

/** listUserGroups: the spec documents a plain array (no paging parameters). */
function listUserGroups(ctx: RequestContext): Reply {
  const user = findUser(ctx);
  const groups = [...user.groupIds].map((id) => ctx.org.groups.get(id)).filter((g) => g !== undefined);
  return ok(groups.map((g) => groupJson(ctx.org, g)));
}

function membership(add: boolean) {
  return (ctx: RequestContext): Reply => {
    const group = findGroup(ctx);
    const user = findUser(ctx);
    const changed = add ? ctx.org.addMember(group, user) : ctx.org.removeMember(group, user);
    if (changed) onMembershipChanged(ctx.world, ctx.org, group, user);
    return { status: 204 };
  };
}

const route = (
  method: string,
  template: string,
  handler: RouteSpec['handler'],
  resource: RouteSpec['resource'],
  bucket: RouteSpec['bucket'],
): RouteSpec => ({
  method,
  template,
  handler,
  resource,
  bucket,
  write: method !== 'GET',
});

const U = '/api/v1/users';
const G = '/api/v1/groups';
export const DIRECTORY_ROUTES: RouteSpec[] = [
  route('GET', U, listUsers, 'users', 'users'),
  route('POST', U, createUser, 'users', 'users'),
  route('GET', `${U}/me`, me, 'self', 'user'),
  route('GET', `${U}/{userId}`, (ctx) => ok(userJson(ctx.org, findUser(ctx))), 'users', 'user'),
  route('POST', `${U}/{userId}`, updateUser, 'users', 'user'),
  route('DELETE', `${U}/{userId}`, deleteUser, 'users', 'user'),
  route('POST', `${U}/{userId}/lifecycle/activate`, activateUser, 'users', 'user'),
  route('POST', `${U}/{userId}/lifecycle/reactivate`, reactivateUser, 'users', 'user'),
  route('POST', `${U}/{userId}/lifecycle/deactivate`, deactivateUser, 'users', 'user'),
  route('POST', `${U}/{userId}/lifecycle/suspend`, suspendUser, 'users', 'user'),
  route('POST', `${U}/{userId}/lifecycle/unsuspend`, unsuspendUser, 'users', 'user'),
  route('GET', `${U}/{userId}/groups`, listUserGroups, 'users', 'user'),
  route('GET', `${U}/{userId}/roles`, (ctx) => ok(rolesJson(ctx.org, findUser(ctx))), 'users', 'user'),
  route('GET', G, listGroups, 'groups', 'groups'),
  route('POST', G, createGroup, 'groups', 'groups'),
  route('GET', `${G}/{groupId}`, (ctx) => ok(groupJson(ctx.org, findGroup(ctx))), 'groups', 'group'),
  route('PUT', `${G}/{groupId}`, replaceGroup, 'groups', 'group'),
  route('DELETE', `${G}/{groupId}`, deleteGroup, 'groups', 'group'),
  route('GET', `${G}/{groupId}/users`, listMembers, 'groups', 'group'),
  route('PUT', `${G}/{groupId}/users/{userId}`, membership(true), 'groups', 'group'),
  route('DELETE', `${G}/{groupId}/users/{userId}`, membership(false), 'groups', 'group'),
];
