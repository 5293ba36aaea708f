/** The simulators' request counts, as the bench workers read and reset them between measured runs. */
import type { SimStats } from '../src/sim/index.js';

export async function simStats(orgUrls: Record<string, string>): Promise<Record<string, SimStats>> {
  const out: Record<string, SimStats> = {};
  for (const [org, url] of Object.entries(orgUrls)) out[org] = (await (await fetch(`${url}/__sim/stats`)).json()) as SimStats;
  return out;
}

export async function resetSimStats(orgUrls: Record<string, string>): Promise<void> {
  for (const url of Object.values(orgUrls)) await (await fetch(`${url}/__sim/reset`, { method: 'POST' })).arrayBuffer();
}
