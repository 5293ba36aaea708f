/**
 * JSON shapes the simulator returns, following the schemas of Okta's management OpenAPI spec
 * (User, Group, Application/Org2OrgApplication, AppUser, ApplicationGroupAssignment,
 * GroupPushMapping, ApplicationFeature, ProvisioningConnectionResponse, Role, UserSchema).
 */
import type { SimApp, SimAppGroup, SimAppUser, SimGroup, SimOAuthClient, SimOrg, SimPushMapping, SimUser } from './org-state.js';
import { isOrg2Org } from './org-state.js';
import type { AdminRole } from './types.js';
import { INITIAL_STATUSES } from './types.js';

/** App-user profile attributes the simulator treats as sensitive: accepted, never returned. */
export const SENSITIVE_APP_USER_ATTRIBUTES = new Set(['securityAnswer']);

export function userJson(org: SimOrg, u: SimUser): Record<string, unknown> {
  const base = org.url;
  return {
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.activated,
    statusChanged: u.statusChanged,
    lastLogin: null,
    lastUpdated: u.lastUpdated,
    passwordChanged: u.passwordChanged,
    type: { id: org.userTypeId },
    profile: u.profile,
    credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: { href: `${base}/api/v1/users/${u.id}` } },
  };
}

export function groupJson(org: SimOrg, g: SimGroup): Record<string, unknown> {
  const base = org.url;
  return {
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    objectClass: [g.type === 'APP_GROUP' ? 'okta:app_group' : 'okta:user_group'],
    type: g.type,
    profile: { name: g.profile.name, description: g.profile.description },
    _links: {
      logo: [],
      users: { href: `${base}/api/v1/groups/${g.id}/users` },
      apps: { href: `${base}/api/v1/groups/${g.id}/apps` },
    },
  };
}

/** Read-only `features` of the app object, derived from its provisioning settings. */
function appFeatureNames(app: SimApp): string[] {
  if (!isOrg2Org(app)) return [];
  const features: string[] = [];
  if (app.connection.status === 'ENABLED') {
    if (app.provisioning.create) features.push('PUSH_NEW_USERS');
    if (app.provisioning.profile) features.push('PUSH_PROFILE_UPDATES');
    if (app.provisioning.deactivate) features.push('PUSH_USER_DEACTIVATION', 'REACTIVATE_USERS');
    if (app.provisioning.password.enabled) features.push('PUSH_PASSWORD_UPDATES');
    features.push('GROUP_PUSH', 'IMPORT_NEW_USERS', 'IMPORT_PROFILE_UPDATES', 'IMPORT_USER_SCHEMA');
    // Recorded: PROFILE_MASTERING sits beside the To App features on a real app.
    if (app.provisioning.profileSourcing) features.push('PROFILE_MASTERING');
  }
  return features;
}

/**
 * An OAuth 2.0 client read through the Apps API (recorded: a service app made by the Terraform
 * provider): its client settings under `settings.oauthClient`, an empty `settings.app`, none of
 * an Org2Org app's settings.
 */
function oauthAppSettings(app: SimApp & { oauth: SimOAuthClient }): Record<string, unknown> {
  const c = app.oauth;
  return {
    app: {},
    notifications: { vpn: { network: { connection: 'DISABLED' }, message: null, helpUrl: null } },
    manualProvisioning: false,
    implicitAssignment: false,
    emOptInStatus: 'NONE',
    notes: { admin: null, enduser: null },
    oauthClient: {
      client_uri: null,
      logo_uri: null,
      redirect_uris: [],
      response_types: c.responseTypes,
      grant_types: c.grantTypes,
      ...(c.jwksUri ? { jwks_uri: c.jwksUri } : {}),
      ...(c.jwks ? { jwks: { keys: c.jwks } } : {}),
      application_type: c.applicationType,
      consent_method: 'TRUSTED',
      issuer_mode: 'ORG_URL',
      idp_initiated_login: { mode: 'DISABLED', default_scope: [] },
      wildcard_redirect: 'DISABLED',
      dpop_bound_access_tokens: c.dpopBound === true,
      participate_slo: false,
    },
  };
}

/** Settings Okta fills in on every app it answers with (recorded `okta_org2org` apps). */
function settingsWithDefaults(settings: Record<string, unknown>, signOnMode: string): Record<string, unknown> {
  const app = (settings.app as Record<string, unknown> | undefined) ?? {};
  return {
    notifications: { vpn: { network: { connection: 'DISABLED' }, message: null, helpUrl: null } },
    manualProvisioning: false,
    implicitAssignment: false,
    emOptInStatus: 'NONE',
    notes: { admin: null, enduser: null },
    ...(signOnMode === 'SAML_2_0'
      ? {
          signOn: {
            defaultRelayState: null,
            ssoAcsUrlOverride: null,
            audienceOverride: null,
            recipientOverride: null,
            destinationOverride: null,
            attributeStatements: [],
          },
        }
      : {}),
    ...settings,
    app: { acsUrl: null, audRestriction: null, baseUrl: null, idpId: null, ...app },
  };
}

