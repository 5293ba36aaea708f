/** src/state: the live-state reader. */
export { readLiveState, readLiveObjects, ORG2ORG_APP_NAME, type LiveClients, type ReadOptions } from './read-live-state.js';
export { fingerprintOf, canonicalJson } from './fingerprint.js';
export { checkProvisioningToken } from './check-provisioning-token.js';
export type * from './types.js';
