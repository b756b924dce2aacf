#!/usr/bin/env node
/**
 * Where the page's main-thread long tasks go (issue 18): the built playground in headless Chromium
 * (WebGPU; SwiftShader when there is no GPU) trains the default experiment at full speed while a
 * Chromium trace (devtools.timeline) records `--seconds` (20) after a warm-up of `--warmup` (15) s.
 * Prints every main-thread task over 50 ms with what it spent its time on (script by entry
 * function, style, layout, paint, garbage collection), then the totals over all tasks, so that a
 * change to the page can be judged by what it removes. A measurement script, not a test.
 *
 *   npm run build && node scripts/trace-page.mjs [--seconds 20] [--warmup 15] [--out trace.json]
 *   [--sweep] (the 576-run sweep of public/examples/lr-sweep.json instead of the default experiment)
 *   [--read trace.json] (report a trace saved with --out again)
 *   [--over 30] (list every task over 30 ms, not only the long tasks over 50)
 *   [--samples] (V8's sampling profiler in the trace: each long task's functions by self time; read
 *   best against a build without minification: npx vite build --minify false --outDir D, --dist D)
 *   [--allocations] (instead of a trace: the bytes the page's JavaScript allocated, by function,
 *   garbage included, from V8's sampling heap profiler: what makes the garbage collector's tasks)
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const args = process.argv.slice(2);
const option = (flag, fallback) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : fallback;
};
const seconds = Number(option('--seconds', 20));
const warmup = Number(option('--warmup', 15));
const out = option('--out', null);
const port = Number(option('--port', 4289));
/** Tasks longer than this are listed one by one (50 ms: a long task; lower, to see what comes near). */
const LONG_MS = Number(option('--over', 50));

