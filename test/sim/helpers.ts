/** Small HTTP helpers for simulator tests: they talk to it as a client would, over loopback. */
import { after, before } from 'node:test';
import { startSim, type Sim } from '../../src/sim/index.js';

/**
 * One simulator of `seed` shared by the tests of the enclosing describe: started before them,
 * closed after. Call the returned function inside a test (the simulator exists only from then).
 */
export function simPerSuite(seed: string): () => Sim {
  let sim: Sim | undefined;
  before(async () => {
    sim = await startSim(seed);
  });
  after(() => sim?.close());
  return () => sim!;
}

export interface Response {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(
  base: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  scheme = 'SSWS',
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `${scheme} ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path.startsWith('http') ? path : base + path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export function nextLink(headers: Headers): string | undefined {
  const link = headers.get('link') ?? '';
  return /<([^>]+)>;\s*rel="next"/.exec(link)?.[1];
}

export const q = encodeURIComponent;
