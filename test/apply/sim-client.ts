/** The project's Okta client, pointed at a simulated org: apply's tests talk HTTP the way users' runs do. */
import { Secret } from '../../src/credentials.js';
import { createOktaClient } from '../../src/okta/client.js';
import type { ClientEvent, OktaClient } from '../../src/okta/types.js';

export function clientFor(
  org: string,
  baseUrl: string,
  token: string,
  options: { maxInFlight?: number; adaptive?: boolean; onEvent?: (e: ClientEvent) => void; signal?: AbortSignal } = {},
): OktaClient {
  return createOktaClient({
    org,
    baseUrl,
    auth: { kind: 'token', token: new Secret(`TEST_${org.toUpperCase()}_TOKEN`, token) },
    maxInFlight: options.maxInFlight ?? 40,
    maxApiCapacity: 1,
    ...(options.adaptive !== undefined ? { adaptiveConcurrency: options.adaptive } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
