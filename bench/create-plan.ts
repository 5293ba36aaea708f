/**
 * createPlan speed on a large spoke: 100,000 listed users (a tenth new, a tenth drifted) plus
 * 10,000 unlisted live ones in authoritative mode, then the three renderers on the result.
 *   npx tsx bench/create-plan.ts [users=100000] [runs=5]
 */
import { performance } from 'node:perf_hooks';
import { createPlan, toPlanFile } from '../src/plan/create-plan.js';
import { renderPlanJson } from '../src/render/json.js';
import { renderPlanMarkdown } from '../src/render/markdown.js';
import { renderPlanText } from '../src/render/text.js';
import { largeCase } from '../test/plan/large.js';

const users = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 5);
const { desired, live } = largeCase(users);

const times: number[] = [];
const cpuTimes: number[] = [];
const coldCpu = process.cpuUsage();
const coldStart = performance.now();
let plan = createPlan(desired, live, { maxApiCapacity: 0.5, toolVersion: 'bench' });
console.log(
  `createPlan: first (cold) run ${(performance.now() - coldStart).toFixed(0)} ms, ${(process.cpuUsage(coldCpu).user / 1000).toFixed(0)} ms CPU`,
);
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  plan = createPlan(desired, live, { maxApiCapacity: 0.5, toolVersion: 'bench' });
  times.push(performance.now() - start);
  cpuTimes.push(process.cpuUsage(cpu).user / 1000);
}
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
const s = plan.summary;
console.log(`createPlan: ${users.toLocaleString('en')} assignments → ${s.add} add, ${s.change} change, ${s.remove} remove, ${s.noop} noop`);
console.log(
  `createPlan: median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms (${cpuTimes[Math.floor(cpuTimes.length / 2)]!.toFixed(0)} ms CPU), ` +
    `best ${times[0]!.toFixed(0)} ms over ${runs} runs`,
);

for (const [name, render] of [
  ['text', () => renderPlanText(plan, { color: false })],
  ['markdown', () => renderPlanMarkdown(plan)],
  ['json (with the fingerprints)', () => renderPlanJson(toPlanFile(plan, live))],
] as const) {
  const start = performance.now();
  const out = render();
  console.log(`render ${name}: ${(performance.now() - start).toFixed(0)} ms, ${(out.length / 1024 / 1024).toFixed(1)} MiB`);
}