export function appJson(org: SimOrg, app: SimApp): Record<string, unknown> {
  const base = `${org.url}/api/v1/apps/${app.id}`;
  const settings = app.oauth
    ? oauthAppSettings(app as SimApp & { oauth: SimOAuthClient })
    : settingsWithDefaults(app.settings, app.signOnMode);
  return {
    id: app.id,
    orn: `orn:okta:idp:${org.name}:apps:${app.name}:${app.id}`,
    name: app.name,
    label: app.label,
    status: app.status,
    created: app.created,
    lastUpdated: app.lastUpdated,
    signOnMode: app.signOnMode,
    accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
    visibility: { autoLaunch: false, autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { login: true } },
    features: appFeatureNames(app),
    credentials: {
      userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
      signing: { kid: app.signingKid },
      ...(app.oauth
        ? {
            oauthClient: {
              autoKeyRotation: true,
              client_id: app.oauth.clientId,
              token_endpoint_auth_method: app.oauth.tokenEndpointAuthMethod,
              pkce_required: false,
            },
          }
        : {}),
    },
    universalLogout: { status: 'UNSUPPORTED' },
    settings,
    _links: {
      self: { href: base },
      users: { href: `${base}/users` },
      groups: { href: `${base}/groups` },
      deactivate: { href: `${base}/lifecycle/deactivate` },
    },
  };
}

export function appUserJson(org: SimOrg, app: SimApp, au: SimAppUser, embedUser?: SimUser): Record<string, unknown> {
  const profile: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(au.profile)) {
    if (!SENSITIVE_APP_USER_ATTRIBUTES.has(k)) profile[k] = v;
  }
  const json: Record<string, unknown> = {
    id: au.id,
    externalId: au.externalId,
    created: au.created,
    lastUpdated: au.lastUpdated,
    scope: au.scope,
    status: au.status,
    statusChanged: au.statusChanged,
    passwordChanged: au.passwordChanged,
    syncState: au.syncState,
    // Absent until the first sync (recorded app users that never synced have no lastSync).
    ...(au.lastSync !== null ? { lastSync: au.lastSync } : {}),
    credentials: { userName: au.userName },
    profile,
    _links: {
      app: { href: `${org.url}/api/v1/apps/${app.id}` },
      user: { href: `${org.url}/api/v1/users/${au.id}` },
    },
  };
  // Not in the AppUser schema, but what a failed push reports alongside syncState ERROR.
  if (au.errorSummary) json.errorSummary = au.errorSummary;
  if (embedUser) json._embedded = { user: userJson(org, embedUser) };
  return json;
}

export function appGroupJson(org: SimOrg, app: SimApp, ag: SimAppGroup): Record<string, unknown> {
  return {
    id: ag.id,
    lastUpdated: ag.lastUpdated,
    priority: ag.priority,
    profile: ag.profile,
    _links: {
      app: { href: `${org.url}/api/v1/apps/${app.id}` },
      group: { href: `${org.url}/api/v1/groups/${ag.id}` },
    },
  };
}

/** Key order and links as recorded: `targetGroup` links to the Spoke's own APP_GROUP. */
export function pushMappingJson(org: SimOrg, app: SimApp, m: SimPushMapping): Record<string, unknown> {
  return {
    created: m.created,
    id: m.id,
    sourceGroupId: m.sourceGroupId,
    targetGroupId: m.targetGroupId,
    status: m.status,
    // Omitted, not null, when the last push succeeded (the spec types it as a string).
    ...(m.errorSummary !== null ? { errorSummary: m.errorSummary } : {}),
    ...(m.lastPush !== null ? { lastPush: m.lastPush } : {}),
    lastUpdated: m.lastUpdated,
    _links: {
      app: { href: `${org.url}/api/v1/apps/${app.id}` },
      sourceGroup: { href: `${org.url}/api/v1/groups/${m.sourceGroupId}` },
      targetGroup: { href: `${org.url}/api/v1/groups/${m.targetGroupId}` },
    },
  };
}

/**
 * The spec's response enum for `authScheme` lists only TOKEN; real Okta answers OAUTH2 for an
 * OAuth connection (and UNKNOWN before one is set), so we follow Okta.
 */
export function connectionJson(org: SimOrg, app: SimApp): Record<string, unknown> {
  const c = app.connection;
  const base = `${org.url}/api/v1/apps/${app.id}/connections/default`;
  const profile: Record<string, unknown> = { authScheme: c.authScheme };
  if (c.authScheme === 'OAUTH2') {
    profile.clientId = c.clientId;
    if (c.rotationMode) profile.signing = { rotationMode: c.rotationMode };
  }
  return {
    authScheme: c.authScheme,
    baseUrl: (app.settings.app as Record<string, unknown> | undefined)?.baseUrl ?? null,
    profile,
    status: c.status,
    _links: {
      self: { href: base, hints: { allow: ['POST', 'GET'] } },
      [c.status === 'ENABLED' ? 'deactivate' : 'activate']: {
        href: `${base}/lifecycle/${c.status === 'ENABLED' ? 'deactivate' : 'activate'}`,
        hints: { allow: ['POST'] },
      },
    },
  };
}

