/**
 * The top frames of a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- --cpu-prof DIR`):
 * self time per function, and the share of all samples, so a profile can be quoted in the docs.
 *
 *   npx tsx bench/profile-top.ts FILE.cpuprofile [N=15] [FUNCTION]
 *
 * With FUNCTION, only the samples taken inside a call of that function count (a synchronous
 * step such as createPlan; async work resumed from the event loop is not under its caller).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function topFrames(profile: Profile, n: number, under?: string): { frame: string; selfMs: number; share: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const inside = new Set<number>();
  if (under !== undefined) {
    const mark = (id: number): void => {
      inside.add(id);
      for (const child of byId.get(id)?.children ?? []) mark(child);
    };
    for (const node of profile.nodes) if (node.callFrame.functionName === under && !inside.has(node.id)) mark(node.id);
  }
  const selfUs = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node || (under !== undefined && !inside.has(node.id))) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    const where = url ? ` ${shorten(url)}:${lineNumber + 1}` : '';
    const frame = `${functionName || '(anonymous)'}${where}`;
    selfUs.set(frame, (selfUs.get(frame) ?? 0) + dt);
    total += dt;
  }
  return [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([frame, us]) => ({ frame, selfMs: Math.round(us / 100) / 10, share: us / total }));
}

function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx bench/profile-top.ts FILE.cpuprofile [N]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const under = process.argv[4];
  const busyMs = topFrames(profile, Infinity, under).reduce((ms, f) => ms + f.selfMs, 0);
  console.log(
    `${file}: ${Math.round((profile.endTime - profile.startTime) / 1000)} ms profiled, ${Math.round(busyMs)} ms busy${under ? ` inside ${under}` : ''} (idle and (program) left out)`,
  );
  console.log('| self | share | frame |\n|---:|---:|---|');
  for (const f of topFrames(profile, Number(process.argv[3] ?? 15), under))
    console.log(`| ${f.selfMs} ms | ${(f.share * 100).toFixed(1)} % | \`${f.frame}\` |`);
}
