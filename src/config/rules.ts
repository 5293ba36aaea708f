/**
 * Semantic rules: what the JSON Schema can't say. Each rule is a small function over the
 * DesiredState that reports problems at JSON pointers into the file.
 */
import { isLoopback } from '../loopback.js';
import { oktaOrgOrigin, sameOktaOrg } from '../org-url.js';
import type { DesiredState } from './types.js';

export type Report = (pointer: string, message: string) => void;

export interface RuleInput {
  desired: DesiredState;
  /** Pointers of fields whose `${NAME}` references are unset: their values can't be checked. */
  unresolved: ReadonlySet<string>;
  /** The text as written where references were expanded: messages quote it, so no variable's value is echoed. */
  written?: ReadonlyMap<string, string>;
}

export type Rule = (input: RuleInput, report: Report) => void;

export const uniqueSpokeNames: Rule = ({ desired }, report) => {
  const seen = new Map<string, number>();
  desired.spokes.forEach((spoke, i) => {
    const first = seen.get(spoke.name);
    if (first !== undefined)
      report(`/spokes/${i}/name`, `spoke name "${spoke.name}" is already used by spokes[${first}] — give each spoke its own name`);
    else seen.set(spoke.name, i);
  });
};

export const uniqueLoginsPerSpoke: Rule = ({ desired }, report) => {
  desired.spokes.forEach((spoke, i) => {
    const seen = new Map<string, number>();
    spoke.assignments.users.forEach((user, j) => {
      const first = seen.get(user.loginKey);
      if (first !== undefined) {
        report(
          `/spokes/${i}/assignments/users/${j}/login`,
          `login "${user.login}" is already assigned in users[${first}] of spoke "${spoke.name}" (logins compare case-insensitively) — remove one`,
        );
      } else seen.set(user.loginKey, j);
    });
  });
};

export const uniqueGroupNamesPerSpoke: Rule = ({ desired }, report) => {
  desired.spokes.forEach((spoke, i) => {
    const assigned = new Map<string, number>();
    spoke.assignments.groups.forEach((group, j) => {
      const key = group.name.toLowerCase();
      const first = assigned.get(key);
      if (first !== undefined)
        report(
          `/spokes/${i}/assignments/groups/${j}/name`,
          `group "${group.name}" is already assigned in groups[${first}] of spoke "${spoke.name}" — remove one`,
        );
      else assigned.set(key, j);
    });
    const pushed = new Map<string, number>();
    const targets = new Map<string, number>();
    spoke.pushGroups.groups.forEach((push, j) => {
      const key = push.name.toLowerCase();
      const first = pushed.get(key);
      if (first !== undefined)
        report(
          `/spokes/${i}/pushGroups/groups/${j}/name`,
          `group "${push.name}" is already pushed by groups[${first}] of spoke "${spoke.name}" — a group has one push mapping; remove one`,
        );
      else pushed.set(key, j);
      const target = push.targetName.toLowerCase();
      const firstTarget = targets.get(target);
      if (first === undefined && firstTarget !== undefined) {
        report(
          `/spokes/${i}/pushGroups/groups/${j}`,
          `Hub group "${push.targetName}" is already the target of groups[${firstTarget}] of spoke "${spoke.name}" — push each Spoke group to its own Hub group`,
        );
      } else targets.set(target, j);
    });
  });
};

function checkOrgUrl(pointer: string, url: string, input: RuleInput, report: Report): void {
  // An unset `${NAME}` can't be checked offline; the missing variable is reported on its own.
  if (input.unresolved.has(pointer)) return;
  // A URL built from variables is quoted as written: a path or query may hold what a variable held.
  const written = input.written?.get(pointer);
  const shown = JSON.stringify(written ?? url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    report(pointer, `${shown} is not a URL — write the org's address, e.g. https://acme.okta.com`);
    return;
  }
  if (parsed.protocol === 'http:' && isLoopback(parsed.hostname)) return;
  if (parsed.protocol !== 'https:') {
    report(
      pointer,
      `${shown} must use https (http is allowed only on loopback, for the simulator) — write https://${written === undefined ? parsed.host || 'your-org.okta.com' : 'your-org.okta.com'}`,
    );
    return;
  }
  if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash || parsed.username || parsed.password) {
    report(pointer, `${shown} has more than the org's address — keep only ${parsed.protocol}//${parsed.host}`);
  }
}

export const httpsOrgUrls: Rule = (input, report) => {
  checkOrgUrl('/hub/url', input.desired.hub.url, input, report);
  input.desired.spokes.forEach((spoke, i) => checkOrgUrl(`/spokes/${i}/url`, spoke.url, input, report));
};

export const spokeIsNotHub: Rule = ({ desired, unresolved }, report) => {
  if (unresolved.has('/hub/url')) return;
  desired.spokes.forEach((spoke, i) => {
    if (unresolved.has(`/spokes/${i}/url`)) return;
    if (sameOktaOrg(spoke.url, desired.hub.url)) {
      report(
        `/spokes/${i}/url`,
        `spoke "${spoke.name}" has the Hub's URL — a Spoke is a different org from the Hub; use the Spoke org's address`,
      );
    }
  });
};

/** Raw connection fields, to tell "OAUTH2 without clientId" from "TOKEN with a clientId". */
/**
 * One org, one Spoke: two entries for the same org (its `-admin` console name folded in, as
 * everywhere else) would plan one org twice and send the second entry's token to the first's
 * org. Being offline, this rule runs before any request, so no token goes anywhere.
 */
