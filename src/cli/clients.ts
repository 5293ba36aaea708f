/**
 * One Okta client per org from DesiredState, every one with the same settings (pacing, debug,
 * events, Ctrl-C).
 */
import type { DesiredState } from '../config/types.js';
import { createOktaClient } from '../okta/client.js';
import type { ClientEvent, OktaClient, OktaClientOptions } from '../okta/types.js';
import type { LiveClients } from '../state/read-live-state.js';

export interface ClientSettings {
  maxApiCapacity?: number;
  /** Ceiling of requests in flight per org (the client's default is 32; Okta's org-wide limit is 75, 35 on free orgs). */
  maxInFlight?: number;
  debug?: boolean;
  onEvent?: (event: ClientEvent) => void;
  /** Client factory (tests); defaults to createOktaClient. */
  createClient?: (options: OktaClientOptions) => OktaClient;
  /** Ctrl-C: the clients drop requests not yet sent. */
  signal?: AbortSignal;
}

/** Makes the client of one org with the same settings as every other. */
export function clientFactory(
  settings: ClientSettings,
): (org: string, baseUrl: string, auth: OktaClientOptions['auth'], urlSource?: string) => OktaClient {
  return (org, baseUrl, auth, urlSource) =>
    (settings.createClient ?? createOktaClient)({
      org,
      baseUrl,
      auth,
      ...(urlSource !== undefined ? { urlSource } : {}),
      ...(settings.maxApiCapacity !== undefined ? { maxApiCapacity: settings.maxApiCapacity } : {}),
      ...(settings.maxInFlight !== undefined ? { maxInFlight: settings.maxInFlight } : {}),
      ...(settings.debug !== undefined ? { debug: settings.debug } : {}),
      ...(settings.onEvent ? { onEvent: settings.onEvent } : {}),
      ...(settings.signal ? { signal: settings.signal } : {}),
    });
}

/** One client per Spoke of `desired` and one for the Hub when the config gives it credentials. */
export function buildClients(desired: DesiredState, settings: ClientSettings = {}): LiveClients {
  const make = clientFactory(settings);
  const spokes: Record<string, OktaClient> = {};
  const provisioning: Record<string, OktaClient> = {};
  for (const spoke of desired.spokes) {
    spokes[spoke.name] = make(spoke.name, spoke.url, spoke.auth, spoke.urlSource);
    // The provisioning token is tested against the Hub (it can't be read back from the Spoke).
    const connection = spoke.connection;
    if (connection?.authScheme === 'TOKEN' && connection.token.isSet) {
      provisioning[spoke.name] = make(
        `${spoke.name} provisioning token`,
        desired.hub.url,
        { kind: 'token', token: connection.token },
        desired.hub.urlSource,
      );
    }
  }
  const clients: LiveClients = { spokes, provisioning };
  if (desired.hub.auth) clients.hub = make('hub', desired.hub.url, desired.hub.auth, desired.hub.urlSource);
  return clients;
}
