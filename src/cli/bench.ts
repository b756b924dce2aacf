/**
 * `npm run bench`: ms per training step (median of repeats) for the cases, R = 1 and 6
 * stacked runs, in Node (Dawn) and in headless Chromium (the built bench.html page), plus dispatches
 * and submits per step. Prints a table and writes .bench/latest.json.
 *   --quick        shorter repeats (CI smoke)      --node-only / --browser-only
 *   --repeats N    timed repeats per case (default 5)      --no-build   reuse dist/ as it is
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { acquireNodeGpu } from '../gpu/node';
import { runBench, type BenchResult } from './bench-core';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const repeatsArg = args.indexOf('--repeats');
const repeats = repeatsArg >= 0 ? Number(args[repeatsArg + 1]) : quick ? 3 : 5;
const scale = quick ? 0.5 : 1;
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a positive integer, got ${args[repeatsArg + 1]}`);

function table(title: string, results: BenchResult[]): string {
  const lines = [`${title}`, '| case | R | ms/step (median) | R=6 / R=1 | dispatches/step | submits/step |', '|---|---|---|---|---|---|'];
  for (const r of results) {
    const single = results.find((x) => x.name === r.name && x.runs === 1);
    const ratio = r.runs === 1 || !single ? '' : (r.msPerStep / single.msPerStep).toFixed(2);
    lines.push(`| ${r.name} | ${r.runs} | ${r.msPerStep.toFixed(2)} | ${ratio} | ${r.dispatchesPerStep} | ${r.submitsPerStep} |`);
  }
  return lines.join('\n');
}

async function nodeBench() {
  const gpu = await acquireNodeGpu();
  const adapter = Object.values(gpu.adapter).filter(Boolean).join(' / ');
  console.error(`Node + Dawn: ${adapter}`);
  const results = await runBench(gpu, { scale, repeats, onResult: (r) => console.error(`  ${r.name} R=${r.runs}: ${r.msPerStep.toFixed(2)} ms/step`) });
  gpu.device.destroy();
  return { adapter, results };
}

async function browserBench() {
  if (!args.includes('--no-build') || !existsSync('dist/bench.html')) {
    console.error('building the pages (vite build)…');
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  }
  const server = await preview({ preview: { port: 4174, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4174/';
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--enable-features=Vulkan'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => console.error(`  [page] ${message.text()}`));
    await page.goto(`${url}bench.html?scale=${scale}&repeats=${repeats}`);
    await page.waitForFunction(() => window.benchDone !== undefined, undefined, { timeout: 20 * 60_000, polling: 1000 });
    const done = await page.evaluate(() => window.benchDone!);
    if ('error' in done) throw new Error(`browser bench failed: ${done.error}`);
    return done;
  } finally {
    await browser.close();
    await server.close();
  }
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
console.error(`machine: ${machine}`);
const report: Record<string, unknown> = { date: new Date().toISOString(), machine, repeats, scale };
const sections: string[] = [];
if (!args.includes('--browser-only')) {
  const node = await nodeBench();
  report.node = node;
  sections.push(table(`Node + Dawn (${node.adapter})`, node.results));
}
if (!args.includes('--node-only')) {
  const browser = await browserBench();
  report.browser = browser;
  sections.push(table(`Headless Chromium (${browser.adapter})`, browser.results));
}
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/latest.json', JSON.stringify(report, null, 2));
console.log(`machine: ${machine}\n\n${sections.join('\n\n')}\n\n(written to .bench/latest.json)`);