const status = (on: boolean): { status: 'ENABLED' | 'DISABLED' } => ({ status: on ? 'ENABLED' : 'DISABLED' });

export function featuresJson(org: SimOrg, app: SimApp): Record<string, unknown>[] {
  const p = app.provisioning;
  const base = `${org.url}/api/v1/apps/${app.id}/features`;
  const anyPush = p.create || p.profile || p.deactivate || p.password.enabled;
  return [
    {
      name: 'USER_PROVISIONING',
      status: anyPush ? 'ENABLED' : 'DISABLED',
      description: 'User provisioning settings from Okta to a downstream application',
      capabilities: {
        create: { lifecycleCreate: status(p.create) },
        update: {
          lifecycleDeactivate: status(p.deactivate),
          profile: status(p.profile),
          password: { ...status(p.password.enabled), seed: p.password.seed, change: p.password.change },
        },
      },
      _links: { self: { href: `${base}/USER_PROVISIONING`, hints: { allow: ['GET', 'PUT'] } } },
    },
    {
      name: 'INBOUND_PROVISIONING',
      status: Object.keys(p.inbound).length > 0 ? 'ENABLED' : 'DISABLED',
      description: 'In-bound provisioning settings from an application to Okta',
      capabilities: inboundCapabilities(p.inbound),
      _links: { self: { href: `${base}/INBOUND_PROVISIONING`, hints: { allow: ['GET', 'PUT'] } } },
    },
  ];
}

function inboundCapabilities(stored: Record<string, unknown>): Record<string, unknown> {
  return {
    importSettings: {
      username: { userNameFormat: 'EMAIL' },
      schedule: { status: 'DISABLED', fullImport: null, incrementalImport: null },
      ...((stored.importSettings as Record<string, unknown> | undefined) ?? {}),
    },
    importRules: {
      userCreateAndMatch: {
        exactMatchCriteria: 'USERNAME',
        allowPartialMatch: false,
        autoConfirmPartialMatch: false,
        autoConfirmExactMatch: false,
        autoConfirmNewUsers: false,
        autoActivateNewUsers: false,
        ...(((stored.importRules as Record<string, unknown> | undefined)?.userCreateAndMatch as Record<string, unknown> | undefined) ?? {}),
      },
    },
  };
}

const ROLE_LABELS: Record<AdminRole, string> = {
  SUPER_ADMIN: 'Super Administrator',
  ORG_ADMIN: 'Organizational Administrator',
  APP_ADMIN: 'Application Administrator',
  USER_ADMIN: 'Group Administrator',
  GROUP_MEMBERSHIP_ADMIN: 'Group Membership Administrator',
  READ_ONLY_ADMIN: 'Read Only Administrator',
};

export function rolesJson(org: SimOrg, u: SimUser): Record<string, unknown>[] {
  return u.roles.map((type, i) => ({
    id: `ra${u.id.slice(3)}${i}`,
    label: ROLE_LABELS[type],
    type,
    status: 'ACTIVE',
    created: u.created,
    lastUpdated: u.lastUpdated,
    assignmentType: 'USER',
    _links: { assignee: { href: `${org.url}/api/v1/users/${u.id}` } },
  }));
}

/**
 * The Org2Org app-user schema. Okta keeps an app's own attributes in `definitions.base` and what
 * admins add in `definitions.custom` (every recorded app-user schema does), so Org2Org's
 * attributes sit in base. `initialStatus` and its four values are Okta's; the names
 * `securityQuestion`/`securityAnswer` are this simulator's assumption (no public source settles them).
 */
export function appUserSchemaJson(org: SimOrg, app: SimApp): Record<string, unknown> {
  const org2org: Record<string, unknown> = isOrg2Org(app)
    ? {
        initialStatus: {
          title: 'Initial Status',
          description: 'Status of the user created in the target org',
          type: 'string',
          enum: [...INITIAL_STATUSES],
          oneOf: INITIAL_STATUSES.map((v) => ({ const: v, title: v })),
          scope: 'NONE',
        },
        securityQuestion: { title: 'Security Question', type: 'string', scope: 'NONE' },
        securityAnswer: { title: 'Security Answer', type: 'string', scope: 'NONE' },
      }
    : {};
  return {
    id: `${org.url}/meta/schemas/apps/${app.id}/default`,
    $schema: 'http://json-schema.org/draft-04/schema#',
    name: app.name,
    title: `${app.label} User`,
    lastUpdated: app.lastUpdated,
    created: app.created,
    definitions: {
      custom: { id: '#custom', type: 'object', properties: structuredClone(app.userSchemaCustom), required: [] },
      base: {
        id: '#base',
        type: 'object',
        properties: {
          userName: { title: 'Username', type: 'string', required: true, scope: 'NONE' },
          ...org2org,
        },
        required: ['userName'],
      },
    },
    type: 'object',
    properties: { profile: { allOf: [{ $ref: '#/definitions/custom' }, { $ref: '#/definitions/base' }] } },
  };
}