async function until(what, probe, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

if (option('--read', null)) {
  // A trace saved with --out, reported again (without a browser).
  report(JSON.parse(readFileSync(option('--read'), 'utf8')), { seconds: NaN, steps: NaN });
  process.exit(0);
}

const server = spawn('npx', ['vite', 'preview', '--outDir', option('--dist', 'dist'), '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: ROOT, stdio: 'ignore', detached: true });
const url = `http://127.0.0.1:${port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  await until('the preview server', () => fetch(url).then((r) => r.ok, () => false), 60_000);
  const page = await browser.newPage();
  await page.goto(url);
  await until('the page to be ready', () => page.evaluate(() => document.querySelector('[data-testid="status"]')?.textContent === 'ready'), 120_000);
  if (args.includes('--sweep')) {
    // The sweep soak's 576 runs (16 rates; scripts/page-soak.mjs), trained for as long as the trace needs.
    const sweep = JSON.parse(readFileSync(join(ROOT, 'public/examples/lr-sweep.json'), 'utf8'));
    const axes = [{ ...sweep.sweep.axes[0], count: 16 }];
    await page.evaluate((doc) => window.lrlab.engine.load(doc), { ...sweep, budget: { unit: 'steps', amount: 1_000_000 }, sweep: { ...sweep.sweep, axes } });
  } else {
    const config = await page.evaluate(() => window.lrlab.engine.config());
    await page.evaluate((doc) => window.lrlab.engine.load(doc), { ...config, budget: { unit: 'steps', amount: 1_000_000 } });
  }
  await page.getByTestId('speed').selectOption('0');
  await page.getByTestId('train').click();
  await sleep(warmup * 1000);
  const stepNow = () => page.evaluate(() => Number(document.querySelector('[data-testid="step"]')?.textContent));
  /** Measures `seconds` of training: start(), the wait, then stop()'s result and the steps trained meanwhile. */
  const measure = async (start, stop) => {
    await start();
    const stepFrom = await stepNow();
    await sleep(seconds * 1000);
    const stepTo = await stepNow();
    return { result: await stop(), span: { seconds, steps: stepTo - stepFrom } };
  };
  if (args.includes('--profile') || args.includes('--allocations')) {
    // The page's JavaScript by function: time (self) from V8's sampling profiler, or every
    // allocation the heap sampler saw, those the garbage collector took since included.
    const cdp = await page.context().newCDPSession(page);
    const heap = args.includes('--allocations');
    const { result: profile, span } = heap
      ? await measure(
          async () => {
            await cdp.send('HeapProfiler.enable');
            await cdp.send('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
          },
          async () => (await cdp.send('HeapProfiler.stopSampling')).profile,
        )
      : await measure(
          async () => {
            await cdp.send('Profiler.enable');
            await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
            await cdp.send('Profiler.start');
          },
          async () => (await cdp.send('Profiler.stop')).profile,
        );
    if (out) writeFileSync(out, JSON.stringify(profile));
    (heap ? reportAllocations : reportProfile)(profile, span);
  } else {
    const sampled = args.includes('--samples') ? ['disabled-by-default-v8.cpu_profiler'] : [];
    const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'toplevel', ...sampled];
    const { result: buffer, span } = await measure(() => browser.startTracing(page, { categories }), () => browser.stopTracing());
    if (out) writeFileSync(out, buffer);
    report(JSON.parse(buffer.toString('utf8')), span);
  }
} finally {
  await browser.close();
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
}

/** What a trace event stands for, in a few words (script by its entry function). */
function label(event) {
  const data = event.args?.data ?? {};
  switch (event.name) {
    case 'FunctionCall':
      return `script ${data.functionName || '(anonymous)'} ${String(data.url ?? '').split('/').pop()}:${data.lineNumber ?? ''}`;
    case 'EventDispatch':
      return `event ${data.type}`;
    case 'TimerFire':
      return 'timer';
    case 'FireAnimationFrame':
      return 'animation frame';
    case 'RunMicrotasks':
      return 'microtasks';
    case 'V8.GC_MC_BACKGROUND_MARKING':
      return null;
    default:
      if (/GC|Scavenge|MarkCompact/i.test(event.name)) return 'garbage collection';
      if (['UpdateLayoutTree', 'Layout', 'Paint', 'PrePaint', 'Layerize', 'Commit', 'UpdateLayer', 'HitTest', 'ParseHTML', 'EvaluateScript', 'v8.compile', 'v8.compileModule'].includes(event.name)) return event.name;
      return null;
  }
}

/** The trace's CPU-profile samples (with --samples) as { ts, name } in trace time, sorted. */
function profileSamples(events, pidTid) {
  const [pid, tid] = pidTid.split(':').map(Number);
  // The main thread's profile (the Worker, in the same process, has its own), and where its clock starts.
  const clock = new Map(events.filter((e) => e.name === 'Profile' && e.pid === pid && e.tid === tid).map((e) => [e.id, e.args?.data?.startTime ?? e.ts]));
  const nodes = new Map();
  const samples = [];
  for (const chunk of events.filter((e) => e.name === 'ProfileChunk' && clock.has(e.id))) {
    const data = chunk.args?.data ?? {};
    for (const node of data.cpuProfile?.nodes ?? []) {
      const frame = node.callFrame ?? {};
      nodes.set(`${chunk.id}:${node.id}`, `${frame.functionName || '(anonymous)'} ${String(frame.url ?? '').split('/').pop()}:${(frame.lineNumber ?? -1) + 1}`);
    }
    let ts = clock.get(chunk.id);
    const deltas = data.timeDeltas ?? [];
    (data.cpuProfile?.samples ?? []).forEach((id, i) => {
      ts += deltas[i] ?? 0;
      samples.push({ ts, key: `${chunk.id}:${id}` });
    });
    clock.set(chunk.id, ts);
  }
  return samples.map(({ ts, key }) => ({ ts, name: nodes.get(key) ?? '?' })).sort((a, b) => a.ts - b.ts);
}

/** The functions that took a task's time (self time from the samples within it), most first. */
function sampledIn(samples, task) {
  const counts = new Map();
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid].ts < task.ts) lo = mid + 1;
    else hi = mid;
  }
  let n = 0;
  for (let i = lo; i < samples.length && samples[i].ts <= task.ts + task.dur; i++, n++) counts.set(samples[i].name, (counts.get(samples[i].name) ?? 0) + 1);
  return [...counts.entries()].filter(([name]) => !/^\((idle|program|root)\)/.test(name)).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, c]) => `${name} ${Math.round((100 * c) / n)}%`).join(' · ');
}

function report(trace, { seconds: span, steps }) {
  const events = trace.traceEvents ?? trace;
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const complete = events.filter((e) => e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`));
  const tasks = complete.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  // The page's renderer: the main thread with the most task time.
  const busy = new Map();
  for (const task of tasks) busy.set(`${task.pid}:${task.tid}`, (busy.get(`${task.pid}:${task.tid}`) ?? 0) + task.dur);
  const main = [...busy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const inMain = complete.filter((e) => `${e.pid}:${e.tid}` === main).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Nested RunTask events (a task within a task) count once, at the outermost.
  let end = -Infinity;
  const top = tasks
    .filter((t) => `${t.pid}:${t.tid}` === main)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur)
    .filter((t) => (t.ts >= end ? ((end = t.ts + t.dur), true) : false));
  const samples = profileSamples(events, main);
  const totalBusy = top.reduce((s, t) => s + t.dur, 0) / 1000;
  console.log(`${steps} steps in ${span} s (${(steps / span).toFixed(1)} steps/s); main thread busy ${totalBusy.toFixed(0)} ms (${((totalBusy / (span * 1000)) * 100).toFixed(1)} %) in ${top.length} tasks`);
  const totals = new Map();
  const long = top.filter((t) => t.dur / 1000 > LONG_MS);
  for (const task of top) {
    const end = task.ts + task.dur;
    const parts = new Map();
    for (const e of inMain) {
      if (e.ts < task.ts || e.ts + e.dur > end || e === task) continue;
      const what = label(e);
      if (!what) continue;
      // Script time counts once, at its outermost call; the rest by kind (nested in script or not).
      const key = what;
      parts.set(key, (parts.get(key) ?? 0) + e.dur / 1000);
    }
    for (const [key, ms] of parts) totals.set(key, (totals.get(key) ?? 0) + ms);
    if (task.dur / 1000 > LONG_MS) {
      const list = [...parts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(' · ');
      console.log(`  task ${(task.dur / 1000).toFixed(0)} ms: ${list}`);
      if (samples.length) console.log(`    sampled: ${sampledIn(samples, task)}`);
    }
  }
  console.log(`${long.length} tasks over ${LONG_MS} ms (max ${Math.max(0, ...long.map((t) => t.dur / 1000)).toFixed(0)} ms)`);
  console.log('time by kind over all tasks (ms; nested kinds overlap):');
  for (const [key, ms] of [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${ms.toFixed(0).padStart(7)}  ${key}`);
}

/** Bytes allocated by function (url:line): self (the function's own allocations) and total (with what it called), from a sampling heap profile. */
function reportAllocations(profile, { seconds: span, steps }) {
  const self = new Map();
  const total = new Map();
  const name = (node) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber + 1}`;
  const walk = (node, path) => {
    const key = name(node);
    const bytes = node.selfSize;
    self.set(key, (self.get(key) ?? 0) + bytes);
    for (const k of new Set([...path, key])) total.set(k, (total.get(k) ?? 0) + bytes);
    for (const child of node.children ?? []) walk(child, [...path, key]);
  };
  walk(profile.head, []);
  const all = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`${steps} steps in ${span} s: ${(all / 2 ** 20).toFixed(0)} MiB allocated (${(all / 2 ** 20 / span).toFixed(1)} MiB/s)`);
  const print = (map, title) => {
    console.log(title);
    for (const [key, bytes] of [...map.entries()].filter(([key]) => !/^\((root|program|idle)\)/.test(key)).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${(bytes / 2 ** 20).toFixed(1).padStart(8)}  ${key}`);
  };
  print(self, 'self (MiB):');
  print(total, 'total (MiB):');
}

/** Self and total time by function (url:line), from a V8 CPU profile. */
function reportProfile(profile, { seconds: span, steps }) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  const total = new Map();
  const name = (node) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber + 1}`;
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const ms = (dt[i + 1] ?? dt[i]) / 1000;
    let node = byId.get(id);
    self.set(name(node), (self.get(name(node)) ?? 0) + ms);
    const seen = new Set();
    while (node) {
      const key = name(node);
      if (!seen.has(key)) total.set(key, (total.get(key) ?? 0) + ms);
      seen.add(key);
      node = byId.get(parent.get(node.id));
    }
  });
  console.log(`${steps} steps in ${span} s (${(steps / span).toFixed(1)} steps/s)`);
  const print = (map, title) => {
    console.log(title);
    for (const [key, ms] of [...map.entries()].filter(([key]) => !/^\((idle|program|root)\)/.test(key)).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${ms.toFixed(0).padStart(7)}  ${key}`);
  };
  print(self, 'self time (ms):');
  print(total, 'total time (ms):');
}
