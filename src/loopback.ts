/**
 * Loopback hosts: the only places plain http is allowed (the simulator, local tests). One
 * definition for the config rules and the client, so a URL that validates is one the client accepts.
 */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