export const uniqueSpokeUrls: Rule = ({ desired, unresolved }, report) => {
  const seen = new Map<string, number>();
  desired.spokes.forEach((spoke, i) => {
    if (unresolved.has(`/spokes/${i}/url`)) return;
    const org = oktaOrgOrigin(spoke.url);
    const first = seen.get(org);
    if (first !== undefined) {
      report(
        `/spokes/${i}/url`,
        `spoke "${spoke.name}" names the same org as spokes[${first}] ("${desired.spokes[first]!.name}") — an org is one Spoke; merge the two entries or fix the URL`,
      );
    } else seen.set(org, i);
  });
};

export interface RawConnectionFields {
  spokeIndex: number;
  authScheme: 'TOKEN' | 'OAUTH2';
  has: { token: boolean; clientId: boolean; rotationMode: boolean; managed: boolean; scopesOrRoles: boolean; hubAuth: boolean };
}

export function connectionCredentials(connections: RawConnectionFields[]): Rule {
  return (_input, report) => {
    for (const c of connections) {
      const at = `/spokes/${c.spokeIndex}/connection`;
      if (c.authScheme === 'OAUTH2') {
        if (!c.has.clientId && !c.has.managed) {
          report(
            at,
            "authScheme OAUTH2 needs the Hub's service app — add hubServiceApp: managed (org2org builds it), or clientId: the client ID of an existing one",
          );
        }
        if (c.has.clientId && c.has.managed)
          report(
            `${at}/clientId`,
            'clientId and hubServiceApp: managed exclude each other — a managed service app gets its client ID from the Hub; remove one',
          );
        if (c.has.scopesOrRoles && !c.has.managed)
          report(
            at,
            'scopes and roles are only used with hubServiceApp: managed — org2org does not change a service app it does not manage',
          );
        if (c.has.managed && !c.has.hubAuth) {
          report(
            `${at}/hubServiceApp`,
            'hubServiceApp: managed needs Hub credentials — add hub.auth with a token (or service app) that may manage apps and assign admin roles (a Super Administrator)',
          );
        }
        if (c.has.token) report(`${at}/token`, 'token is only used with authScheme TOKEN — remove it, or set authScheme: TOKEN');
      } else {
        if (!c.has.token) report(at, 'authScheme TOKEN needs a token — add token: ${HUB_TOKEN_VARIABLE} (a Hub API token)');
        if (c.has.clientId) report(`${at}/clientId`, 'clientId is only used with authScheme OAUTH2 — remove it, or set authScheme: OAUTH2');
        if (c.has.rotationMode) report(`${at}/rotationMode`, 'rotationMode is only used with authScheme OAUTH2 — remove it');
        if (c.has.managed)
          report(`${at}/hubServiceApp`, 'hubServiceApp is only used with authScheme OAUTH2 — remove it, or set authScheme: OAUTH2');
        if (c.has.scopesOrRoles)
          report(at, 'scopes and roles are only used with authScheme OAUTH2 and hubServiceApp: managed — remove them');
      }
    }
  };
}

export const securityAnswerNeedsQuestion: Rule = ({ desired }, report) => {
  desired.spokes.forEach((spoke, i) => {
    spoke.assignments.users.forEach((user, j) => {
      if (user.securityAnswer && !user.securityQuestion) {
        report(
          `/spokes/${i}/assignments/users/${j}/securityAnswer`,
          `user "${user.login}" has a securityAnswer but no securityQuestion — add securityQuestion`,
        );
      }
    });
  });
};

export const customUsernameNeedsExpression: Rule = ({ desired }, report) => {
  desired.spokes.forEach((spoke, i) => {
    const username = spoke.provisioning.toOkta?.import?.username;
    if (username?.userNameFormat === 'CUSTOM' && !username.userNameExpression) {
      report(
        `/spokes/${i}/provisioning/toOkta/import/username`,
        'userNameFormat CUSTOM needs a userNameExpression — add one, e.g. userNameExpression: source.login',
      );
    }
  });
};

/**
 * `onRemove: deleteTarget` acts only on an entry marked `remove: true` (a mapping left out of the
 * list can't say anything), and never on a linked mapping: its Hub group existed before the push
 * and usually has a life of its own.
 */
export const deleteTargetNeedsRemove: Rule = ({ desired }, report) => {
  desired.spokes.forEach((spoke, i) => {
    spoke.pushGroups.groups.forEach((push, j) => {
      if (push.onRemove !== 'deleteTarget') return;
      const at = `/spokes/${i}/pushGroups/groups/${j}/onRemove`;
      if (push.link) {
        report(
          at,
          `group "${push.name}" links to the existing Hub group "${push.targetName}": org2org won't delete a Hub group it didn't create — drop onRemove (the Hub group is kept), or delete that group in the Hub yourself`,
        );
      } else if (!push.remove) {
        report(
          at,
          `onRemove: deleteTarget acts only when the mapping is removed — add remove: true to remove the push of "${push.name}" together with its Hub group, or drop onRemove`,
        );
      }
    });
  });
};

export const RULES: readonly Rule[] = [
  uniqueSpokeNames,
  uniqueLoginsPerSpoke,
  uniqueGroupNamesPerSpoke,
  httpsOrgUrls,
  spokeIsNotHub,
  uniqueSpokeUrls,
  securityAnswerNeedsQuestion,
  customUsernameNeedsExpression,
  deleteTargetNeedsRemove,
];
