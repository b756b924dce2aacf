/**
 * `npm run bench`: issue 7's workloads (src/cli/bench-core.ts) for LR Lab with R = 1 and 6 stacked
 * runs in Node (Dawn) and in headless Chromium (bench.html), and for TensorFlow.js 4.22 (webgpu,
 * wasm, cpu backends; bench-tfjs.html) in the same Chromium, plus a copy-bandwidth reference.
 * Both pages are built into .bench/site (dist/ is left alone). Prints the tables and the target
 * checks, and writes JSON.
 *   --out FILE       JSON report (default .bench/latest.json)
 *   --quick          shorter repeats, 3 of them (smoke test)
 *   --node-only / --browser-only / --no-tfjs
 *   --repeats N      timed repeats per case (default 5)
 *   --only a,b       only these workload ids (mlp-sgdm, mlp-adam, cnn-adam, adam-1m, mlp-tiny)
 *   --profile ID     Node only: the time of each dispatch of one step of workload ID (R from --runs,
 *                    default 1): GPU timestamps around each dispatch where the device has
 *                    timestamp-query, else each dispatch submitted alone (--profile-submits forces that)
 *   --no-sweep       skip the stacked-sweep workload (src/cli/bench-sweep.ts: 144 runs stacked against one
 *                    experiment at a time, and the scaling curve; Node; --only sweep-stacked runs it alone)
 *   --sweep-steps N  steps of the stacked-sweep workload (default 600; --quick 100)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import { chromium, type Browser } from '@playwright/test';
import { build, preview } from 'vite';
import { acquireNodeGpu } from '../gpu/node';
import { benchCases, CASE_BUDGET_MS, MIN_REPEATS, TARGET_REPEAT_MS, type BenchResult, type CopyResult } from './bench-core';
import { logResult, nodeBench, nodeSections } from './bench-node';
import { profileCase, profileLines } from './bench-profile';
import { checksTable, comparison, copyLines, gpuTargets, lrLabTable } from './bench-report';
import { runSweepBench, sweepBenchTable } from './bench-sweep';

const args = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const quick = args.includes('--quick');
const repeats = Number(option('--repeats') ?? (quick ? 3 : 5));
const scale = quick ? 0.25 : 1;
const outFile = option('--out') ?? '.bench/latest.json';
const only = option('--only')?.split(',');
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a positive integer, got ${option('--repeats')}`);
const ids = [...benchCases().map((c) => c.id), 'sweep-stacked'];
const sweepOnly = only?.length === 1 && only[0] === 'sweep-stacked';
for (const id of only ?? []) if (!ids.includes(id)) throw new Error(`--only: unknown workload ${id} (one of ${ids.join(', ')})`);
const SITE = '.bench/site';
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const log = (r: BenchResult) => logResult(r, elapsed);

if (option('--profile')) {
  const spec = benchCases().find((c) => c.id === option('--profile'));
  if (!spec) throw new Error(`--profile: unknown workload (one of ${ids.join(', ')})`);
  const gpu = await acquireNodeGpu();
  const runs = Number(option('--runs') ?? 1);
  const profile = await profileCase(gpu, spec, runs, repeats, args.includes('--profile-submits') ? 'submits' : undefined);
  console.log(profileLines(`profile of ${spec.name}, R=${runs}; load ${load()}`, profile).join('\n'));
  gpu.device.destroy();
  process.exit(0);
}

type PageResult = { adapter: string; results: BenchResult[]; copy?: CopyResult; notes?: string[] };

async function runPage(browser: Browser, url: string): Promise<PageResult> {
  const page = await browser.newPage();
  page.on('console', (message) => console.error(`  [page] ${message.text()} [${elapsed()}, load ${load()}]`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.benchDone !== undefined, undefined, { timeout: 30 * 60_000, polling: 1000 });
    const done = await page.evaluate(() => window.benchDone!);
    if ('error' in done) throw new Error(`browser bench failed (${url}): ${done.error}`);
    return done;
  } finally {
    await page.close();
  }
}

async function browserBench() {
  console.error(`building bench.html and bench-tfjs.html into ${SITE} (vite build)…`);
  await build({
    logLevel: 'warn',
    build: { outDir: SITE, emptyOutDir: true, copyPublicDir: false, sourcemap: false, chunkSizeWarningLimit: 8000, rolldownOptions: { input: { bench: 'bench.html', tfjs: 'bench-tfjs.html' } } },
  });
  // No cross-origin isolation: TensorFlow.js's threaded wasm build breaks once bundled (its inlined
  // worker source is minified: "e is not defined"), so its wasm backend runs single-threaded with SIMD.
  const server = await preview({ build: { outDir: SITE }, preview: { port: 4174, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4174/';
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-sandbox'],
  });
  try {
    const query = `scale=${scale}&repeats=${repeats}${only ? `&only=${only.join(',')}` : ''}`;
    const lab = await runPage(browser, `${url}bench.html?${query}`);
    lab.results.forEach(log);
    let tfjs: PageResult | undefined;
    if (!args.includes('--no-tfjs')) {
      tfjs = await runPage(browser, `${url}bench-tfjs.html?${query}${option('--tfjs-backends') ? `&backends=${option('--tfjs-backends')}` : ''}`);
      tfjs.results.forEach(log);
    }
    return { adapter: lab.adapter, version: browser.version(), results: lab.results, copy: lab.copy, tfjs: tfjs?.results ?? [], tfjsNotes: tfjs?.notes ?? [] };
  } finally {
    await browser.close();
    await server.close();
  }
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
console.error(`machine: ${machine}; load average at start ${load()}`);
console.error(
  `each repeat: about ${TARGET_REPEAT_MS * scale} ms of steps (from timed warm-up steps); ${repeats} repeats, ` +
    `fewer (not under ${MIN_REPEATS}) where they would take over ${(CASE_BUDGET_MS * scale) / 1000} s; median`,
);
const report: Record<string, unknown> = { date: new Date().toISOString(), machine, loadAtStart: loadavg(), repeats, targetRepeatMs: TARGET_REPEAT_MS * scale, caseBudgetMs: CASE_BUDGET_MS * scale };
const sections: string[] = [];
const copies: CopyResult[] = [];
let nodeResults: BenchResult[] = [];
if (!args.includes('--browser-only') && !sweepOnly) {
  const gpu = await acquireNodeGpu();
  console.error(`Node + Dawn: ${Object.values(gpu.adapter).filter(Boolean).join(' / ')} (tuning ${gpu.tuning.profile})`);
  const node = await nodeBench(gpu, { scale, repeats, only, onResult: log });
  gpu.device.destroy();
  report.node = node;
  nodeResults = node.results;
  copies.push(...node.copies);
  sections.push(...nodeSections(node).slice(0, -2)); // issue 17's targets and the copy lines come at the end
}
if (!args.includes('--browser-only') && !args.includes('--no-sweep') && (!only || only.includes('sweep-stacked'))) {
  const gpu = await acquireNodeGpu();
  const sweep = await runSweepBench(gpu, { steps: Number(option('--sweep-steps') ?? (quick ? 100 : 600)), log: (line) => console.error(`${line} [${elapsed()}, load ${load()}]`) });
  gpu.device.destroy();
  report.sweep = sweep;
  sections.push(sweepBenchTable(sweep));
}
if (!args.includes('--node-only') && !sweepOnly) {
  const browser = await browserBench();
  report.browser = browser;
  if (browser.copy) copies.push(browser.copy);
  sections.push(lrLabTable(`LR Lab, headless Chromium ${browser.version}, page main thread (${browser.adapter})`, browser.results));
  const { table, checks } = comparison(browser.results, browser.tfjs, copies);
  sections.push(`${table}\n(${browser.tfjsNotes.join('; ')})`);
  sections.push(checksTable(checks));
  report.checks = checks;
} else {
  const { checks } = comparison(nodeResults, [], copies);
  sections.push(checksTable(checks.filter((c) => !c.what.includes('tfjs'))));
  report.checks = checks;
}
if (nodeResults.length) sections.push(checksTable(gpuTargets(nodeResults, copies), 'Targets on a real GPU (issue 17), from this run'));
sections.push(copyLines(copies));
report.loadAtEnd = loadavg();
report.seconds = (performance.now() - started) / 1000;
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(report, null, 2));
console.log(`machine: ${machine}; load average ${load()} at the end\n\n${sections.join('\n\n')}\n\ntotal ${elapsed()} (written to ${outFile})`);
