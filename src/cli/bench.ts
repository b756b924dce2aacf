/**
 * `npm run bench`: ms per training step (median of repeats) for the cases, R = 1 and 6
 * stacked runs, in Node (Dawn) and in headless Chromium (the bench.html page, built into
 * .bench/site so that dist/ is left alone), plus dispatches and submits per step. Prints a table
 * and writes .bench/latest.json.
 *   --quick        shorter repeats, 3 of them (smoke test)      --node-only / --browser-only
 *   --repeats N    timed repeats per case (default 5)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';
import { acquireNodeGpu } from '../gpu/node';
import { CASE_BUDGET_MS, MIN_REPEATS, runBench, TARGET_REPEAT_MS, type BenchResult } from './bench-core';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const repeatsArg = args.indexOf('--repeats');
const repeats = repeatsArg >= 0 ? Number(args[repeatsArg + 1]) : quick ? 3 : 5;
const scale = quick ? 0.25 : 1;
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a positive integer, got ${args[repeatsArg + 1]}`);
const SITE = '.bench/site';
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

function table(title: string, results: BenchResult[]): string {
  const lines = [
    title,
    '| case | R | ms/step (median) | R=6 / R=1 | steps × repeats | dispatches/step | submits/step |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const single = results.find((x) => x.name === r.name && x.runs === 1);
    const ratio = r.runs === 1 || !single ? '' : (r.msPerStep / single.msPerStep).toFixed(2);
    const ms = r.msPerStep.toFixed(r.msPerStep < 10 ? 2 : r.msPerStep < 100 ? 1 : 0);
    lines.push(`| ${r.name} | ${r.runs} | ${ms} | ${ratio} | ${r.stepsPerRepeat} × ${r.samples.length} | ${r.dispatchesPerStep} | ${r.submitsPerStep} |`);
  }
  return lines.join('\n');
}

const log = (r: BenchResult) =>
  console.error(`  ${r.name} R=${r.runs}: ${r.msPerStep.toFixed(2)} ms/step (${r.stepsPerRepeat} steps × ${r.samples.length} repeats, warm-up ${r.warmupMs.toFixed(0)} ms) [${elapsed()}]`);

async function nodeBench() {
  const gpu = await acquireNodeGpu();
  const adapter = Object.values(gpu.adapter).filter(Boolean).join(' / ');
  console.error(`Node + Dawn: ${adapter}`);
  const results = await runBench(gpu, { scale, repeats, onResult: log });
  gpu.device.destroy();
  return { adapter, results };
}

async function browserBench() {
  console.error(`building bench.html into ${SITE} (vite build)…`);
  await build({ logLevel: 'warn', build: { outDir: SITE, emptyOutDir: true, copyPublicDir: false, sourcemap: false } });
  const server = await preview({ build: { outDir: SITE }, preview: { port: 4174, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4174/';
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-sandbox'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => console.error(`  [page] ${message.text()} [${elapsed()}]`));
    await page.goto(`${url}bench.html?scale=${scale}&repeats=${repeats}`);
    await page.waitForFunction(() => window.benchDone !== undefined, undefined, { timeout: 20 * 60_000, polling: 1000 });
    const done = await page.evaluate(() => window.benchDone!);
    if ('error' in done) throw new Error(`browser bench failed: ${done.error}`);
    done.results.forEach(log);
    return done;
  } finally {
    await browser.close();
    await server.close();
  }
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
console.error(`machine: ${machine}; load average at start ${load()}`);
console.error(
  `each repeat: about ${TARGET_REPEAT_MS * scale} ms of steps (1..64 steps, from a timed warm-up step); ${repeats} repeats, ` +
    `fewer (not under ${MIN_REPEATS}) where they would take over ${(CASE_BUDGET_MS * scale) / 1000} s; median`,
);
const report: Record<string, unknown> = { date: new Date().toISOString(), machine, loadAtStart: loadavg(), repeats, targetRepeatMs: TARGET_REPEAT_MS * scale };
const sections: string[] = [];
if (!args.includes('--browser-only')) {
  const node = await nodeBench();
  report.node = node;
  sections.push(table(`Node + Dawn (${node.adapter})`, node.results));
}
if (!args.includes('--node-only')) {
  const browser = await browserBench();
  report.browser = browser;
  sections.push(table(`Headless Chromium, page main thread (${browser.adapter})`, browser.results));
}
report.loadAtEnd = loadavg();
report.seconds = (performance.now() - started) / 1000;
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/latest.json', JSON.stringify(report, null, 2));
console.log(`machine: ${machine}; load average ${load()} at the end\n\n${sections.join('\n\n')}\n\ntotal ${elapsed()} (written to .bench/latest.json)`);
